# Scripts shipped in the tarball.
EXTRA_DIST += scripts/local.mk
