# A config the wrapper runtime handed on, less the verification hook it
# puts first in hooks.createRuntime; an error when that hook is not there.
# Use: jq -L tests/lib 'include "unverified"; unverified' FILE
def unverified:
  (if (.hooks.createRuntime[0].args // [])[0:5] == ["ocigate", "hook", "--stage", "createRuntime", "--verify"]
   then .hooks.createRuntime |= .[1:] else error("no verification hook") end)
  | (if .hooks.createRuntime == [] then del(.hooks.createRuntime) else . end)
  | (if .hooks == {} then del(.hooks) else . end);
