# libFuzzer targets for ocigate; included by the Makefile.  See tests/fuzz/README.md.
#   make fuzz-build                     build build/fuzz/fuzz_{config,policy,state,runc_args,containerd_toml,decision_log}
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="config policy state runc_args containerd_toml decision_log"]
#                                       build, then run each target in turn; fails on any crash
# The library sources are compiled again here with clang and the fuzzer's
# instrumentation (build/libocigate.a is gcc's, without it).

# Included anywhere in the Makefile, this file leaves its default goal alone.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config policy state runc_args containerd_toml runstate decision_log
FUZZ_B := build/fuzz

FUZZ_PKG_CFLAGS := $(shell pkg-config --cflags json-c libcap libseccomp 2>/dev/null)
FUZZ_PKG_LIBS := $(shell pkg-config --libs json-c libcap libseccomp 2>/dev/null)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wall -Wextra -Ihook $(FUZZ_PKG_CFLAGS)
FUZZ_LDFLAGS := $(FUZZ_SAN) -fsanitize=fuzzer

FUZZ_LIB_SRCS := $(LIB_SRCS)
FUZZ_LIB_OBJS := $(patsubst hook/%.c,$(FUZZ_B)/obj/%.o,$(FUZZ_LIB_SRCS)) $(FUZZ_B)/obj/default_policy.o
FUZZ_BINS := $(patsubst %,$(FUZZ_B)/fuzz_%,config policy state runc_args containerd_toml runstate decision_log)
FUZZ_TOOLCHAIN := $(FUZZ_B)/toolchain.ok
# Objects made by pattern rules are kept, so a rebuild recompiles only what changed.
.SECONDARY: $(FUZZ_LIB_OBJS) $(patsubst %,$(FUZZ_B)/obj/fuzz_%.o,config policy state runc_args containerd_toml runstate decision_log)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Says which Debian package to install when clang or its fuzzer runtime is missing.
$(FUZZ_TOOLCHAIN): tests/fuzz/fuzz.sh | $(FUZZ_B)/obj
	@tests/fuzz/fuzz.sh toolchain $(FUZZ_CC) $@

$(FUZZ_B)/obj/%.o: hook/%.c | $(FUZZ_TOOLCHAIN)
	@echo "  FUZZCC  $<"
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_B)/obj/default_policy.o: $(DEFAULT_POLICY_SRC) policies/default.json | $(FUZZ_TOOLCHAIN)
	@echo "  FUZZAS  $<"
	@$(FUZZ_CC) $(DEFAULT_POLICY_ASFLAGS) -c -o $@ $<

# The shipped policies, compiled into fuzz_config.
$(FUZZ_B)/gen/fuzz_policies.h: tests/fuzz/embed.sh $(wildcard policies/*.json) | $(FUZZ_B)/gen
	@echo "  GEN     $@"
	@tests/fuzz/embed.sh $@ $(wildcard policies/*.json)

$(FUZZ_B)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_B)/gen/fuzz_policies.h | $(FUZZ_TOOLCHAIN)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -I$(FUZZ_B)/gen -MMD -MP -c -o $@ $<

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/fuzz_%.o $(FUZZ_LIB_OBJS)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(FUZZ_PKG_LIBS)

$(FUZZ_B)/obj $(FUZZ_B)/gen:
	@mkdir -p $@

-include $(patsubst %.o,%.d,$(FUZZ_LIB_OBJS))

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
