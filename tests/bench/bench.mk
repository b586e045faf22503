# tests/bench/bench.mk: `make bench`, included by the top-level Makefile.
# A benchmark, not a test: it prints figures and ratios measured in one run
# and never fails on timing (see tests/bench/README.md).
#
#   make bench                  the full run (6-8 minutes on a shared 2-CPU VM)
#   make bench BENCH_QUICK=1    a smoke run with few repetitions
#   make bench RUNC_RUNS=200 HOOK_RUNS=2000 DOCKER_RUNS=100 ...   (see run.sh)

# Keep whatever default goal the including Makefile has.
_bench_default_goal := $(.DEFAULT_GOAL)

BENCH_OUT := build/bench
BENCH_CC ?= $(or $(CC),cc)
BENCH_CFLAGS := -std=gnu11 -O2 -Wall -Wextra
BENCH_JSONC_CFLAGS := $(shell pkg-config --cflags json-c 2>/dev/null)
BENCH_JSONC_LIBS := $(or $(shell pkg-config --libs json-c 2>/dev/null),-ljson-c)

.PHONY: bench

bench: build/ocigate $(BENCH_OUT)/bench $(BENCH_OUT)/noop_hook $(BENCH_OUT)/jsonc_parse $(BENCH_OUT)/jsonc_hook
	@BENCH_OUT=$(BENCH_OUT) tests/bench/run.sh

# The no-op hook is the floor of starting a process: static, so no dynamic
# loader.  Without static glibc (libc6-dev has it on Debian) it is built
# dynamic, which raises the floor; the run says which it got.
$(BENCH_OUT)/noop_hook: tests/bench/noop_hook.c | $(BENCH_OUT)
	@echo "  CC      $@ (static)"
	@if $(BENCH_CC) $(BENCH_CFLAGS) -static -o $@ $< 2>$@.err; then \
	  echo "static" >$@.linkage; \
	else \
	  echo "  static glibc is not available: $@ is linked dynamically (a higher floor)"; \
	  $(BENCH_CC) $(BENCH_CFLAGS) -o $@ $< && echo "dynamic (no static glibc)" >$@.linkage; \
	fi; rm -f $@.err

# The driver is static too when it can be: a child's ru_maxrss starts from
# the memory it was spawned from, the driver's.
$(BENCH_OUT)/bench: tests/bench/bench.c | $(BENCH_OUT)
	@echo "  CC      $@"
	@if $(BENCH_CC) $(BENCH_CFLAGS) -static -o $@ $< 2>$@.err; then \
	  echo "static" >$@.linkage; \
	else \
	  $(BENCH_CC) $(BENCH_CFLAGS) -o $@ $< && echo "dynamic (no static glibc)" >$@.linkage; \
	fi; rm -f $@.err

$(BENCH_OUT)/jsonc_parse: tests/bench/jsonc_parse.c | $(BENCH_OUT)
	@echo "  CC      $@"
	@$(BENCH_CC) $(BENCH_CFLAGS) $(BENCH_JSONC_CFLAGS) -o $@ $< $(BENCH_JSONC_LIBS)

# The floor of a json-c hook: linked as build/ocigate is (static-pie unless
# STATIC=0), with ocigate's heap_reserve().
$(BENCH_OUT)/jsonc_hook: tests/bench/jsonc_parse.c $(B)/libocigate.a | $(BENCH_OUT)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -DHOOK_FLOOR -Ihook -o $@ $< $(B)/libocigate.a $(ALL_LDFLAGS) $(OCIGATE_LINK) $(OCIGATE_LIBS)

$(BENCH_OUT):
	mkdir -p $@

.DEFAULT_GOAL := $(_bench_default_goal)
