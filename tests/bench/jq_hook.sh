#!/bin/sh
# jq_hook.sh: checks.jq as a prestart hook, the way a person would wire it:
# the bundle from the OCI state on stdin, then the checks on its config.json.
# runc gives hooks an empty environment, hence the absolute paths.
bundle=$(/usr/bin/jq -r .bundle) || exit 1
exec /usr/bin/jq -f "${0%/*}/checks.jq" "$bundle/config.json"
