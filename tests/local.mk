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
	RELUSH_PEAK_RSS='$(abs_top_builddir)/tests/unit/peak_rss'; export RELUSH_PEAK_RSS; \
	LUA_PATH='$(abs_top_srcdir)/tests/lua/lib/?.lua;;'; export LUA_PATH; \
	RELUSH_HISTORY=/dev/null; export RELUSH_HISTORY;

# the sanitizers' own memory (shadow, quarantine) makes peak RSS figures
# meaningless there: tests/lua/budget.lua skips those checks in that build
if SANITIZERS
AM_TESTS_ENVIRONMENT += SANITIZED_BUILD=1; export SANITIZED_BUILD;
endif

EXTRA_DIST += tests/local.mk tests/unit/tap.h tests/lua/lib/tap.lua tests/lua/lib/proc.lua

# ---- C unit tests: tests/unit/NAME.c each, linked with the engine
# (automake's default sources and LDADD)
UNIT_TESTS = \
	tests/unit/test_core \
	tests/unit/test_remedies \
	tests/unit/test_rng \
	tests/unit/test_bounds \
	tests/unit/test_mc \
	tests/unit/test_shard \
	tests/unit/test_npy \
	tests/unit/test_pause \
	tests/unit/test_train \
	tests/unit/test_render \
	tests/unit/test_probtext
LDADD = src/core/librelushcore.la -lm
# the live view's renderer, without a terminal
tests_unit_test_render_LDADD = src/view/librelushview.la $(LDADD)
# probabilities near 0 and 1: the core rule and the view's formatters
tests_unit_test_probtext_LDADD = src/view/librelushview.la $(LDADD)
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
# a helper the memory-budget tests (tests/lua/budget.lua) run commands under
check_PROGRAMS += tests/unit/peak_rss
tests_unit_peak_rss_LDADD =

# ---- Lua API tests
LUA_TESTS = \
	tests/lua/net.lua \
	tests/lua/errors.lua \
	tests/lua/bounds.lua \
	tests/lua/mc.lua
LUA_TESTS += tests/lua/plot.lua tests/lua/paper.lua
LUA_TESTS += tests/lua/remedies.lua
LUA_TESTS += tests/lua/reports.lua
LUA_TESTS += tests/lua/view.lua
LUA_TESTS += tests/lua/shell.lua tests/lua/help.lua tests/lua/api.lua tests/lua/examples.lua tests/lua/readme.lua
LUA_TESTS += tests/lua/shard.lua
LUA_TESTS += tests/lua/properties.lua tests/lua/differential.lua tests/lua/loaded_scale.lua
LUA_TESTS += tests/lua/reliability.lua
LUA_TESTS += tests/lua/numpy.lua
LUA_TESTS += tests/lua/precision.lua
# the API and class tests again with RELUSH_PRECISION=single
SINGLE_TESTS = tests/lua/mc_single.sh tests/lua/properties_single.sh
TESTS += $(SINGLE_TESTS)
EXTRA_DIST += $(SINGLE_TESTS)
EXTRA_DIST += tests/lua/lib/numpy_fixtures.py
LUA_TESTS += tests/lua/train.lua tests/lua/sweep.lua tests/lua/demo.lua tests/lua/demo_claims.lua
LUA_TESTS += tests/lua/files.lua tests/lua/hostile.lua tests/lua/budget.lua tests/lua/counts.lua
LUA_TESTS += tests/lua/ownership.lua
LUA_TESTS += tests/lua/prob_print.lua
EXTRA_DIST += tests/lua/lib/xmlcheck.lua
TESTS += $(LUA_TESTS)
EXTRA_DIST += $(LUA_TESTS)

# ---- packaging: the Lua module's exported symbols and install folder, and
# the LuaRocks package (luarocks make into a temporary tree)
PKG_TESTS = tests/pkg/symbols.sh tests/pkg/luarocks.sh
TESTS += $(PKG_TESTS)
EXTRA_DIST += $(PKG_TESTS)

# ---- the layers: a grep of the includes, and nm of the layers' archives
# (doc/architecture.md)
TESTS += tests/layers/includes.sh tests/layers/symbols.sh
EXTRA_DIST += tests/layers/includes.sh tests/layers/symbols.sh

# ---- terminal tests
TERM_TESTS =
TERM_TESTS += tests/term/view.sh
TERM_TESTS += tests/term/repl.sh tests/term/complete.sh tests/term/interrupt.sh \
	tests/term/history.sh tests/term/cli.sh tests/term/print_width.sh
TERM_TESTS += tests/term/crash.sh
TERM_TESTS += tests/term/demo.sh
TERM_TESTS += tests/term/early_interrupt.sh
TERM_TESTS += tests/term/sweep_view.sh
TERM_TESTS += tests/term/view_numbers.sh
EXTRA_DIST += tests/term/lib.sh
TESTS += $(TERM_TESTS)
EXTRA_DIST += $(TERM_TESTS)

# ---- cluster tests: scripts/cluster/slurm.sh on a private one-node Slurm
# and scripts/cluster/parallel.sh with GNU parallel (each skips, saying
# why, without the packages; scripts/bootstrap check installs them)
CLUSTER_TESTS = tests/cluster/slurm.sh tests/cluster/parallel.sh
TESTS += $(CLUSTER_TESTS)
EXTRA_DIST += $(CLUSTER_TESTS) tests/cluster/lib.sh tests/cluster/exp.lua tests/cluster/compare.lua \
	tests/lua/lib/results.lua

# ---- fuzzing: the API fuzzer (every function and method, random
# arguments) and the data-file parser under libFuzzer (needs clang; the
# script builds the harness and skips without clang)
FUZZ_TESTS = tests/fuzz/fuzz.lua
TESTS += $(FUZZ_TESTS) tests/fuzz/fuzz_load.sh
EXTRA_DIST += $(FUZZ_TESTS) tests/fuzz/fuzz_load.sh tests/fuzz/fuzz_load.c \
	tests/fuzz/load.dict tests/fuzz/corpus_load
CLEANFILES += tests/fuzz/fuzz_load
EXTRA_DIST += tests/lsan.supp

# ---- exact checks in Python (fractions, decimal) against the built shell
TESTS += tests/py/bound_search.sh tests/py/bound_values.sh tests/py/theory_refs.sh
EXTRA_DIST += tests/py/bound_search.sh tests/py/bound_search.py \
	tests/py/bound_values.sh tests/py/bound_values.py \
	tests/py/theory_refs.sh tests/py/theory_refs.py tests/py/tap.py

# ---- the suites a sanitizer build runs (scripts/bootstrap check builds
# one with --enable-sanitizers): the C unit tests, the Lua API tests and
# the API fuzzer; not the terminal tests (tmux timing) nor the libFuzzer
# harness (clang's sanitizers, not gcc's).
check-sanitizers:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$(UNIT_TESTS) $(LUA_TESTS) $(FUZZ_TESTS)"
.PHONY: check-sanitizers

# ---- the suites the portable build runs (scripts/bootstrap check builds
# one with --disable-simd, the code a CPU that is not x86 runs): the C unit
# tests and the Lua API tests, which hold the statistical checks.
check-portable:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$(UNIT_TESTS) $(LUA_TESTS)"
.PHONY: check-portable
