# checks.jq: the mission's three checks as a person would write them in jq,
# the alternative to ocigate the benchmark compares with.  Input: a
# config.json.  Prints nothing and exits 0 to allow; prints the reasons on
# stderr and exits 1 to refuse (jq 1.6's halt_error).
#   1. the process runs as UID 0 and there is no user namespace;
#   2. a capability outside the default policy's allowlist (Docker's
#      default set less NET_RAW) is in any of the five sets;
#   3. a user namespace together with the host's PID or network namespace
#      (no entry of that type, or one joining a path).
# It does not resolve namespace paths, mappings, or anything else ocigate
# does; it is the least a hand-written hook would do.
def allow: ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
            "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"];
def ns($t): [.linux.namespaces[]? | select(.type == $t)] | first;
def host_ns($t): ns($t) as $n | ($n == null) or ($n.path // "" | length > 0);
. as $c
| (ns("user") != null) as $userns
| [ if ((.process.user.uid // 0) == 0) and ($userns | not)
      then "process runs as host UID 0 (no user namespace)" else empty end,
    ( [.process.capabilities // {} | .[]? | .[]?] | unique - allow
      | if length > 0 then "capabilities outside the allowlist: \(join(", "))" else empty end ),
    ( if $userns then ("pid", "network") as $t | select($c | host_ns($t)) | "host \($t) namespace with a user namespace"
      else empty end )
  ]
| if length == 0 then empty else (map("checks.jq: denied: " + .) | join("\n") + "\n" | halt_error(1)) end
