# Scripts shipped in the tarball.
EXTRA_DIST += scripts/local.mk
EXTRA_DIST += scripts/cluster/slurm.sh scripts/cluster/parallel.sh
EXTRA_DIST += scripts/bench/rng_bench.c
EXTRA_DIST += scripts/bench/run scripts/bench/bench.py scripts/bench/numpy_ref.py \
	scripts/bench/mc_bench.lua scripts/bench/limits.c \
	scripts/bench/torch_ref.py scripts/bench/refcli.py scripts/bench/precision.py
EXTRA_DIST += scripts/paper/flip.lua scripts/paper/architectures.lua scripts/paper/alignment.lua

# ---- make paper: every experiment of scripts/paper, run with the built
# shell. `make paper` runs them in full; `make paper QUICK=1` (or `make
# paper-quick`) with --quick. Each writes NAME.csv and NAME.svg into
# $(PAPER_OUT), prints its figure, table and PASS/FAIL checks; the target
# fails when a check fails, so it is also a test of the paper's claims.
PAPER_EXPERIMENTS = depth width_for_depth shrink single_layer flip architectures alignment
PAPER_OUT = results
EXTRA_DIST += scripts/paper/common.lua scripts/paper/depth.lua \
	scripts/paper/width_for_depth.lua scripts/paper/shrink.lua \
	scripts/paper/single_layer.lua doc/depth.svg

paper: src/relush$(EXEEXT)
	@case "$(QUICK)" in ""|0|no) quick= ;; *) quick=--quick ;; esac; \
	failed=; summary=; all_start=$$(date +%s); \
	for s in $(PAPER_EXPERIMENTS); do \
	  start=$$(date +%s); \
	  if $(top_builddir)/src/relush $(top_srcdir)/scripts/paper/$$s.lua $$quick --out '$(PAPER_OUT)'; \
	  then status=ok; else status=FAILED; failed="$$failed $$s"; fi; \
	  summary="$$summary $$s $$status $$(( $$(date +%s) - start ))s;"; \
	  echo; \
	done; \
	echo "paper$${quick:+ (quick)}:$$summary"; \
	echo "paper$${quick:+ (quick)}: $$(( $$(date +%s) - all_start )) s in all; CSV and SVG files in $(PAPER_OUT)/"; \
	if test -n "$$failed"; then echo "paper: FAILED:$$failed" >&2; exit 1; fi

paper-quick:
	$(MAKE) $(AM_MAKEFLAGS) paper QUICK=1

.PHONY: paper paper-quick
EXTRA_DIST += scripts/bench/view_overhead.sh

# The guided demonstrations (demo "name") and the paper scripts (paper
# "name"), installed where the shell looks for them.
demodir = $(pkgdatadir)/demo
dist_demo_DATA = scripts/demo/depth.lua scripts/demo/width.lua scripts/demo/shrink.lua \
	scripts/demo/single_layer.lua scripts/demo/flip.lua scripts/demo/architectures.lua \
	scripts/demo/alignment.lua scripts/demo/trainability.lua
paperdir = $(pkgdatadir)/paper
paper_DATA = scripts/paper/common.lua scripts/paper/depth.lua scripts/paper/width_for_depth.lua \
	scripts/paper/shrink.lua scripts/paper/single_layer.lua scripts/paper/flip.lua \
	scripts/paper/architectures.lua scripts/paper/alignment.lua
