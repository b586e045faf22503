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
# build/ocigate is static-pie: a hook starts on every container start, and
# the dynamic loader would cost more than the judging (see README.md,
# Performance).  Still PIE with full RELRO.  STATIC=0 links it dynamically;
# sanitizer builds always are.
STATIC ?= 1
ifeq ($(SANITIZE),1)
STATIC := 0
endif
ifeq ($(STATIC),1)
OCIGATE_LINK := -static-pie
OCIGATE_LIBS := $(shell pkg-config --libs --static $(PKGS) 2>/dev/null)
else
OCIGATE_LINK :=
OCIGATE_LIBS := $(PKG_LIBS)
endif
ALL_CFLAGS := -std=gnu11 -Ihook $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) -DOCIGATE_VERSION='"$(VERSION)"' $(CFLAGS)
ALL_LDFLAGS := $(HARDEN_LD) $(LDFLAGS)

B := build
include hook/sources.mk
CLI_OBJS := $(patsubst hook/%.c,$(B)/obj/%.o,$(CLI_SRCS))
LIB_OBJS := $(patsubst hook/%.c,$(B)/obj/%.o,$(LIB_SRCS)) $(B)/obj/default_policy.o
DEPS := $(patsubst %.o,%.d,$(LIB_OBJS) $(CLI_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

.PHONY: all demo check check-e2e unit cli deps-build deps-unit deps-cli deps-test clean install uninstall format format-check
all: $(B)/ocigate $(B)/ocigate-runc $(B)/ocigate-crun

# One binary; the name it runs under picks the wrapper.
$(B)/ocigate-runc $(B)/ocigate-crun: $(B)/ocigate
	@ln -sf ocigate $@

# Objects are rebuilt when the flags change (SANITIZE=1, STATIC=0, CFLAGS=...),
# so one build directory never mixes builds.
FLAGS_STAMP := $(B)/obj/flags
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(OCIGATE_LINK)
$(FLAGS_STAMP): FORCE | $(B)/obj
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then echo '$(FLAGS_NOW)' >$@; fi
.PHONY: FORCE
FORCE:

$(B)/obj/%.o: hook/%.c $(FLAGS_STAMP) | $(B)/obj
	@echo "  CC      $<"
	@mkdir -p $(@D)
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The embedded default policy is the file itself, assembled in, with its
# SHA-256 (without one, ocigate computes it at each start).
DEFAULT_POLICY_ASFLAGS = -DOCIGATE_DEFAULT_POLICY_FILE='"policies/default.json"' \
  -DOCIGATE_DEFAULT_POLICY_SHA256='"$(shell sha256sum policies/default.json | cut -d' ' -f1)"'
$(B)/obj/default_policy.o: $(DEFAULT_POLICY_SRC) policies/default.json $(FLAGS_STAMP) | $(B)/obj
	@echo "  AS      $<"
	@$(CC) $(DEFAULT_POLICY_ASFLAGS) -c -o $@ $<

# Remade when the source list changes too: a file moved into the library
# is an object older than the archive.
$(B)/libocigate.a: $(LIB_OBJS) hook/sources.mk
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $(LIB_OBJS)

$(B)/ocigate: $(CLI_OBJS) $(B)/libocigate.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(OCIGATE_LINK) $(OCIGATE_LIBS)

# The same objects linked dynamically, for valgrind: memcheck cannot watch
# the allocator of a static binary.  The tests run it where they run
# build/ocigate under memcheck.
DYN := $(B)/dynamic
$(DYN)/ocigate: $(CLI_OBJS) $(B)/libocigate.a | $(DYN)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

$(DYN)/ocigate-runc $(DYN)/ocigate-crun: $(DYN)/ocigate
	@ln -sf ocigate $@

$(DYN):
	mkdir -p $@

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libocigate.a $(FLAGS_STAMP) | $(B)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Ihook -o $@ $< $(B)/libocigate.a $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

# The differential test (tests/cli/differential.bats): ocigate's reading of
# a config and runc's, the runtime-spec Go types built from Debian's
# golang-github-opencontainers-specs-dev, offline: no module is fetched.
DIFF_BINS := $(B)/tests/ocigate_view $(B)/tests/runc_view
$(B)/tests/ocigate_view: tests/diff/ocigate_view.c $(B)/libocigate.a $(FLAGS_STAMP) | $(B)/tests
	$(CC) $(ALL_CFLAGS) -Ihook -o $@ $< $(B)/libocigate.a $(ALL_LDFLAGS) $(PKG_LIBS)

$(B)/tests/runc_view: tests/diff/runc_view.go | $(B)/tests
	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOCACHE=$(CURDIR)/$(B)/go-cache \
	  go build -o $@ $<

$(B)/obj $(B)/tests:
	mkdir -p $@

-include $(DEPS)
include tests/fuzz/fuzz.mk
include tests/lint/lint.mk

deps-build:
	@tests/deps.sh build

deps-unit:
	@tests/deps.sh unit

deps-cli:
	@tests/deps.sh cli

deps-test:
	@tests/deps.sh test

demo: deps-build
	$(MAKE) all
	tests/demo.sh

# The quick inner loop: no container engine needed.  make unit runs the
# cmocka suites, make cli the command-line suites; make check-e2e the
# engines' suites; make check all of them, with one count at the end.
unit: deps-build deps-unit
	$(MAKE) $(UNIT_BINS)
	tests/run.sh --suites unit $(UNIT_BINS)

cli: deps-build deps-cli
	$(MAKE) all $(DYN)/ocigate $(DYN)/ocigate-runc $(DYN)/ocigate-crun $(DIFF_BINS)
	tests/run.sh --suites cli

check-e2e: deps-build deps-test
	$(MAKE) all $(DYN)/ocigate $(DYN)/ocigate-runc $(DYN)/ocigate-crun
	tests/run.sh --suites e2e

check: deps-build deps-test
	$(MAKE) all $(UNIT_BINS) $(DYN)/ocigate $(DYN)/ocigate-runc $(DYN)/ocigate-crun $(DIFF_BINS)
	tests/run.sh $(UNIT_BINS)

FORMAT_SRCS = $(ALL_SRCS) $(ALL_HDRS) $(wildcard tests/unit/*.c tests/unit/*.h tests/diff/*.c)
format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS)

SYSCONFDIR ?= /etc
HOOKSDIR ?= /usr/share/containers/oci/hooks.d
BINDIR := $(PREFIX)/bin
DATADIR := $(PREFIX)/share/ocigate
MANDIR := $(PREFIX)/share/man
MANPAGES := $(B)/man/ocigate.1 $(B)/man/ocigate-policy.5

$(B)/man/%: docs/%.md | $(B)/man
	go-md2man -in $< -out $@

$(B)/man:
	mkdir -p $@

install: all $(MANPAGES)
	install -D -m 0755 $(B)/ocigate $(DESTDIR)$(BINDIR)/ocigate
	ln -sf ocigate $(DESTDIR)$(BINDIR)/ocigate-runc
	ln -sf ocigate $(DESTDIR)$(BINDIR)/ocigate-crun
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/ocigate
	# an administrator's policy is never overwritten
	[ -e $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json ] || \
	  install -m 0644 policies/default.json $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json
	install -d -m 0755 $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(DATADIR)/schema
	install -m 0644 policies/*.json $(DESTDIR)$(DATADIR)/policies/
	install -m 0644 schema/policy.schema.json $(DESTDIR)$(DATADIR)/schema/
	# the hooks.d files name the binary where this install puts it; they go
	# beside the policies, not into HOOKSDIR: installing enables nothing
	# (ocigate setup, or an administrator, puts ocigate in front of an engine)
	install -d -m 0755 $(DESTDIR)$(DATADIR)/hooks.d
	for f in hook/hooks.d/*.json; do \
	  sed 's|/usr/local/bin/ocigate|$(BINDIR)/ocigate|g' $$f >$(DESTDIR)$(DATADIR)/hooks.d/$${f##*/} && \
	  chmod 0644 $(DESTDIR)$(DATADIR)/hooks.d/$${f##*/} || exit 1; \
	done
	install -D -m 0644 $(B)/man/ocigate.1 $(DESTDIR)$(MANDIR)/man1/ocigate.1
	install -D -m 0644 $(B)/man/ocigate-policy.5 $(DESTDIR)$(MANDIR)/man5/ocigate-policy.5

# Everything install puts there but the policy in SYSCONFDIR, which an
# administrator may have edited: it stays, and is named.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ocigate $(DESTDIR)$(BINDIR)/ocigate-runc $(DESTDIR)$(BINDIR)/ocigate-crun
	rm -rf $(DESTDIR)$(DATADIR)
	# hooks.d files an earlier install (or an administrator) put in HOOKSDIR
	# name the binary removed above: left there, they would fail every container
	rm -f $(DESTDIR)$(HOOKSDIR)/ocigate-precreate.json $(DESTDIR)$(HOOKSDIR)/ocigate-prestart.json
	rm -f $(DESTDIR)$(MANDIR)/man1/ocigate.1 $(DESTDIR)$(MANDIR)/man5/ocigate-policy.5
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json (the policy in force; remove it by hand)"; fi

# The installer image of deploy/kubernetes/ (README there): an OCI image
# archive of build/ocigate, for `ctr -n k8s.io images import`.
INSTALLER_IMAGE := docker.io/library/ocigate-installer:$(VERSION)
.PHONY: image
image: $(B)/ocigate
	deploy/kubernetes/build-image.sh $(B)/ocigate $(B)/ocigate-installer.tar $(INSTALLER_IMAGE)

clean:
	rm -rf $(B)
include tests/bench/bench.mk
