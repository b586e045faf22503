#!/usr/bin/env bash
# tests/bench/run.sh: the benchmark behind `make bench` (see README.md here).
# Prints figures and ratios measured in this run, one Markdown table per
# measurement; it never passes or fails on timing.  Exit status 0 unless
# something could not be set up or run.
#
# Environment (make passes its command-line variables through):
#   BENCH_QUICK=1   a smoke run: few repetitions of everything
#   HOOK_RUNS       rounds of the hook measurement (default 1000)
#   JQ_EVERY        the jq variants run in one round out of JQ_EVERY (default 10)
#   RUNC_RUNS       rounds of `runc run` (default 200; each round runs 3 containers)
#   CHECK_COPIES    copies of the fixtures given to one `ocigate check` (default 57: 3021 configs)
#   CHECK_ROUNDS    rounds of the throughput measurement (default 21)
#   SCALE_RUNS      rounds of the scaling measurement (default 5)
#   DOCKER_RUNS     rounds of `docker run` (default 100; each round runs 2 containers)
#   BENCH_OUT       where make put the benchmark's programs (default build/bench)
#   BENCH_PARTS     which measurements to run (default "1 2 3 4 5 6 7"; parts 5 to 7 say
#                   why when they cannot run: no dockerd, no runc, not root)
#   AUDIT_CONTAINERS  containers part 6 starts with runc, and part 7 through dockerd (default 100)
#   AUDIT_RUNS      rounds of part 6's and part 7's measurements (default 30)
#   BENCH_KEEP=1    keep the work directory (printed at the end)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/tests/bench
OUT=${BENCH_OUT:-$REPO/build/bench}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
BUILT=$REPO/build/ocigate
FIXTURES=$REPO/tests/fixtures
JQ=$(command -v jq || true)
RUNC=$(command -v runc || true)

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    HOOK_RUNS=${HOOK_RUNS:-30} JQ_EVERY=${JQ_EVERY:-3} RUNC_RUNS=${RUNC_RUNS:-5}
    CHECK_COPIES=${CHECK_COPIES:-2} CHECK_ROUNDS=${CHECK_ROUNDS:-1} SCALE_RUNS=${SCALE_RUNS:-1}
    DOCKER_RUNS=${DOCKER_RUNS:-5}
    AUDIT_CONTAINERS=${AUDIT_CONTAINERS:-10} AUDIT_RUNS=${AUDIT_RUNS:-3}
    WARMUP=1
else
    HOOK_RUNS=${HOOK_RUNS:-1000} JQ_EVERY=${JQ_EVERY:-10} RUNC_RUNS=${RUNC_RUNS:-200}
    CHECK_COPIES=${CHECK_COPIES:-57} CHECK_ROUNDS=${CHECK_ROUNDS:-21} SCALE_RUNS=${SCALE_RUNS:-5}
    DOCKER_RUNS=${DOCKER_RUNS:-100}
    AUDIT_CONTAINERS=${AUDIT_CONTAINERS:-100} AUDIT_RUNS=${AUDIT_RUNS:-30}
    WARMUP=3
fi

for p in "$BUILT" "$OUT/bench" "$OUT/noop_hook" "$OUT/jsonc_parse" "$OUT/jsonc_hook"; do
    [ -x "$p" ] || { echo "bench: $p is missing: run 'make bench'" >&2; exit 2; }
done
[ -n "$JQ" ] || { echo "bench: jq is needed (apt-get install jq)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/ocigate-bench.XXXXXX)
RUNC_ROOT=$WORK/runc/state
# Part 5's private dockerd keeps all its state here (see dockerd_start).
DOCKER_DIR=$WORK/docker
cleanup() {
    # Everything is tried, whatever fails on the way.
    set +e
    # Part 5: its dockerd by PID, then its containerd and shims (the e2e
    # helpers; defined only once part 5 has loaded them).
    if declare -F dockerd_stop >/dev/null; then
        dockerd_stop "$DOCKER_DIR" daemon
        dockerd_stop "$DOCKER_DIR" audit
        umount_under "$WORK"
    fi
    # Part 1's stand-in for a container's process, by PID.
    # SIGKILL: unshare ignores SIGTERM while it waits, and the stand-in is
    # the init of its PID namespace, which takes only SIGKILL from outside.
    if [ -n "${INIT_HOLDER:-}" ]; then kill -KILL "$INIT_HOLDER" ${INIT_PID:+"$INIT_PID"} 2>/dev/null; fi
    if [ -n "$RUNC" ] && [ -d "$RUNC_ROOT" ]; then
        for id in $("$RUNC" --root "$RUNC_ROOT" list -q 2>/dev/null); do
            "$RUNC" --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 || true
        done
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "(work directory kept: $WORK)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
# Interrupted: exit, so that the EXIT trap stops what the run started.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Measure a copy: build/ocigate may be rebuilt while this runs (by `make
# check`, the fuzzers, a SANITIZE build), and one run must time one binary.
mkdir -p "$WORK/bin"
cp "$BUILT" "$WORK/bin/ocigate"
OCIGATE=$WORK/bin/ocigate
# The default policy with the seccomp rule off: what everything but that
# rule costs.  The hook reads a policy only if root owns it and nobody else
# may write it (and the directories above: $WORK is 0700).
NOSECCOMP=$WORK/policy-seccomp-off.json
"$JQ" '.rules.seccomp.action = "off"' "$REPO/policies/default.json" >"$NOSECCOMP"
chmod 0644 "$NOSECCOMP"

T_START=$(date +%s)
elapsed() { echo "$(($(date +%s) - T_START)) s"; }

# The driver prints: label runs wall_med wall_p90 wall_p10 wall_min
# wall_mean cpu_med cpu_p90 rss_med rss_max exits paired_wall paired_cpu.
bench() { "$OUT/bench" "$@"; }

# want N: part N is in BENCH_PARTS (default: all seven).
want() { case " ${BENCH_PARTS:-1 2 3 4 5 6 7} " in *" $1 "*) return 0 ;; esac; return 1; }

# field FILE LABEL COLUMN: one figure of the driver's output.
field() { awk -F'\t' -v l="$2" -v c="$3" '$1 == l { print $c; exit }' "$1"; }

# ms_table FILE REF REF-NAME LABEL...: the driver's rows LABEL... as a table in
# milliseconds, with the ratio of each median to REF's.
ms_table() {
    local file=$1 ref=$2 refname=$3
    shift 3
    echo "| command | runs | median ms | p90 ms | min ms | CPU median ms | max RSS KiB | ÷ $refname | exit |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
    awk -F'\t' -v ref="$ref" -v labels="$*" '
        /^#/ { next }
        { row[$1] = $0; med[$1] = $3 }
        END {
            n = split(labels, order, " ")
            for (i = 1; i <= n; i++) {
                l = order[i]; split(row[l], c, "\t")
                printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %d | %.2f | %s |\n", l, c[2], c[3] / 1000, c[4] / 1000,
                    c[6] / 1000, c[8] / 1000, c[11], c[3] / med[ref], c[12]
            }
        }' "$file"
}

# bench_dockerd DIR NAME WORKDIR [DOCKERD-ARGS...]: a private dockerd
# (dockerd_start of the e2e helpers) holding BENCH_IMAGE, the busybox rootfs
# of tests/lib/rootfs.sh made in WORKDIR and imported; exits 2 when it fails.
BENCH_IMAGE=ocigate-bench/busybox:1
bench_dockerd() {
    local dir=$1 name=$2 w=$3
    shift 3
    if ! dockerd_start "$dir" "$name" "$@"; then
        echo "bench: the private dockerd $name did not start" >&2
        exit 2
    fi
    (. "$REPO/tests/lib/rootfs.sh" && make_rootfs "$w/img" && make_rootfs_tar "$w/img" "$w/rootfs.tar") >/dev/null
    dkr "$dir" "$name" import "$w/rootfs.tar" "$BENCH_IMAGE" >/dev/null
}

# ---------------------------------------------------------------- machine
read -r LOAD1 LOAD5 LOAD15 _ </proc/loadavg
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NOOP_LINK=$(cat "$OUT/noop_hook.linkage" 2>/dev/null || echo unknown)
DRIVER_LINK=$(cat "$OUT/bench.linkage" 2>/dev/null || echo unknown)
echo "# ocigate benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$OCIGATE" --version 2>/dev/null | head -1): build/ocigate of" \
    "$(date -u -r "$BUILT" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$OCIGATE" | cut -c1-16)…, copied at the start"
echo
echo "- machine: $(nproc) CPUs ($CPU_MODEL), kernel $(uname -r), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "- load average at start: $LOAD1 $LOAD5 $LOAD15"
if awk -v l="$LOAD1" 'BEGIN { exit !(l > 1) }'; then
    echo "- **the machine was shared** (load average $LOAD1 > 1 at start): wall-clock times include"
    echo "  waiting for a CPU; the CPU-time columns (user + system, from wait4) do not, and the"
    echo "  ratios of interleaved runs still compare like with like"
fi
echo "- no-op hook: $NOOP_LINK; benchmark driver: $DRIVER_LINK; ocigate: $(ldd "$OCIGATE" 2>/dev/null | awk '$1 ~ /^lib/ { sub(/\.so.*/, "", $1); l = l (l ? ", " : "") $1 } END { print (l ? "dynamic (" l ")" : "static") }')"
if ldd "$OCIGATE" 2>/dev/null | grep -q -e libasan -e libubsan; then
    echo "- **build/ocigate is a sanitizer build (SANITIZE=1): its figures are not representative; rebuild with make**"
fi
if [ -e /etc/ocigate/policy.json ]; then
    echo "- **/etc/ocigate/policy.json exists**: the hook used it, not the embedded default policy"
else
    echo "- policy: the embedded default (no /etc/ocigate/policy.json)"
fi
echo "- repetitions: HOOK_RUNS=$HOOK_RUNS (jq every $JQ_EVERY rounds), RUNC_RUNS=$RUNC_RUNS," \
    "CHECK_COPIES=$CHECK_COPIES x CHECK_ROUNDS=$CHECK_ROUNDS, SCALE_RUNS=$SCALE_RUNS, DOCKER_RUNS=$DOCKER_RUNS$([ "${BENCH_QUICK:-0}" = 1 ] && echo ' (BENCH_QUICK: figures are rough)')"
echo "- medians; p90 = 90th percentile; µs = microseconds; every variant of a table ran interleaved"
echo "  with the others, in an order shuffled every round (${WARMUP} warm-up rounds not counted)"
echo

# ------------------------------------------------------------ 1. the hook
if want 1; then
# Each fixture becomes a bundle's config.json; the OCI state names it.
HOOK_FIXTURES="docker-default podman-default docker-privileged podman-privileged runc-spec"
JQ_HOOK_FIXTURE=docker-default
H=$WORK/hook
mkdir -p "$H"
spec=$H/spec
: >"$spec"
# At prestart the state's pid is the container's process, in namespaces
# of its own, which the hook judges (what the runtime really made): a
# process in new PID, network, IPC, UTS, mount and cgroup namespaces stands
# in for it (as root; otherwise the state has no pid and only the
# description is judged, and the table says so).
INIT_PID=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    unshare --fork --kill-child --pid --net --ipc --uts --mount --cgroup sleep 1000000 </dev/null >/dev/null 2>&1 &
    INIT_HOLDER=$!
    for _ in $(seq 200); do
        INIT_PID=$(pgrep -P "$INIT_HOLDER" | head -1) && [ -n "$INIT_PID" ] && break
        INIT_PID=0
        sleep 0.05
    done
fi
for f in $HOOK_FIXTURES; do
    mkdir -p "$H/$f/rootfs"
    # The engines' root file systems are not on this host: the bundle's own.
    "$JQ" -c '.root.path = "rootfs"' "$FIXTURES/$f.json" >"$H/$f/config.json"
    if [ "$INIT_PID" != 0 ]; then
        printf '{"ociVersion":"1.0.2-dev","id":"bench-%s","status":"creating","pid":%d,"bundle":"%s","annotations":{}}' \
            "$f" "$INIT_PID" "$H/$f" >"$H/$f.state"
    else
        printf '{"ociVersion":"1.0.2-dev","id":"bench-%s","status":"creating","bundle":"%s","annotations":{}}' \
            "$f" "$H/$f" >"$H/$f.state"
    fi
done
first=${HOOK_FIXTURES%% *}
if "$OCIGATE" hook --stage prestart -p "$NOSECCOMP" <"$H/$first.state" 2>&1 | grep -q 'refused:'; then
    echo "bench: the hook does not accept $NOSECCOMP:" >&2
    "$OCIGATE" hook --stage prestart -p "$NOSECCOMP" <"$H/$first.state" >&2 || true
    exit 2
fi
{
    printf 'noop\t%s\t%s\n' "$H/$first.state" "$OUT/noop_hook"
    printf 'ocigate --version\t%s\t%s --version\n' "$H/$first.state" "$OCIGATE"
    for f in $HOOK_FIXTURES; do
        printf 'ocigate:%s\t%s\t%s hook --stage prestart\n' "$f" "$H/$f.state" "$OCIGATE"
    done
    # The floor of any hook that judges with json-c: read the state, reserve
    # the heap as ocigate does, read and parse the config, nothing else.
    for f in $HOOK_FIXTURES; do
        printf 'json-c only:%s\t%s\t%s %s\n' "$f" "$H/$f.state" "$OUT/jsonc_hook" "$H/$f/config.json"
    done
    printf 'ocigate, seccomp rule off:%s\t%s\t%s hook --stage prestart -p %s\n' "$first" "$H/$first.state" "$OCIGATE" "$NOSECCOMP"
    # No seccomp cache: libseccomp builds the profile on every start, as
    # on the first start of a profile.
    printf 'ocigate, no seccomp cache:%s\t%s\tOCIGATE_SECCOMP_CACHE= %s hook --stage prestart\n' "$first" "$H/$first.state" "$OCIGATE"
    for f in $HOOK_FIXTURES; do
        printf 'jq:%s\t%s\t%s -f %s %s\t-\t%s\n' "$f" "$H/$f.state" "$JQ" "$HERE/checks.jq" "$H/$f/config.json" "$JQ_EVERY"
    done
    printf 'jq-hook:%s\t%s\t%s\t-\t%s\n' "$JQ_HOOK_FIXTURE" "$H/$JQ_HOOK_FIXTURE.state" "$HERE/jq_hook.sh" "$JQ_EVERY"
} >>"$spec"
echo "## 1. The hook as runc starts it" >&2
bench -n "$HOOK_RUNS" -w "$WARMUP" -R noop "$spec" >"$H/result"

echo "## 1. The hook as runc starts it"
echo
echo "A process started with posix_spawn, an empty environment, the OCI state on a pipe as stdin,"
echo "stdout and stderr to /dev/null, timed from spawn to reaped. ocigate: \`ocigate hook --stage"
echo "prestart\`, config read from BUNDLE/config.json, embedded policy. no-op: a static program that"
echo "reads stdin and exits 0 (the floor of starting a process). jq: \`jq -f checks.jq"
echo "BUNDLE/config.json\` (the three checks of the mission; the least a jq hook costs); jq-hook:"
echo "tests/bench/jq_hook.sh, the same as a real hook (sh reads the bundle from the state with jq,"
echo "then runs the checks). Every fixture is refused by the default policy (exit 1), as real"
echo "\`docker run\`/\`podman run\` defaults are; the refusal path includes the syslog attempt."
echo "json-c only: tests/bench/jsonc_parse.c built as build/ocigate is (static-pie) with ocigate's heap reservation:"
echo "it reads the state, then reads and parses BUNDLE/config.json with json-c as ocigate does, and"
echo "exits: the floor of any hook that judges a config with json-c."
if [ "$INIT_PID" != 0 ]; then
    echo "The state's pid is a process in new PID, network, IPC, UTS, mount and cgroup namespaces (a"
    echo "stand-in for the container's): the hook judges its namespaces, user namespace and mounts"
    echo "as they really are, besides the config; each fixture's root.path is the bundle's own rootfs."
else
    echo "**The state has no pid** (not root, or no unshare): only the config is judged, not the"
    echo "process the runtime made; the figures leave that part out."
fi
echo "\"seccomp rule off\": the same policy with only the seccomp rule off (\`-p\`), to show what it costs."
echo "The seccomp rule keeps what libseccomp built of a profile (/run/ocigate/seccomp, by a key of every"
echo "input of the build), so the rows above are starts after the first of their profile; \"no seccomp"
echo "cache\" (OCIGATE_SECCOMP_CACHE empty) builds it on every start, as the first start of a profile does."
echo
echo "Columns: wall-clock median and p90; CPU = user + system time; × no-op = ratio of medians; ÷ ocigate"
echo "= the row's median over ocigate's on the same config (jq, json-c only); exit = status:count."
echo
echo "| Program | config.json | runs | median µs | p90 µs | CPU median µs | × no-op (wall) | × no-op (CPU) | ÷ ocigate | peak RSS KiB | exit |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
awk -F'\t' -v H="$H" '
    function size(f,   cmd, s) { cmd = "stat -c %s " H "/" f "/config.json"; cmd | getline s; close(cmd); return s }
    /^#/ { next }
    { lab[NR] = $1; row[$1] = $0; order[++n] = $1; med[$1] = $3; cpu[$1] = $8 }
    END {
        for (i = 1; i <= n; i++) {
            l = order[i]; split(row[l], c, "\t")
            prog = l; fx = "—"; vs = ""
            if (index(l, ":")) { prog = substr(l, 1, index(l, ":") - 1); fx = substr(l, index(l, ":") + 1) }
            cfg = fx == "—" ? "—" : sprintf("%s (%d B)", fx, size(fx))
            if ((prog == "jq" || prog == "jq-hook" || prog == "json-c only") && (("ocigate:" fx) in med))
                vs = sprintf("%.2f", c[3] / med["ocigate:" fx])
            printf "| %s | %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %s | %d | %s |\n",
                prog, cfg, c[2], c[3], c[4], c[8], c[3] / med["noop"], c[8] / cpu["noop"], vs == "" ? "" : vs, c[11], c[12]
        }
    }' "$H/result"
echo
# The largest real fixture, by size.
largest=$(for f in "$FIXTURES"/*.json; do printf '%s %s\n' "$(stat -c %s "$f")" "$(basename "$f" .json)"; done | sort -n | tail -1 | cut -d' ' -f2)
largest_docker=docker-privileged
for f in $largest $largest_docker; do
    case " $HOOK_FIXTURES " in *" $f "*) ;; *) continue ;; esac
    m=$(field "$H/result" "ocigate:$f" 3) n=$(field "$H/result" noop 3)
    pw=$(printf '%.2f' "$(field "$H/result" "ocigate:$f" 13)") pc=$(printf '%.2f' "$(field "$H/result" "ocigate:$f" 14)")
    r=$(awk -v a="$m" -v b="$n" 'BEGIN { printf "%.2f", a / b }')
    verdict=$(awk -v r="$r" 'BEGIN { print (r <= 1.3 ? "met" : "**missed**") }')
    what="the largest real fixture"
    [ "$f" = "$largest_docker" ] && [ "$f" != "$largest" ] && what="the largest Docker fixture"
    echo "- ocigate ÷ no-op on $f ($what, $(stat -c %s "$FIXTURES/$f.json") B): ${r}× (median of paired ratios: wall ${pw}×, CPU ${pc}×); target ≤ 1.3×: $verdict"
    fl=$(field "$H/result" "json-c only:$f" 3)
    echo "  - the json-c floor on $f (parse only, no judging): $(awk -v a="$fl" -v b="$n" 'BEGIN { printf "%.2f", a / b }')× the no-op;" \
        "ocigate ÷ that floor: $(awk -v a="$m" -v b="$fl" 'BEGIN { printf "%.2f", a / b }')×"
done
dd=$(field "$H/result" "ocigate:docker-default" 3)
echo "- jq ÷ ocigate, docker-default: $(awk -v a="$(field "$H/result" "jq:docker-default" 3)" -v b="$dd" 'BEGIN { printf "%.2f", a / b }')×" \
    "(one jq process); as a hook (sh + 2 jq): $(awk -v a="$(field "$H/result" "jq-hook:docker-default" 3)" -v b="$dd" 'BEGIN { printf "%.2f", a / b }')×"
maxrss=$(awk -F'\t' '/^ocigate:/ && $11 > m { m = $11 } END { print m + 0 }' "$H/result")
echo "- hook peak RSS on the real fixtures: at most $maxrss KiB (target < 4096 KiB: $([ "$maxrss" -lt 4096 ] && echo met || echo '**missed**'));" \
    "it includes the child that compiles the seccomp profile and the driver's floor (no-op row)"
echo
echo "(part 1: $(elapsed))" >&2
fi

# ----------------------------------------------------------- 2. runc run
if want 2; then
echo "## 2. \`runc run\` of /bin/true, with and without the hook"
echo
if [ -z "$RUNC" ] || [ "$(id -u)" != 0 ] || ! { [ -x /bin/busybox ] || command -v busybox >/dev/null; }; then
    echo "Skipped: needs root, runc and busybox-static."
    echo
else
    echo "## 2. runc run" >&2
    R=$WORK/runc
    mkdir -p "$R"
    (. "$REPO/tests/lib/rootfs.sh" && make_bundle "$R/base") >/dev/null
    # Compliant under the default policy: a non-root user, limits set, the
    # runc template's capabilities, masked paths and no-new-privileges, and
    # Docker's seccomp profile (make_bundle's): the hook allows it.
    "$JQ" --arg rootfs "$R/base/rootfs" \
        '.root.path = $rootfs | .process.user = {"uid": 1000, "gid": 1000}
         | .linux.resources.memory.limit = 536870912 | .linux.resources.pids.limit = 1024
         | .linux.resources.cpu.shares = 1024' "$R/base/config.json" >"$R/compliant.json"
    mkdir -p "$R/nohook" "$R/noop" "$R/ocigate" "$RUNC_ROOT"
    cp "$R/compliant.json" "$R/nohook/config.json"
    "$JQ" --arg p "$OUT/noop_hook" '.hooks.prestart = [{"path": $p, "args": ["noop_hook"]}]' \
        "$R/compliant.json" >"$R/noop/config.json"
    "$JQ" --arg p "$OCIGATE" '.hooks.prestart = [{"path": $p, "args": ["ocigate", "hook", "--stage", "prestart"]}]' \
        "$R/compliant.json" >"$R/ocigate/config.json"
    if ! "$OCIGATE" check "$R/ocigate/config.json" >"$R/check.out" 2>&1; then
        echo "bench: the compliant config is not allowed:" >&2
        cat "$R/check.out" >&2
        exit 2
    fi
    # One try of each, so a broken setup says why instead of timing errors.
    for v in nohook noop ocigate; do
        if ! "$RUNC" --root "$RUNC_ROOT" run -b "$R/$v" "ocigate-bench-try-$v" </dev/null >"$R/try.out" 2>&1; then
            echo "bench: runc run with $v failed:" >&2
            cat "$R/try.out" >&2
            exit 2
        fi
        "$RUNC" --root "$RUNC_ROOT" delete -f "ocigate-bench-try-$v" >/dev/null 2>&1 || true
    done
    {
        for v in nohook noop ocigate; do
            printf '%s\t-\t%s --root %s run -b %s {ID}\t%s --root %s delete -f {ID}\n' \
                "$v" "$RUNC" "$RUNC_ROOT" "$R/$v" "$RUNC" "$RUNC_ROOT"
        done
    } >"$R/spec"
    bench -n "$RUNC_RUNS" -w "$WARMUP" -R noop -E "$R/errors" "$R/spec" >"$R/result"
    left=$("$RUNC" --root "$RUNC_ROOT" list -q 2>/dev/null | wc -l)
    echo "A bundle of busybox-static (tests/lib/rootfs.sh) with runc's spec made compliant (UID 1000,"
    echo "limits set, Docker's seccomp profile), so the hook allows it; \`runc --root PRIVATE run -b"
    echo "BUNDLE UNIQUE-ID\`, then \`runc delete -f\` (untimed); the three variants interleaved, $RUNC_RUNS rounds."
    echo "\"paired\" is the median over rounds of the ratio of two runs of the same round."
    echo
    echo "| prestart hook | runs | median ms | p90 ms | CPU median ms | ÷ no hook | ÷ no-op hook | paired ÷ no-op hook | exit |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
    awk -F'\t' '
        /^#/ { next }
        { row[$1] = $0; med[$1] = $3 }
        END {
            split("nohook noop ocigate", order, " ")
            name["nohook"] = "none"; name["noop"] = "no-op (static)"; name["ocigate"] = "ocigate hook --stage prestart"
            for (i = 1; i <= 3; i++) {
                l = order[i]; split(row[l], c, "\t")
                printf "| %s | %d | %.1f | %.1f | %.1f | %.3f | %.3f | %.3f | %s |\n", name[l], c[2], c[3] / 1000, c[4] / 1000,
                    c[8] / 1000, c[3] / med["nohook"], c[3] / med["noop"], c[13], c[12]
            }
        }' "$R/result"
    echo
    r=$(awk -v a="$(field "$R/result" ocigate 3)" -v b="$(field "$R/result" noop 3)" 'BEGIN { printf "%.3f", a / b }')
    echo "- ocigate hook ÷ no-op hook at the median: ${r}× (paired: $(printf '%.3f' "$(field "$R/result" ocigate 13)")×); target ≤ 1.03×:" \
        "$(awk -v r="$r" 'BEGIN { print (r <= 1.03 ? "met" : "**missed**") }')"
    echo "- what the hook adds to \`runc run\`: $(awk -v a="$(field "$R/result" ocigate 3)" -v b="$(field "$R/result" nohook 3)" 'BEGIN { printf "%.1f ms (%.1f%%)", (a - b) / 1000, (a / b - 1) * 100 }')" \
        "over no hook; the no-op hook adds $(awk -v a="$(field "$R/result" noop 3)" -v b="$(field "$R/result" nohook 3)" 'BEGIN { printf "%.1f ms", (a - b) / 1000 }')"
    echo "- containers left in the private runc root: $left"
    if [ -s "$R/errors" ]; then
        echo "- runs that did not exit 0: $(grep -c '^bench: round' "$R/errors"); their first lines of output:"
        echo
        echo '```'
        head -20 "$R/errors"
        echo '```'
    fi
    echo
fi
echo "(part 2: $(elapsed))" >&2
fi

# ---------------------------------------------------- 3. check throughput
if want 3; then
echo "## 3. \`ocigate check\` throughput" >&2
C=$WORK/check
mkdir -p "$C"
nfix=0
for k in $(seq 1 "$CHECK_COPIES"); do
    mkdir -p "$C/$k"
    for f in "$FIXTURES"/*.json; do
        cp "$f" "$C/$k/"
        echo "$C/$k/$(basename "$f")"
    done
done >"$C/list"
nfiles=$(wc -l <"$C/list")
nfix=$(find "$FIXTURES" -maxdepth 1 -name '*.json' | wc -l)
bytes=$(xargs cat <"$C/list" | wc -c)
{
    printf 'ocigate check\t-\t%s check @%s\n' "$OCIGATE" "$C/list"
    printf 'ocigate check, seccomp rule off\t-\t%s check -p %s @%s\n' "$OCIGATE" "$NOSECCOMP" "$C/list"
    printf 'json-c parse\t-\t%s @%s\n' "$OUT/jsonc_parse" "$C/list"
} >"$C/spec"
bench -n "$CHECK_ROUNDS" -w 0 -R "json-c parse" "$C/spec" >"$C/result"
echo "## 3. \`ocigate check\` throughput"
echo
echo "One process judges $nfiles configs ($nfix fixtures × $CHECK_COPIES copies, $((bytes / 1024)) KiB, paths on its command line),"
echo "text output to /dev/null, against tests/bench/jsonc_parse: the same files in the same order, each"
echo "read and parsed by json-c as ocigate parses it (strict, UTF-8 checked, depth 64), nothing else."
echo "Process start is included in both. $CHECK_ROUNDS rounds."
echo
echo "| Program | configs | median s | CPU median s | configs/s (wall) | configs/s (CPU) | MiB/s (wall) | exit |"
echo "|---|--:|--:|--:|--:|--:|--:|---|"
awk -F'\t' -v n="$nfiles" -v b="$bytes" '
    /^#/ { next }
    { printf "| %s | %d | %.3f | %.3f | %.0f | %.0f | %.1f | %s |\n", $1, n, $3 / 1e6, $8 / 1e6, n / ($3 / 1e6), n / ($8 / 1e6), b / 1048576 / ($3 / 1e6), $12 }' "$C/result"
echo
oc=$(field "$C/result" "ocigate check" 3) jc=$(field "$C/result" "json-c parse" 3)
occ=$(field "$C/result" "ocigate check" 8) jcc=$(field "$C/result" "json-c parse" 8)
r=$(awk -v a="$oc" -v b="$jc" 'BEGIN { printf "%.3f", b / a }')
# Rounds are interleaved: the median of each round's ratio cancels the
# machine's drift between rounds, which the ratio of medians does not.
pw=$(field "$C/result" "ocigate check" 13) pc=$(field "$C/result" "ocigate check" 14)
echo "- ocigate's rate ÷ json-c's: $r (CPU: $(awk -v a="$occ" -v b="$jcc" 'BEGIN { printf "%.3f", b / a }');" \
    "median of the rounds' ratios: $(awk -v p="$pw" 'BEGIN { printf "%.3f", 1 / p }'), CPU" \
    "$(awk -v p="$pc" 'BEGIN { printf "%.3f", 1 / p }')); target ≥ 0.7:" \
    "$(awk -v r="$r" 'BEGIN { print (r >= 0.7 ? "met" : "**missed**") }')"
echo "- per config: ocigate $(awk -v a="$oc" -v n="$nfiles" 'BEGIN { printf "%.0f", a / n }') µs, json-c $(awk -v a="$jc" -v n="$nfiles" 'BEGIN { printf "%.0f", a / n }') µs (wall)"
echo "- with the seccomp rule off, ocigate's rate ÷ json-c's: $(awk -v a="$(field "$C/result" "ocigate check, seccomp rule off" 3)" -v b="$jc" 'BEGIN { printf "%.3f", b / a }')" \
    "(CPU: $(awk -v a="$(field "$C/result" "ocigate check, seccomp rule off" 8)" -v b="$jcc" 'BEGIN { printf "%.3f", b / a }'))"
echo
echo "(part 3: $(elapsed))" >&2
fi

# ------------------------------------------------------------- 4. scaling
if want 4; then
echo "## 4. Scaling" >&2
S=$WORK/scale
mkdir -p "$S"
SIZES="1024 4096 16384 65536 262144 1048576 4194304"
BASE=$S/base.json
"$JQ" -c . "$FIXTURES/runc-spec.json" >"$BASE"
"$JQ" -c 'del(.mounts)' "$FIXTURES/runc-spec.json" >"$S/base-small.json"
"$JQ" -c '.linux.seccomp' "$FIXTURES/docker-default.json" >"$S/docker-seccomp.json"
# gen SERIES SIZE OUT: scale the runc spec to SIZE bytes (minified JSON)
# with units of 1024 bytes, each one mount (every 4th a read-only bind of a
# harmless host path, the others tmpfs), one annotation and, in series A,
# every 2nd unit, one seccomp rule with an argument condition (on one of 10
# calls, as Docker's profile has for personality, clone, socket: 4096 of
# them take libseccomp more than ocigate's 5 s limit); series B keeps
# Docker's seccomp profile as it is. A last annotation fills the rest.
gen() {
    local series=$1 size=$2 out=$3 base=$BASE n fill cur max
    [ "$series" = A ] && [ "$size" -le 1024 ] && base=$S/base-small.json
    if [ "$series" = B ]; then
        "$JQ" -c --slurpfile sc "$S/docker-seccomp.json" '.linux.seccomp = $sc[0]' "$base" >"$out.base"
    elif [ "$size" -gt 1024 ]; then
        "$JQ" -c '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": []}' \
            "$base" >"$out.base"
    else
        cp "$base" "$out.base"
    fi
    n=$(( (size - $(stat -c %s "$out.base") - 64) / 1024 ))
    # At most 4096 mounts and seccomp rules: ocigate's limit on judged lists.
    max=$((4096 - $("$JQ" '.mounts // [] | length' "$out.base")))
    [ "$n" -lt 0 ] && n=0
    [ "$n" -gt "$max" ] && n=$max
    fill=0
    for _ in 1 2 3; do
        "$JQ" -c --argjson n "$n" --argjson fill "$fill" --arg series "$series" '
            def names: ["personality", "socket", "clone", "ioctl", "fcntl", "prctl", "setsockopt", "getsockopt",
                        "mprotect", "madvise"];
            def mount($i): if $i % 4 == 3
                then {"destination": "/data/v\($i)", "type": "bind", "source": "/srv/ocigate-bench/v\($i)",
                      "options": ["rbind", "ro", "nosuid", "nodev"]}
                else {"destination": "/scale/t\($i)", "type": "tmpfs", "source": "tmpfs",
                      "options": ["nosuid", "nodev", "noexec", "mode=755", "size=64k"]} end;
            def rule($i): {"names": [names[$i % 10]], "action": "SCMP_ACT_ALLOW",
                           "args": [{"index": (if $i % 10 == 0 then 0 else 1 end), "value": (100000 + $i),
                                     "valueTwo": 0, "op": "SCMP_CMP_EQ"}]};
            def akey($i): "io.ocigate.bench/\($i)";
            def pad($k): if $k > 0 then "x" * $k else "" end;
            def unitpad($i): 1024 - ((mount($i) | tojson | length) + 1
                + (if $series == "A" and $i % 2 == 0 then (rule($i) | tojson | length) + 1 else 0 end)
                + (akey($i) | tojson | length) + 4);
            if $n == 0 then . else
              .mounts = ((.mounts // []) + [range(0; $n) | mount(.)])
              | if $series == "A" and .linux.seccomp != null
                then .linux.seccomp.syscalls += [range(0; $n) | select(. % 2 == 0) | rule(.)] else . end
              | .annotations = ((.annotations // {}) + ([range(0; $n) | {key: akey(.), value: pad(unitpad(.))}] | from_entries))
            end
            | if $fill > 0 then .annotations["io.ocigate.bench/fill"] = pad($fill) else . end' \
            "$out.base" >"$out"
        cur=$(stat -c %s "$out")
        [ "$cur" -eq "$size" ] && break
        # Grow or shrink the fill annotation by the difference (its key and
        # quotes cost 30 bytes the first time).
        if [ "$fill" -eq 0 ]; then fill=$((size - cur - 1 - 30)); else fill=$((fill + size - cur)); fi
        [ "$fill" -lt 1 ] && { fill=0; break; }
    done
    rm -f "$out.base"
    # Count what it holds, for the table.
    "$JQ" -r '[(.mounts // [] | length), (.linux.seccomp.syscalls // [] | length), (.annotations // {} | length)] | @tsv' "$out" >"$out.counts"
}
for series in A B; do
    for size in $SIZES; do
        [ "$series" = B ] && [ "$size" -lt 16384 ] && continue
        gen "$series" "$size" "$S/$series-$size.json"
    done
done
{
    for series in A B; do
        for size in $SIZES; do
            [ -e "$S/$series-$size.json" ] || continue
            printf '%s:%s:ocigate\t-\t%s check %s\n' "$series" "$size" "$OCIGATE" "$S/$series-$size.json"
            printf '%s:%s:json-c\t-\t%s %s\n' "$series" "$size" "$OUT/jsonc_parse" "$S/$series-$size.json"
            # A0: series A's files with no seccomp cache, as on a profile's first start
            if [ "$series" = A ]; then
                printf 'A0:%s:ocigate\t-\tOCIGATE_SECCOMP_CACHE= %s check %s\n' "$size" "$OCIGATE" "$S/A-$size.json"
            fi
        done
    done
} >"$S/spec"
bench -n "$SCALE_RUNS" -w 1 "$S/spec" >"$S/result"
echo "## 4. Scaling with the size of config.json"
echo
echo "\`ocigate check FILE\` (one process) on the runc spec scaled to each size in 1 KiB units, each one"
echo "mount (every 4th a read-only bind, the others tmpfs), one annotation and, in series A, every 2nd"
echo "unit, a seccomp rule with an argument condition (on one of 10 system calls); series B keeps Docker's seccomp"
echo "profile unchanged (mounts and annotations grow). The 1 KiB point of A is the runc spec without"
echo "its mounts and without a seccomp profile. json-c: tests/bench/jsonc_parse on the same file."
echo "Times are medians of $SCALE_RUNS runs, CPU time (user + system, the seccomp compiler child included);"
echo "\"µs/KiB\" is time ÷ size, \"Δµs/ΔKiB\" the slope from the previous size (flat when growth is linear),"
echo "\"exponent\" the local growth exponent of the time above the smallest config's (1 linear, 2 quadratic)."
echo
for series in A0 A B; do
    case $series in
    A0) echo "Series A, no seccomp cache (OCIGATE_SECCOMP_CACHE empty): mounts, annotations and seccomp rules grow, and"
        echo "libseccomp builds each profile on every run, as on the first start of a profile" ;;
    A) echo "Series A, seccomp cache warm (the build kept from the warm-up run: every start after a profile's first)" ;;
    B) echo "Series B: mounts and annotations grow, seccomp profile fixed (Docker's)" ;;
    esac
    echo
    echo "| size | bytes | mounts | seccomp entries | annotations | ocigate CPU ms | wall ms | json-c CPU ms | µs/KiB | Δµs/ΔKiB | exponent | peak RSS KiB | RSS KiB per config KiB (Δ) | exit |"
    echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    for size in $SIZES; do
        f=$S/${series%0}-$size.json
        [ -e "$f" ] || continue
        # One more run, untimed, to see whether the seccomp compiler hit its time limit.
        note=
        if [ "$size" -ge 262144 ] && OCIGATE_SECCOMP_CACHE= "$OCIGATE" check "$f" 2>&1 | grep -q 'seccomp profile too complex'; then
            note=" (seccomp compile stopped at its 5 s limit)"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$(stat -c %s "$f")" "$(cat "$f.counts")" \
            "$(awk -F'\t' -v l="$series:$size:ocigate" '$1 == l { print $8 "\t" $3 "\t" $11 "\t" $12 }' "$S/result")" \
            "$(awk -F'\t' -v l="${series%0}:$size:json-c" '$1 == l { print $8 }' "$S/result")" "$note"
    done | awk -F'\t' '
        function human(s) { return s >= 1048576 ? s / 1048576 " MiB" : s / 1024 " KiB" }
        {
            # size bytes mounts entries annotations cpu wall rss exit jsonc note
            kib = $2 / 1024
            if (NR == 1) { t0 = $6; k0 = kib; slope = "—"; ex = "—"; drss = "—" }
            else {
                slope = sprintf("%.2f", ($6 - pt) / (kib - pk))
                ex = (pt - t0 > 0 && $6 - t0 > 0) ? sprintf("%.2f", log(($6 - t0) / (pt - t0)) / log(kib / pk)) : "—"
                drss = sprintf("%.2f", ($8 - prss) / (kib - pk))
            }
            printf "| %s | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.1f | %s | %s | %d | %s | %s |\n",
                human($1), $2, $3, $4, $5, $6 / 1000, $7 / 1000, $10 / 1000, $6 / kib, slope, ex, $8, drss, $9 $11
            pt = $6; pk = kib; prss = $8
        }'
    echo
    if [ "$series" = A0 ]; then
        echo "- ocigate gives libseccomp 5 s of wall-clock time to compile a profile (SECCOMP_COMPILE_SECONDS in"
        echo "  hook/rules/seccomp/) and denies a profile it cannot compile in that time."
        echo
    fi
done
echo "(part 4: $(elapsed))" >&2
fi

# ------------------------------------------------------- 5. docker run
if want 5; then
echo "## 5. \`docker run\` of /bin/true, ocigate-runc in front of runc and runc alone"
echo
DOCKERD=$(command -v dockerd || true)
if [ -n "$DOCKERD" ]; then
    # The e2e suites' helpers: dockerd_start (a private dockerd, its state in
    # one directory), dkr, dockerd_stop (by PID, then its containerd and
    # shims), umount_under.  Loading them sets OCIGATE and RUNC to the
    # build's: this run measures its copy, and the runc it found.
    keep_ocigate=$OCIGATE keep_runc=$RUNC
    # shellcheck source=../e2e/lib-daemon.bash
    BATS_TEST_DIRNAME=$REPO/tests/e2e . "$REPO/tests/e2e/lib-daemon.bash"
    OCIGATE=$keep_ocigate RUNC=$keep_runc
fi
why=
if [ -z "$DOCKERD" ]; then
    why="dockerd is not installed (Debian package docker.io)"
elif [ ! -x "$DOCKER_CLI" ]; then
    why="the docker client is not installed (Debian package docker.io)"
elif [ "$(id -u)" != 0 ]; then
    why="needs root, to start dockerd"
elif [ -z "$RUNC" ] || ! { [ -x /bin/busybox ] || command -v busybox >/dev/null; }; then
    why="needs runc and busybox-static"
fi
if [ -n "$why" ]; then
    echo "Skipped: $why."
    echo
else
    echo "## 5. docker run" >&2
    D=$DOCKER_DIR
    mkdir -p "$D/bin" "$D/img" "$D/client"
    # The wrapper is the copy of build/ocigate under the name the build
    # gives it (build/ocigate-runc is a symbolic link): the name picks it.
    ln -s ../../bin/ocigate "$D/bin/ocigate-runc"
    WRAPPER=$D/bin/ocigate-runc
    bench_dockerd "$D" daemon "$D" --add-runtime "ocigate=$WRAPPER"
    SOCK=$D/daemon/docker.sock
    IMG=$BENCH_IMAGE
    # What the e2e suite (docker.bats) starts under the embedded default
    # policy: a non-root user, no network.  Both variants get the same flags;
    # only the runtime differs.  The client's configuration directory is
    # empty and private: no ~/.docker of the machine's.
    RUN_ARGS=(run --rm --network none --user 1000)
    for v in runc ocigate; do
        if ! dkr "$D" daemon "${RUN_ARGS[@]}" --runtime "$v" "$IMG" /bin/true </dev/null >"$D/try.out" 2>&1; then
            echo "bench: docker run --runtime $v failed:" >&2
            cat "$D/try.out" >&2
            exit 2
        fi
    done
    for v in runc ocigate; do
        printf '%s\t-\tDOCKER_CONFIG=%s %s -H unix://%s %s --runtime %s %s /bin/true\n' \
            "$v" "$D/client" "$DOCKER_CLI" "$SOCK" "${RUN_ARGS[*]}" "$v" "$IMG"
    done >"$D/spec"
    bench -n "$DOCKER_RUNS" -w "$WARMUP" -R runc -E "$D/errors" "$D/spec" >"$D/result"
    left=$(dkr "$D" daemon ps -aq 2>/dev/null | wc -l)
    dv=$("$DOCKERD" --version | sed 's/^Docker version //; s/,.*//')
    cv=$("$DOCKER_CLI" --version | sed 's/^Docker version //; s/,.*//')
    rv=$("$RUNC" --version | head -1 | sed 's/^runc version //')
    dockerd_stop "$D" daemon || true
    echo "\`docker -H PRIVATE-SOCKET ${RUN_ARGS[*]} --runtime RUNTIME $IMG /bin/true\`, timed from the"
    echo "client's start to its exit: the API calls, the container's creation (storage driver vfs), the"
    echo "containerd shim, the runtime's create and start, the wait for /bin/true and, for --rm, its removal."
    echo "A private dockerd $dv (own data and exec roots, --iptables=false --bridge=none), client $cv,"
    echo "image: busybox-static (tests/lib/rootfs.sh) imported. runc: Docker's runtime \`runc\` ($RUNC, $rv);"
    echo "ocigate: \`--add-runtime ocigate=\` the copy of build/ocigate named ocigate-runc, embedded policy:"
    echo "every runtime command of the shim goes through it, and it judges the config before \`create\`."
    echo "The two variants interleaved, $DOCKER_RUNS rounds. \"paired\" is the median over rounds of the ratio"
    echo "of two runs of the same round. The client's CPU time is not shown: the work is done by the daemons."
    echo
    echo "| runtime | runs | median ms | p90 ms | p10 ms | min ms | ÷ runc | paired ÷ runc | exit |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
    awk -F'\t' '
        /^#/ { next }
        { row[$1] = $0; med[$1] = $3 }
        END {
            split("runc ocigate", order, " ")
            name["runc"] = "runc"; name["ocigate"] = "ocigate-runc → runc"
            for (i = 1; i <= 2; i++) {
                l = order[i]; split(row[l], c, "\t")
                printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f | %s |\n", name[l], c[2], c[3] / 1000, c[4] / 1000,
                    c[5] / 1000, c[6] / 1000, c[3] / med["runc"], c[13], c[12]
            }
        }' "$D/result"
    echo
    oc=$(field "$D/result" ocigate 3) rc=$(field "$D/result" runc 3)
    echo "- ocigate-runc ÷ runc at the median: $(awk -v a="$oc" -v b="$rc" 'BEGIN { printf "%.3f", a / b }')×" \
        "(paired: $(printf '%.3f' "$(field "$D/result" ocigate 13)")×); at p90:" \
        "$(awk -v a="$(field "$D/result" ocigate 4)" -v b="$(field "$D/result" runc 4)" 'BEGIN { printf "%.3f", a / b }')×"
    echo "- what the wrapper adds to \`docker run\`: $(awk -v a="$oc" -v b="$rc" 'BEGIN { printf "%.1f ms (%.1f%%)", (a - b) / 1000, (a / b - 1) * 100 }') at the median"
    echo "- containers left in the private dockerd: $left"
    if [ -s "$D/errors" ]; then
        echo "- runs that did not exit 0: $(grep -c '^bench: round' "$D/errors"); their first lines of output:"
        echo
        echo '```'
        head -20 "$D/errors"
        echo '```'
    fi
    echo
fi
echo "(part 5: $(elapsed))" >&2
fi
# ------------------------------------------------- 6. ocigate audit
if want 6; then
echo "## 6. \`ocigate audit\` of $AUDIT_CONTAINERS running containers"
echo
if [ -z "$RUNC" ] || [ "$(id -u)" != 0 ] || ! { [ -x /bin/busybox ] || command -v busybox >/dev/null; }; then
    echo "Skipped: needs root, runc and busybox-static."
    echo
else
    echo "## 6. ocigate audit" >&2
    A=$WORK/audit
    mkdir -p "$A"
    # One bundle for every container: runc reads its config at each create,
    # and a sleeping busybox is the cheapest container there is.  Each gets
    # a second process, as an exec into it would leave, so that audit
    # judges two processes a container.
    (. "$REPO/tests/lib/rootfs.sh" && make_bundle "$A/b") >/dev/null
    jq '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/bin/sleep", "100000"]' "$A/b/config.json" \
        >"$A/b/config.new" && mv "$A/b/config.new" "$A/b/config.json"
    t0=$(date +%s.%N)
    for ((i = 0; i < AUDIT_CONTAINERS; i++)); do
        "$RUNC" --root "$RUNC_ROOT" run -d -b "$A/b" "ocigate-bench-audit-$i" </dev/null >/dev/null 2>"$A/run.err" || {
            echo "bench: runc run -d failed:" >&2
            cat "$A/run.err" >&2
            exit 2
        }
        "$RUNC" --root "$RUNC_ROOT" exec -d "ocigate-bench-audit-$i" /bin/sleep 100000 </dev/null >/dev/null
    done
    started=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    n_found=$("$OCIGATE" audit --no-host --root "$RUNC_ROOT" --format json | jq -s 'length')
    n_procs=$("$OCIGATE" audit --no-host --root "$RUNC_ROOT" --format json | jq -s 'map(.processes) | add')
    {
        printf 'audit\t-\t%s audit --no-host --root %s --format json\n' "$OCIGATE" "$RUNC_ROOT"
        printf 'audit+host\t-\t%s audit --root %s --format json\n' "$OCIGATE" "$RUNC_ROOT"
        printf 'runc_list\t-\t%s --root %s list --format json\n' "$RUNC" "$RUNC_ROOT"
    } >"$A/spec"
    # audit exits 1 (its findings: the host's, the configs'); only a crash
    # would be an error here, which the errors file shows.
    bench -n "$AUDIT_RUNS" -w "$WARMUP" -R runc_list -E "$A/errors" "$A/spec" >"$A/result"
    # Every container killed first, then deleted: a delete -f of a running
    # one waits for it to die, one at a time (minutes for a hundred).
    for ((i = 0; i < AUDIT_CONTAINERS; i++)); do
        "$RUNC" --root "$RUNC_ROOT" kill "ocigate-bench-audit-$i" KILL >/dev/null 2>&1 || true
    done
    sleep 1
    for ((i = 0; i < AUDIT_CONTAINERS; i++)); do
        "$RUNC" --root "$RUNC_ROOT" delete -f "ocigate-bench-audit-$i" >/dev/null 2>&1 || true
    done
    echo "$AUDIT_CONTAINERS containers started with \`runc run -d\` of a busybox-static sleep (one bundle, UID 1000)"
    echo "and one \`runc exec -d\` each, in ${started} s; audit found $n_found of them and $n_procs processes."
    echo "\`ocigate audit --root STATE\` reads each state.json, judges each config twice (as check, and with what"
    echo "the init really has: namespaces, user namespace, mounts) and each process's /proc status; audit+host adds"
    echo "the host's checks (every engine's setup plan, subordinate IDs, the decision log). \`runc list\` reads the"
    echo "same state files and nothing else: the floor of finding them. $AUDIT_RUNS interleaved rounds."
    echo
    ms_table "$A/result" runc_list "runc list" audit audit+host runc_list
    echo
    am=$(field "$A/result" audit+host 3)
    echo "- under one second for $AUDIT_CONTAINERS containers: $(awk -v a="$am" 'BEGIN { print (a < 1000000 ? "yes" : "NO") }')" \
        "($(awk -v a="$am" 'BEGIN { printf "%.1f ms", a / 1000 }') at the median, host checks included)"
    echo
fi
echo "(part 6: $(elapsed))" >&2
fi
# ------------------------------------ 7. ocigate audit of Docker's containers
if want 7; then
echo "## 7. \`ocigate audit\` of $AUDIT_CONTAINERS Docker containers, against \`docker inspect \$(docker ps -q)\`"
echo
why=
if ! command -v dockerd >/dev/null || [ ! -x "${DOCKER_CLI:-/usr/bin/docker}" ]; then
    why="needs dockerd and its client (Debian package docker.io)"
elif [ "$(id -u)" != 0 ] || [ -z "$RUNC" ] || ! { [ -x /bin/busybox ] || command -v busybox >/dev/null; }; then
    why="needs root, runc and busybox-static"
fi
if [ -n "$why" ]; then
    echo "Skipped: $why."
    echo
else
    echo "## 7. ocigate audit of docker containers" >&2
    if ! declare -F dockerd_start >/dev/null; then
        # As part 5: the e2e suites' helpers, keeping this run's OCIGATE and RUNC.
        keep_ocigate=$OCIGATE keep_runc=$RUNC
        # shellcheck source=../e2e/lib-daemon.bash
        BATS_TEST_DIRNAME=$REPO/tests/e2e . "$REPO/tests/e2e/lib-daemon.bash"
        OCIGATE=$keep_ocigate RUNC=$keep_runc
    fi
    D7=$DOCKER_DIR
    A7=$WORK/audit-docker
    mkdir -p "$D7" "$A7/img" "$A7/client"
    bench_dockerd "$D7" audit "$A7"
    SOCK7=$D7/audit/docker.sock
    IMG7=$BENCH_IMAGE
    # Started ten at a time: one by one, a hundred take minutes with vfs.
    t0=$(date +%s.%N)
    if ! seq 0 $((AUDIT_CONTAINERS - 1)) | xargs -P 10 -I{} \
        "$DOCKER_CLI" -H "unix://$SOCK7" run -d --name "ocigate-bench-audit-{}" --network none "$IMG7" /bin/sleep 600 \
        >/dev/null 2>"$A7/run.err"; then
        echo "bench: docker run -d failed:" >&2
        head -20 "$A7/run.err" >&2
        exit 2
    fi
    started=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    ROOT7=$D7/audit/exec/runtime-runc
    n_running=$(dkr "$D7" audit ps -q | wc -l)
    # audit exits 1 here (root containers, denied), 2 if one could not be judged.
    audit_rc=0
    "$OCIGATE" audit --no-host --root "$ROOT7" --format json >"$A7/audit.json" || audit_rc=$?
    n_found=$(jq -s 'map(select(.engine == "docker" and .decision == "deny")) | length' "$A7/audit.json")
    # `docker inspect $(docker ps -q)` as one would type it (a shell, ps,
    # then inspect), and inspect alone of the same IDs (listed in a file).
    printf '#!/bin/sh\nD="%s -H unix://%s"\nexec $D inspect $($D ps -q)\n' "$DOCKER_CLI" "$SOCK7" >"$A7/ps-inspect.sh"
    chmod 0755 "$A7/ps-inspect.sh"
    dkr "$D7" audit ps -q >"$A7/ids"
    n_inspected=$(xargs "$DOCKER_CLI" -H "unix://$SOCK7" inspect <"$A7/ids" | jq 'length')
    {
        printf 'audit\t-\t%s audit --no-host --root %s --format json\n' "$OCIGATE" "$ROOT7"
        printf 'audit_text\t-\t%s audit --no-host --root %s\n' "$OCIGATE" "$ROOT7"
        printf 'ps_inspect\t-\tDOCKER_CONFIG=%s %s\n' "$A7/client" "$A7/ps-inspect.sh"
        printf 'inspect\t-\tDOCKER_CONFIG=%s %s -H unix://%s inspect @%s\n' "$A7/client" "$DOCKER_CLI" "$SOCK7" "$A7/ids"
    } >"$A7/spec"
    # audit exits 1: every container runs as root, which the default policy denies.
    bench -n "$AUDIT_RUNS" -w "$WARMUP" -R ps_inspect -E "$A7/errors" "$A7/spec" >"$A7/result"
    dkr "$D7" audit ps -q | xargs -r -P 10 -n 10 "$DOCKER_CLI" -H "unix://$SOCK7" rm -f >/dev/null 2>&1 || true
    dockerd_stop "$D7" audit || true
    echo "$AUDIT_CONTAINERS containers started through a private dockerd (storage driver vfs, its runtime runc) with"
    echo "\`docker run -d --network none IMAGE /bin/sleep 600\`, ten at a time, in ${started} s: $n_running running,"
    echo "\`ocigate audit\` found $n_found with engine docker, each denied (it exited $audit_rc), \`docker inspect\` described $n_inspected."
    echo "audit: \`ocigate audit --no-host --root EXEC-ROOT/runtime-runc --format json\` (audit_text: the text format),"
    echo "reading runc's state files under the dockerd's exec root and each container's config and processes."
    echo "ps_inspect: a shell running \`docker inspect \$(docker ps -q)\` against the same dockerd; inspect: \`docker"
    echo "inspect\` of the same IDs alone. $AUDIT_RUNS interleaved rounds."
    echo
    ms_table "$A7/result" ps_inspect ps_inspect audit audit_text ps_inspect inspect
    echo
    am=$(field "$A7/result" audit 3)
    echo "- under one second for $AUDIT_CONTAINERS Docker containers: $(awk -v a="$am" 'BEGIN { print (a < 1000000 ? "yes" : "NO") }')" \
        "($(awk -v a="$am" 'BEGIN { printf "%.1f ms", a / 1000 }') at the median; docker inspect \$(docker ps -q):" \
        "$(awk -v a="$(field "$A7/result" ps_inspect 3)" 'BEGIN { printf "%.1f ms", a / 1000 }'))"
    if [ -s "$A7/errors" ] && grep '^bench: round' "$A7/errors" | grep -qv 'audit[a-z_]* ([^)]*): exit status 1$'; then
        echo "- runs that failed otherwise than audit's exit 1:"
        echo
        echo '```'
        grep -v 'audit[a-z_]* ([^)]*): exit status 1$' "$A7/errors" | head -20
        echo '```'
    fi
    echo
fi
echo "(part 7: $(elapsed))" >&2
fi
echo "Total time of this run: $(elapsed)."
