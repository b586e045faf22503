#!/usr/bin/env bash
# Helper for tests/fuzz/fuzz.mk (run from the repository root).
#   fuzz.sh toolchain CC STAMP        check clang and its libFuzzer runtime; say what to install
#   fuzz.sh run SECONDS TARGET...     seed and run each target in turn; non-zero on any crash
#   fuzz.sh minimize TARGET CRASH OUT minimise a crash input into OUT
#   fuzz.sh repro TARGET INPUT...     run the target once on inputs (no fuzzing)
set -uo pipefail

B=build/fuzz

max_len() {
  case "$1" in
    config) echo $((1024 * 1024)) ;;
    *) echo $((64 * 1024)) ;;
  esac
}

toolchain() {
  local cc=$1 stamp=$2
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "ocigate fuzz: $cc not found; install it: apt-get install clang-14 libclang-rt-14-dev" >&2
    exit 1
  fi
  local major
  major=$("$cc" -dumpversion 2>/dev/null | cut -d. -f1)
  local probe
  probe=$(mktemp -d)
  printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    >"$probe/p.c"
  if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >"$probe/log" 2>&1; then
    sed 's/^/  /' "$probe/log" >&2
    echo "ocigate fuzz: $cc cannot link a libFuzzer target with ASan and UBSan (the libclang_rt runtimes are missing);" \
      "install the Debian package libclang-rt-${major:-14}-dev" >&2
    rm -rf "$probe"
    exit 1
  fi
  rm -rf "$probe"
  touch "$stamp"
}

flags() { # TARGET -> the libFuzzer options every run of it uses
  echo "-max_len=$(max_len "$1") -rss_limit_mb=2048 -timeout=10"
  [ ! -s "$B/$1.dict" ] || echo "-dict=$B/$1.dict"
}

run() {
  local seconds=$1
  shift
  local failed=() t
  for t in "$@"; do
    local bin=$B/fuzz_$t corpus=$B/corpus-$t art=$B/artifacts/$t/ log=$B/$t.log
    if [ ! -x "$bin" ]; then
      echo "ocigate fuzz: no $bin (targets: config policy state runc_args containerd_toml runstate decision_log)" >&2
      failed+=("$t")
      continue
    fi
    mkdir -p "$corpus" "$art"
    tests/fuzz/seed-corpus.sh "$t" "$corpus" "$B/$t.dict"
    echo "== fuzz_$t: ${seconds}s, corpus $corpus ($(find "$corpus" -type f | wc -l) files), log $log"
    # libFuzzer checks -max_total_time only once the corpus has been run
    # through; a corpus that is slow to load is cut off (SIGINT, status 72).
    # shellcheck disable=SC2046
    timeout --preserve-status -s INT -k 60 $((seconds + 60)) \
      "$bin" $(flags "$t") -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$art" "$corpus" \
      >"$log" 2>&1
    local status=$?
    if [ "$status" -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$log"; then
      echo "   stopped at the time limit before the corpus had all run (last: $(grep -E '^#[0-9]+' "$log" | tail -n 1 |
        cut -d' ' -f1-4)); a larger FUZZ_SECONDS lets it fuzz"
      status=0
    fi
    grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -n 2 | sed 's/^/   /'
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed 's/^/   /'
    if [ "$status" -ne 0 ]; then
      failed+=("$t")
      echo "   FAILED (status $status):"
      grep -E '^(==[0-9]+==ERROR|SUMMARY|ocigate fuzz:|.*runtime error:)' "$log" | head -n 5 | sed 's/^/   /'
      local f
      for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
        echo "   crash input: $f"
        echo "   reproduce:   $bin $f"
        echo "   minimise:    tests/fuzz/fuzz.sh minimize $t $f $B/artifacts/$t/minimized"
      done
    fi
  done
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "ocigate fuzz: FAILED: ${failed[*]} (logs and crash inputs under $B/)" >&2
    return 1
  fi
  echo "ocigate fuzz: no crash in: $*"
}

minimize() {
  local t=$1 crash=$2 out=$3
  # shellcheck disable=SC2046
  "$B/fuzz_$t" $(flags "$t") -minimize_crash=1 -runs=20000 -exact_artifact_path="$out" "$crash"
  echo "minimised: $out ($(wc -c <"$out") bytes)"
}

repro() {
  local t=$1
  shift
  # shellcheck disable=SC2046
  "$B/fuzz_$t" $(flags "$t") -runs=1 "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
  toolchain) toolchain "$@" ;;
  run) run "$@" ;;
  minimize) minimize "$@" ;;
  repro) repro "$@" ;;
  *)
    sed -n '2,7p' "$0" >&2
    exit 2
    ;;
esac
