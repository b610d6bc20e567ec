# properties_single.sh: the class tests of tests/lua/properties.lua (every
# method on every class of input set) again in single precision.
RELUSH_PRECISION=single exec "$RELUSH" "$RELUSH_SRCDIR/tests/lua/properties.lua"
