# Tests: every test speaks TAP, so each assertion is counted.
#   tests/unit/*.c   engine tests in C
#   tests/lua/*.lua  API tests, run by the built shell
#   tests/term/*.sh  the real binary in a real terminal (tmux)
TEST_EXTENSIONS = .lua .sh
TAP_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_DRIVER = $(TAP_DRIVER)
LUA_LOG_DRIVER = $(TAP_DRIVER)
SH_LOG_DRIVER = $(TAP_DRIVER)
LUA_LOG_COMPILER = $(top_builddir)/src/relush
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	RELUSH='$(abs_top_builddir)/src/relush'; export RELUSH; \
	RELUSH_SRCDIR='$(abs_top_srcdir)'; export RELUSH_SRCDIR; \
	RELUSH_MODULE_DIR='$(abs_top_builddir)/src/lua/.libs'; export RELUSH_MODULE_DIR; \
	LUA_PATH='$(abs_top_srcdir)/tests/lua/lib/?.lua;;'; export LUA_PATH; \
	RELUSH_HISTORY=/dev/null; export RELUSH_HISTORY;

EXTRA_DIST += tests/local.mk tests/unit/tap.h tests/lua/lib/tap.lua tests/lua/lib/proc.lua

unit_ldadd = src/core/librelushcore.la -lm

# ---- C unit tests
check_PROGRAMS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c tests/unit/tap.h
tests_unit_test_core_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_core

check_PROGRAMS += tests/unit/test_remedies
tests_unit_test_remedies_SOURCES = tests/unit/test_remedies.c tests/unit/tap.h
tests_unit_test_remedies_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_remedies

check_PROGRAMS += tests/unit/test_rng
tests_unit_test_rng_SOURCES = tests/unit/test_rng.c tests/unit/tap.h
tests_unit_test_rng_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_rng

check_PROGRAMS += tests/unit/test_bounds
tests_unit_test_bounds_SOURCES = tests/unit/test_bounds.c tests/unit/tap.h
tests_unit_test_bounds_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_bounds

check_PROGRAMS += tests/unit/test_mc
tests_unit_test_mc_SOURCES = tests/unit/test_mc.c tests/unit/tap.h
tests_unit_test_mc_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_mc

check_PROGRAMS += tests/unit/test_shard
tests_unit_test_shard_SOURCES = tests/unit/test_shard.c tests/unit/tap.h
tests_unit_test_shard_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_shard

# ---- Lua API tests
LUA_TESTS = \
	tests/lua/net.lua \
	tests/lua/errors.lua \
	tests/lua/bounds.lua \
	tests/lua/mc.lua
LUA_TESTS += tests/lua/plot.lua tests/lua/paper.lua
LUA_TESTS += tests/lua/remedies.lua
LUA_TESTS += tests/lua/view.lua
LUA_TESTS += tests/lua/shell.lua tests/lua/help.lua
LUA_TESTS += tests/lua/shard.lua
LUA_TESTS += tests/lua/reliability.lua
EXTRA_DIST += tests/lua/lib/xmlcheck.lua
TESTS += $(LUA_TESTS)
EXTRA_DIST += $(LUA_TESTS)

# ---- terminal tests
TERM_TESTS =
TERM_TESTS += tests/term/view.sh
TERM_TESTS += tests/term/repl.sh tests/term/complete.sh tests/term/interrupt.sh \
	tests/term/history.sh tests/term/cli.sh
TERM_TESTS += tests/term/crash.sh
EXTRA_DIST += tests/term/lib.sh
TESTS += $(TERM_TESTS)
EXTRA_DIST += $(TERM_TESTS)

# ---- fuzzing: the API fuzzer (every function and method, random
# arguments) and the data-file parser under libFuzzer (needs clang; the
# script builds the harness and skips without clang)
FUZZ_TESTS = tests/fuzz/fuzz.lua
TESTS += $(FUZZ_TESTS) tests/fuzz/fuzz_load.sh
EXTRA_DIST += $(FUZZ_TESTS) tests/fuzz/fuzz_load.sh tests/fuzz/fuzz_load.c \
	tests/fuzz/load.dict tests/fuzz/corpus_load
CLEANFILES += tests/fuzz/fuzz_load
EXTRA_DIST += tests/lsan.supp

# ---- the suites a sanitizer build runs (scripts/bootstrap check builds
# one with --enable-sanitizers): the C unit tests, the Lua API tests and
# the API fuzzer; not the terminal tests (tmux timing) nor the libFuzzer
# harness (clang's sanitizers, not gcc's).
LIST_UNIT_TESTS = unit=; for t in $(TESTS); do case $$t in tests/unit/*) unit="$$unit $$t" ;; esac; done
check-sanitizers:
	@$(LIST_UNIT_TESTS); \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$unit $(LUA_TESTS) $(FUZZ_TESTS)"
.PHONY: check-sanitizers

# ---- the suites the portable build runs (scripts/bootstrap check builds
# one with --disable-simd, the code a CPU that is not x86 runs): the C unit
# tests and the Lua API tests, which hold the statistical checks.
check-portable:
	@$(LIST_UNIT_TESTS); \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$unit $(LUA_TESTS)"
.PHONY: check-portable
