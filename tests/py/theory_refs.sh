# theory_refs.sh: runs theory_refs.py (every cited doc/theory.md section
# exists; nothing cites the notes); python3 is in bootstrap's check list.
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (scripts/bootstrap check installs it)"
	exit 0
fi
exec python3 "$RELUSH_SRCDIR/tests/py/theory_refs.py" "$RELUSH_SRCDIR"
