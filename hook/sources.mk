# The source list, by layer; included by the Makefile and by the lint and
# fuzz makefiles, so all three build the same files.  A layer may include
# its own headers and those of the layers after it in this list, never of
# one before it (tests/lint/layers.sh checks):
#   cli -> gate -> rules -> core -> base
OCIGATE_LAYERS := cli gate rules core base

SRC_BASE := $(sort $(wildcard hook/base/*.c))
SRC_CORE := $(sort $(wildcard hook/core/*.c))
SRC_RULES := $(sort $(wildcard hook/rules/*.c hook/rules/seccomp/*.c))
SRC_GATE := $(sort $(wildcard hook/gate/*.c))
SRC_CLI := $(sort $(wildcard hook/cli/*.c))

# Everything but main(): libocigate.a, which the unit tests, the fuzzers
# and the bench link (they test the runtime argv parser and the front
# ends too).
CLI_SRCS := hook/cli/main.c
LIB_SRCS := $(SRC_BASE) $(SRC_CORE) $(SRC_RULES) $(SRC_GATE) $(filter-out $(CLI_SRCS),$(SRC_CLI))
# The embedded default policy, assembled in.
DEFAULT_POLICY_SRC := hook/gate/default_policy.S
ALL_SRCS := $(LIB_SRCS) $(CLI_SRCS)
ALL_HDRS := $(sort $(wildcard hook/*/*.h hook/rules/seccomp/*.h))
