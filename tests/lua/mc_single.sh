# mc_single.sh: tests/lua/mc.lua again with single precision as the default.
RELUSH_PRECISION=single exec "$RELUSH" "$RELUSH_SRCDIR/tests/lua/mc.lua"
