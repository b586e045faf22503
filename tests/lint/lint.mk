# tests/lint/lint.mk: `make lint`, included by the top-level Makefile.
#
#   make lint            all of the below; fails on any finding
#   make lint-format     clang-format --dry-run (the Makefile's format-check)
#   make lint-banned     no sprintf/vsprintf/strcpy/strcat in the C sources
#   make lint-cppcheck   cppcheck over the sources (hook/sources.mk)
#   make lint-tidy       clang-tidy over the sources, LINT_JOBS files at a time
#   make lint-layers     no file includes a header of a layer above its own
#
# Configuration: .clang-format and .clang-tidy at the top, cppcheck's in
# tests/lint/ (ocigate.cfg models what cppcheck cannot read, suppressions
# lists what it cannot understand).  Suppress a false positive on its line:
# `// NOLINT(check): why` or `// cppcheck-suppress id ; why` above it.

# Included anywhere in the Makefile, this file leaves its default goal alone.
LINT_SAVED_GOAL := $(.DEFAULT_GOAL)

CLANG_TIDY ?= clang-tidy
CPPCHECK ?= cppcheck
LINT_JOBS ?= 2

LINT_B := build/lint
LINT_SRCS := $(ALL_SRCS)
LINT_BANNED_SRCS := $(ALL_SRCS) $(ALL_HDRS) $(wildcard tests/unit/*.[ch] tests/fuzz/*.[ch] tests/bench/*.[ch] tests/diff/*.[ch])

# cppcheck reads the project's headers, not the system's: std, posix and gnu
# .cfg files model libc, and tests/lint/ocigate.cfg the json-c macros.
LINT_CPPCHECK_FLAGS := --enable=warning,performance,portability --error-exitcode=1 --inline-suppr --std=c11 -q \
  --library=posix --library=gnu --library=tests/lint/ocigate.cfg \
  --suppressions-list=tests/lint/cppcheck-suppressions.txt \
  -Ihook $(filter -D%,$(filter-out -D_FORTIFY_SOURCE%,$(ALL_CFLAGS)))

# clang-tidy compiles each file as the build does, except _FORTIFY_SOURCE
# (left out as SANITIZE=1 does): the checks should see the libc calls, not
# glibc's fortified wrappers.  The flags are gcc's: clang ignores the warning
# options it does not know rather than failing on them.
LINT_TIDY_CFLAGS := $(filter-out -D_FORTIFY_SOURCE%,$(ALL_CFLAGS)) -Wno-unknown-warning-option
LINT_COMPDB := $(LINT_B)/compile_commands.json
lint_comma := ,
define lint_nl


endef
lint_json = $(subst ",\",$(subst \,\\,$(1)))
lint_compdb_entry = {"directory": "$(call lint_json,$(CURDIR))", "file": "$(1)", \
  "command": "$(call lint_json,$(CC) $(LINT_TIDY_CFLAGS) -c -o /dev/null $(1))"}

# $(call lint_need,PROGRAM,DEBIAN-PACKAGE)
lint_need = command -v $(1) >/dev/null 2>&1 || \
  { echo "  LINT    $(1) not found: install the Debian package $(2) (apt-get install $(2))" >&2; exit 1; }

.PHONY: lint lint-format lint-banned lint-cppcheck lint-tidy lint-layers

# Every tool runs (-k) so one run shows every finding; any finding fails.
lint:
	@$(MAKE) --no-print-directory -k lint-format lint-banned lint-layers lint-cppcheck lint-tidy || \
	  { echo "  LINT    failed: see the findings above"; exit 1; }
	@echo "  LINT    clean"

lint-format:
	@$(call lint_need,clang-format,clang-format)
	@$(MAKE) --no-print-directory format-check || \
	  { echo "  FORMAT  clang-format: files differ from .clang-format (make format, or clang-format -i FILE)"; exit 1; }
	@echo "  FORMAT  clang-format: clean"

# The unbounded string writers; use snprintf, xasprintf or strbuf instead.
lint_banned_re := (^|[^[:alnum:]_])(v?sprintf|strcpy|strcat)[[:space:]]*\(
lint-banned:
	@if grep -nE '$(lint_banned_re)' $(LINT_BANNED_SRCS); then \
	  echo "  BANNED  sprintf/vsprintf/strcpy/strcat found above: use snprintf, xasprintf or strbuf"; exit 1; \
	fi
	@echo "  BANNED  sprintf/vsprintf/strcpy/strcat: none, clean"

lint-layers:
	@tests/lint/layers.sh || { echo "  LAYERS  an include reaches up a layer (hook/sources.mk)"; exit 1; }
	@echo "  LAYERS  cli -> gate -> rules -> core -> base: clean"

lint-cppcheck:
	@$(call lint_need,$(CPPCHECK),cppcheck)
	@$(CPPCHECK) $(LINT_CPPCHECK_FLAGS) $(LINT_SRCS) 2>&1 || \
	  { echo "  CPPCHECK cppcheck: findings above"; exit 1; }
	@echo "  CPPCHECK cppcheck, $(words $(LINT_SRCS)) files: clean"

# One clang-tidy per file, LINT_JOBS at a time; a file's findings are printed
# together once it is done.
lint-tidy: | $(LINT_B)
	@$(call lint_need,$(CLANG_TIDY),clang-tidy)
	$(file >$(LINT_COMPDB),[$(foreach s,$(LINT_SRCS),$(lint_nl)$(call lint_compdb_entry,$(s))$(if $(filter-out $(lastword $(LINT_SRCS)),$(s)),$(lint_comma)))$(lint_nl)])
	@rm -f $(LINT_B)/tidy-*.log
	@printf '%s\n' $(LINT_SRCS) | xargs -P $(LINT_JOBS) -n 1 sh -c \
	  'log=$(LINT_B)/tidy-$$(echo "$${1#hook/}" | tr / -).log; \
	   $(CLANG_TIDY) --quiet -p $(LINT_B) "$$1" >"$$log" 2>&1 || { cat "$$log"; echo "  TIDY    $$1: findings above"; exit 1; }' sh || \
	  { echo "  TIDY    clang-tidy: findings above"; exit 1; }
	@echo "  TIDY    clang-tidy, $(words $(LINT_SRCS)) files: clean"

$(LINT_B):
	@mkdir -p $@

.DEFAULT_GOAL := $(LINT_SAVED_GOAL)
