#!/bin/sh
# Fills a fuzz target's corpus directory with seeds and writes its
# dictionary.  Seeds are copied in (existing files are kept: the corpus
# grows across runs); the dictionary is rebuilt from the string literals in
# hook/, so rules added later are fuzzed with their own keys.
# Usage (from the repository root): tests/fuzz/seed-corpus.sh TARGET CORPUS_DIR DICT
#   TARGET: config | policy | state | runc_args | containerd_toml | runstate | decision_log
set -eu

target=$1 corpus=$2 dict=$3
mkdir -p "$corpus"
# Inputs once found to crash stay seeds: a regression fails the run at once.
for f in tests/fuzz/regressions/"$target"-*; do
  [ -f "$f" ] && cp "$f" "$corpus/regression-${f##*/}"
done

# Literals from the sources, as dictionary entries: "key"
literals() {
  grep -ohE '"[A-Za-z_][A-Za-z0-9_.:/*-]{0,40}"' "$@" 2>/dev/null | sort -u
}

json_tokens() {
  printf '%s\n' '"{"' '"}"' '"["' '"]"' '":"' '","' '"\\""' '"null"' '"true"' '"false"' '"0"' '"-1"' \
    '"4294967295"' '"4294967296"' '"18446744073709551615"' '"9223372036854775808"' '"-9223372036854775809"' \
    '"1e308"' '"1.5"' '"\\u0000"' '"\\ud800"' '"\\\\"' '"/"' '"\\u00e9"'
}

state() { # NAME JSON
  printf '%s' "$2" >"$corpus/seed-$1"
}

argv() { # NAME ARG...  -> the arguments joined by NUL
  name=$1
  shift
  out="$corpus/seed-$name"
  : >"$out"
  first=1
  for a in "$@"; do
    [ "$first" = 1 ] || printf '\000' >>"$out"
    printf '%s' "$a" >>"$out"
    first=0
  done
}

case "$target" in
  config)
    for f in tests/fixtures/*.json; do cp "$f" "$corpus/seed-${f##*/}"; done
    # The unit tests' seccomp profiles, as linux.seccomp of runc's template.
    if command -v jq >/dev/null; then
      for f in tests/unit/data/seccomp-*.json; do
        [ -f "$f" ] || continue
        jq -c --slurpfile s "$f" '.linux.seccomp = $s[0]' tests/fixtures/runc-spec.json \
          >"$corpus/seed-unit-${f##*/}" 2>/dev/null || rm -f "$corpus/seed-unit-${f##*/}"
      done
    fi
    {
      json_tokens
      literals hook/core/config.c hook/rules/*.c hook/rules/seccomp/*.c hook/core/host.c hook/base/caps.c
      for c in CHOWN DAC_OVERRIDE SYS_ADMIN NET_ADMIN NET_RAW SYS_PTRACE SYS_MODULE NET_BIND_SERVICE SETUID SETGID \
        MKNOD AUDIT_WRITE SYS_CHROOT KILL BPF PERFMON CHECKPOINT_RESTORE; do
        printf '"CAP_%s"\n' "$c"
      done
      printf '%s\n' '"/proc/self/ns/net"' '"/proc/1/ns/user"' '"/proc/self/ns/user"' '"/var/run/docker.sock"' \
        '"/dev/fuse"' '"/dev/sda"' '"/sys"' '"/proc"' '"/etc"' '"rbind"' '"rshared"' '"unconfined"' \
        '"kernel.shm_rmid_forced"' '"net.ipv4.ip_forward"'
    } >"$dict"
    ;;
  policy)
    for f in policies/*.json; do cp "$f" "$corpus/seed-${f##*/}"; done
    for f in tests/unit/data/*policy*.json; do [ -f "$f" ] && cp "$f" "$corpus/seed-unit-${f##*/}"; done
    cat >"$corpus/seed-exceptions.json" <<'EOF'
{"version": 1, "mode": "dry-run", "runtime": {"runc": "/usr/bin/runc", "crun": "/usr/local/bin/crun"},
 "log": {"file": "/var/log/ocigate.log"},
 "rules": {"user.root": {"action": "deny"}, "capabilities": {"action": "fix", "allow": ["CAP_CHOWN"]}},
 "exceptions": [{"match": {"id": "db-*", "bundle": "/srv/*", "args0": "/usr/bin/*",
                           "annotations": {"io.kubernetes.*": "*", "a~b/c": "x"}},
                 "rules": ["user.root", "capabilities"], "reason": "the database needs it"}]}
EOF
    # Every rule with its default options, as `policy show` prints them.
    if [ -x build/ocigate ]; then
      build/ocigate policy show -p policies/default.json >"$corpus/seed-shown.json" 2>/dev/null || rm -f "$corpus/seed-shown.json"
    fi
    {
      json_tokens
      printf '%s\n' '"version"' '"mode"' '"enforce"' '"dry-run"' '"rules"' '"action"' '"off"' '"warn"' '"fix"' \
        '"deny"' '"exceptions"' '"match"' '"reason"' '"annotations"' '"args0"' '"bundle"' '"id"' '"runtime"' \
        '"runc"' '"crun"' '"log"' '"file"' '"~0"' '"~1"'
      literals hook/gate/policy.c hook/core/rule_options.c hook/rules/*.c hook/rules/seccomp/*.c hook/base/caps.c
    } >"$dict"
    ;;
  state)
    state podman.json '{"ociVersion":"1.0.2-dev","id":"3f1c2a","status":"created","pid":4242,"bundle":"/var/lib/containers/storage/overlay-containers/3f1c2a/userdata","annotations":{"io.container.manager":"libpod","org.opencontainers.image.stopSignal":"15"}}'
    state runc.json '{"ociVersion": "1.0.2", "id": "c1", "status": "creating", "bundle": "/run/b"}'
    state bundlepath.json '{"ociVersion": "1.0.0", "id": "c1", "status": "creating", "bundlePath": "/run/b"}'
    state both.json '{"id": "c1", "bundle": "/one", "bundlePath": "/two"}'
    state noid.json '{"bundle": "/b"}'
    state escaped.json '{"id": "a\u00e9\n\"b", "bundle": "/b\/c"}'
    {
      json_tokens
      printf '%s\n' '"ociVersion"' '"id"' '"status"' '"pid"' '"bundle"' '"bundlePath"' '"annotations"' \
        '"creating"' '"created"' '"running"' '"stopped"'
    } >"$dict"
    ;;
  runc_args)
    # What the engines run (see tests/e2e), and the unit tests' forms.
    argv docker-create runc --root /run/docker/runtime-runc/moby --log \
      /run/containerd/io.containerd.runtime.v2.task/moby/0123abcd/log.json --log-format json create --bundle \
      /run/containerd/io.containerd.runtime.v2.task/moby/0123abcd --pid-file \
      /run/containerd/io.containerd.runtime.v2.task/moby/0123abcd/init.pid --console-socket /tmp/pty1/pty.sock 0123abcd
    argv docker-exec runc --root /run/docker/runtime-runc/moby --log /x/log.json --log-format json exec --process \
      /tmp/runc-process123 --console-socket /tmp/pty2/pty.sock --detach --pid-file /x/exec.pid 0123abcd
    argv containerd-create runc --root /run/containerd/runc/default --log /x/log.json --log-format json \
      --systemd-cgroup create --bundle /run/containerd/io.containerd.runtime.v2.task/default/c1 --pid-file /x/init.pid c1
    argv conmon-crun crun --systemd-cgroup --root /run/crun --log-format=json --log=/x/ctr.log create --bundle \
      /var/lib/containers/storage/overlay-containers/3f1c2a/userdata --pid-file /x/pidfile --no-new-keyring 3f1c2a
    argv crun-config crun create -f alt.json --bundle=/b c1
    argv docker-update runc --root /run/docker/runtime-runc/moby --log /x/log.json --log-format json update \
      --resources - 0123abcd
    argv update-flags runc update --memory -1 --pids-limit=-0x1 --cpu-share 512 c1
    argv crun-late crun create c1 --bundle /late -d
    argv run runc run -d --bundle=/one -b /two --keep --no-pivot c1
    argv exec-flags runc exec -u 1000:1000 -g 10 --additional-gids=20 -c CAP_SYS_ADMIN --cap=CAP_NET_RAW --cwd / -e \
      A=b -t --no-new-privs=true c1 sh -c 'echo hi'
    argv dashdash runc create -- c1
    argv start runc start c1
    argv state runc --root /r state c1
    argv delete runc delete --force c1
    argv version runc --version
    argv unknown-global runc --weird create c1
    argv features crun features
    {
      literals hook/cli/runc_args.c | sed -n 's/^"\([a-z-]*\)"$/"--\1"\n"\1"/p'
      printf '%s\n' '"\x00"' '"--"' '"-b"' '"-f"' '"-p"' '"-u"' '"-g"' '"-c"' '"-d"' '"-e"' '"-t"' '"="' \
        '"create"' '"run"' '"exec"' '"=true"' '"=false"'
    } >"$dict"
    ;;
  containerd_toml)
    # Debian's config.toml, and the shapes setup edits or refuses.
    state debian.toml "$(printf 'version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n    [plugins."io.containerd.grpc.v1.cri".cni]\n      bin_dir = "/usr/lib/cni"\n      conf_dir = "/etc/cni/net.d"\n  [plugins."io.containerd.internal.v1.opt"]\n    path = "/var/lib/containerd/opt"\n')"
    state imports.toml "$(printf 'version = 2\nimports = ["/etc/containerd/a.toml", '"'"'/b.toml'"'"'] # x\n[debug]\n  level = "info"\n')"
    state runc.toml "$(printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n    runtime_type = "io.containerd.runc.v2"\n    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n      BinaryName = "/usr/bin/runc"\n      SystemdCgroup = true\n  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n    runtime_type = "io.containerd.kata.v2"\n')"
    state arrays.toml "$(printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  x = [\n    "[a]", { b = 1 },\n  ]\n  y = """\nz\n"""\n')"
    state v3.toml "$(printf 'version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]\n  BinaryName = "/x"\n')"
    {
      printf '%s\n' '"["' '"]"' '"[["' '"]]"' '"."' '"="' '"\""' '"'"'"'"' '"\"\"\""' '"#"' '"{"' '"}"' '","' \
        '"\x0a"' '"\x0d\x0a"' '"version"' '"imports"' '"plugins"' '"io.containerd.grpc.v1.cri"' '"containerd"' \
        '"runtimes"' '"runc"' '"options"' '"BinaryName"' '"runtime_type"' '"default_runtime_name"'
    } >"$dict"
    ;;
  runstate)
    # The first byte picks the reader: even runc's state.json, odd crun's
    # status; the same bytes go to the /proc/PID/status reader.
    data=$(cd "$(dirname "$0")/../unit/data/runstate" && pwd)
    { printf 'r'; cat "$data/runc-state.json"; } >"$corpus/seed-runc-state"
    { printf 'c'; cat "$data/crun-status"; } >"$corpus/seed-crun-status"
    { printf 'r'; cat "$data/proc-status-exec-root"; } >"$corpus/seed-proc-status"
    state min-runc 'r{"id":"a","init_process_pid":1,"config":{"labels":["bundle=/b"]}}'
    state min-crun 'c{"pid":1,"bundle":"/b"}'
    {
      json_tokens
      printf '%s\n' '"init_process_pid"' '"init_process_start"' '"labels"' '"bundle="' '"process-start-time"' \
        '"Uid:"' '"Gid:"' '"Groups:"' '"CapEff:"' '"CapPrm:"' '"CapBnd:"' '"CapAmb:"' '"CapInh:"' '"NoNewPrivs:"' \
        '"Seccomp:"' '"\x09"' '"\x0a"'
    } >"$dict"
    ;;
  decision_log)
    # Lines as gate.c writes them: refusals, rewrites, dry runs, errors,
    # the syslog form, names; and lines that are not decisions.
    head='{"time": "2026-12-07T10:00:00Z", "id": "c1", "bundle": "/b", '
    tail='"policy": "/etc/ocigate/policy.json", "policy_sha256": ""}'
    deny='{"rule": "user.root", "action": "deny", "message": "m", "path": "/process/user/uid"}'
    fix='{"rule": "capabilities", "action": "fix", "message": "m", "path": "/process/capabilities/bounding/3"}'
    state refuse.log "$head\"via\": \"ocigate-runc create\", \"outcome\": \"refuse\", \"decision\": \"deny\", \"dry_run\": false, \"findings\": [$deny, $fix], $tail"
    state dry.log "$(printf '%s\n' \
      "$head\"via\": \"hook precreate\", \"outcome\": \"allow\", \"decision\": \"rewrite\", \"dry_run\": true, \"findings\": [$fix], $tail" \
      "$head\"via\": \"hook prestart\", \"outcome\": \"allow\", \"decision\": \"rewrite\", \"dry_run\": true, \"findings\": [$fix], $tail" \
      "$head\"name\": \"web\", \"image\": \"nginx\", \"engine\": \"podman\", \"via\": \"hook precreate\", \"outcome\": \"allow\", \"decision\": \"deny\", \"dry_run\": true, \"findings\": [$deny], $tail")"
    state error.log "$head\"via\": \"hook prestart\", \"outcome\": \"refuse\", \"decision\": \"error\", \"dry_run\": false, \"error\": \"config: x\", \"findings\": [], $tail"
    state syslog.log "Dec  7 10:00:00 host ocigate[42]: $head\"via\": \"ocigate-crun exec\", \"outcome\": \"refuse\", \"decision\": \"rewrite\", \"dry_run\": false, \"findings\": [$fix], \"findings_omitted\": 2, $tail"
    state mixed.log "$(printf 'not json\n\n{}\n[1]\n%s\n' "$head\"via\": \"v\"}")"
    {
      json_tokens
      printf '%s\n' '"\x0a"' '"ocigate[1]: "' '"2026-12-07T10:00:00Z"' '"2026-12-07T10:00:00.5Z"' '"dry_run"' \
        '"outcome"' '"decision"' '"findings"' '"rule"' '"action"' '"allow"' '"rewrite"' '"refuse"' '"deny"' \
        '"error"' '"fix"' '"warn"' '"via"' '"hook precreate"' '"hook prestart"' '"ocigate-runc update"' '"name"' \
        '"image"' '"engine"' '"time"' '"id"' '"bundle"'
    } >"$dict"
    ;;
  *)
    echo "usage: $0 config|policy|state|runc_args|containerd_toml|runstate|decision_log CORPUS_DIR DICT" >&2
    exit 2
    ;;
esac
