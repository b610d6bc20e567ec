# bound_values.sh: runs bound_values.py (the values of bound.lower, death, log_lower,
# upper, union, sandwich and whole_space against Python decimal) with the built
# shell; python3 is in bootstrap's check list.
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (scripts/bootstrap check installs it)"
	exit 0
fi
exec python3 "$RELUSH_SRCDIR/tests/py/bound_values.py" "$RELUSH"
