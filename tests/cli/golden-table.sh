#!/usr/bin/env bash
# Prints the verdict of every fixture under every shipped policy, one line each:
#   FIXTURE POLICY DECISION RULE:ACTION[*COUNT]...
# golden.bats compares it with golden.txt, which states what each verdict
# must be.  After a deliberate change, regenerate and review every changed
# line before committing:  tests/cli/golden-table.sh >tests/cli/golden.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "# fixture policy decision findings (rule:action, *N when repeated)"
# ctr's configs are judged in the bundle containerd made for them
# (namespace "ocigate", generate.sh's): ctr leaves no trace in the config
# itself, and its cgroupsPath is /NAMESPACE/ID.
bundle_of() {
  case ${1##*/} in
    ctr-*) echo "/run/containerd/io.containerd.runtime.v2.task/ocigate/$(jq -r '.linux.cgroupsPath | split("/")[-1]' "$1")" ;;
    *) echo "" ;;
  esac
}
for policy in policies/*.json; do
  for fixture in tests/fixtures/*.json; do
    bundle=$(bundle_of "$fixture")
    build/ocigate check --format json -p "$policy" ${bundle:+--bundle "$bundle"} "$fixture" |
      jq -r --arg f "${fixture##*/}" --arg p "${policy##*/}" '
        ([.findings[] | "\(.rule):\(.action)"] | group_by(.)
         | map(if length > 1 then "\(.[0])*\(length)" else .[0] end) | join(" ")) as $f2
        | "\($f) \($p) \(.decision) \($f2)" | sub(" $"; "")' || true
  done
done
