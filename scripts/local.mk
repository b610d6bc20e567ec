# Scripts shipped in the tarball.
EXTRA_DIST += scripts/local.mk
EXTRA_DIST += scripts/bench/rng_bench.c
