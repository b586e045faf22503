# ocigate — a least-privilege gate for OCI containers.
# `make` builds build/ocigate; `make demo` and `make check` set up a fresh
# Debian machine first (see README.md).

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= cc
PKGS := json-c libcap libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow -Wpointer-arith -Wcast-qual \
        -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wnull-dereference -Wimplicit-fallthrough \
        -Werror=implicit-function-declaration -Werror=return-type -Werror=incompatible-pointer-types
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE \
          -fno-strict-overflow -fno-delete-null-pointer-checks
HARDEN_LD := -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -Wl,--as-needed

OPT ?= -O2 -g
CFLAGS ?=
LDFLAGS ?=
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN := $(filter-out -D_FORTIFY_SOURCE=2,$(HARDEN))
HARDEN_LD += -fsanitize=address,undefined
endif
ALL_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) -DOCIGATE_VERSION='"$(VERSION)"' $(CFLAGS)
ALL_LDFLAGS := $(HARDEN_LD) $(LDFLAGS)

B := build
LIB_SRCS := $(filter-out hook/main.c,$(wildcard hook/*.c))
LIB_OBJS := $(patsubst hook/%.c,$(B)/obj/%.o,$(LIB_SRCS)) $(B)/obj/default_policy.o
DEPS := $(patsubst %.o,%.d,$(LIB_OBJS)) $(B)/obj/main.d

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

.PHONY: all demo check unit cli deps-build deps-test clean install format format-check
all: $(B)/ocigate

$(B)/obj/%.o: hook/%.c | $(B)/obj
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The embedded default policy is the file itself, assembled in.
$(B)/obj/default_policy.o: hook/default_policy.S policies/default.json | $(B)/obj
	@echo "  AS      $<"
	@$(CC) -DOCIGATE_DEFAULT_POLICY_FILE='"policies/default.json"' -c -o $@ $<

$(B)/libocigate.a: $(LIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(B)/ocigate: $(B)/obj/main.o $(B)/libocigate.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libocigate.a | $(B)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Ihook -o $@ $< $(B)/libocigate.a $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

$(B)/obj $(B)/tests:
	mkdir -p $@

-include $(DEPS)

deps-build:
	@tests/deps.sh build

deps-test:
	@tests/deps.sh test

demo: deps-build
	$(MAKE) $(B)/ocigate
	tests/demo.sh

check: deps-build deps-test
	$(MAKE) $(B)/ocigate $(UNIT_BINS)
	tests/run.sh $(UNIT_BINS)

format:
	clang-format -i hook/*.c hook/*.h tests/unit/*.c tests/unit/*.h

format-check:
	clang-format --dry-run --Werror hook/*.c hook/*.h tests/unit/*.c tests/unit/*.h

install: $(B)/ocigate
	install -D -m 0755 $(B)/ocigate $(DESTDIR)$(PREFIX)/bin/ocigate

clean:
	rm -rf $(B)
