# bound_search.sh: runs bound_search.py (exact checks of bound.depth_for and
# bound.width_for) with the built shell; python3 is in bootstrap's check list.
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (scripts/bootstrap check installs it)"
	exit 0
fi
exec python3 "$RELUSH_SRCDIR/tests/py/bound_search.py" "$RELUSH"
