#!/bin/sh
# tests/cluster/parallel.sh: scripts/cluster/parallel.sh with the real GNU
# parallel: 4 shards that merge into the unsharded run count for count,
# the -S path (":" is this machine, no ssh needed), a failing shard that
# stops the run with a non-zero status and is re-run alone by hand, and
# the xargs fallback when GNU parallel is not on the PATH. Skips, saying
# why, where GNU parallel is not installed.
. "$RELUSH_SRCDIR/tests/cluster/lib.sh"
if ! command -v parallel >/dev/null 2>&1 || ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	echo "1..0 # SKIP GNU parallel is not installed (Debian: apt-get install parallel; scripts/bootstrap check installs it)"
	exit 0
fi

cl_workdir
par=$SRCDIR/scripts/cluster/parallel.sh
cd "$work" || exit 1
shards="r.shard-1-of-4.jsonl r.shard-2-of-4.jsonl r.shard-3-of-4.jsonl r.shard-4-of-4.jsonl"

"$RELUSH" exp.lua >single.out 2>&1
ok $? "the unsharded run writes single.jsonl"

sh "$par" -j 2 4 exp.lua >run.out 2>run.err
ok $? "parallel.sh -j 2 4 exp.lua exits 0"
grep -q 'with GNU parallel' run.err
ok $? "... and ran the shards with GNU parallel"
# shellcheck disable=SC2086
"$RELUSH" merge $shards -o merged.jsonl >/dev/null 2>&1 && out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "the 4 shards merge into the unsharded run, count for count (${out:-no merge})"

rm -f r.shard-* merged.jsonl
sh "$par" -j 2 -S : 4 exp.lua >run.out 2>run.err
ok $? "parallel.sh -S : (this machine as an sshlogin) exits 0"
# shellcheck disable=SC2086
"$RELUSH" merge $shards -o merged.jsonl >/dev/null 2>&1 && out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "... and its shards merge into the unsharded run (${out:-no merge})"

rm -f r.shard-* merged.jsonl
FAIL_SHARD=2 sh "$par" 4 exp.lua >run.out 2>run.err
status=$?
[ "$status" -ne 0 ] && grep -q 'fails on purpose' run.err
ok $? "a failing shard stops parallel.sh with a non-zero status ($status) and its error shown"
[ ! -e r.shard-2-of-4.jsonl ] && [ -s r.shard-1-of-4.jsonl ]
ok $? "the shards before it are saved, the failed one is not"
for i in 1 2 3 4; do
	[ -s "r.shard-$i-of-4.jsonl" ] || "$RELUSH" --shard "$i/4" exp.lua >/dev/null 2>&1
done
# shellcheck disable=SC2086
"$RELUSH" merge $shards -o merged.jsonl >/dev/null 2>&1 && out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "running the missing shards by hand completes the merge, count for count (${out:-no merge})"

# the fallback: a 'parallel' on the PATH that is not GNU parallel
mkdir -p "$cl_tmp/bin"
printf '#!/bin/sh\necho "not GNU"\n' >"$cl_tmp/bin/parallel"
chmod +x "$cl_tmp/bin/parallel"
rm -f r.shard-* merged.jsonl
PATH="$cl_tmp/bin:$PATH" sh "$par" -j 2 4 exp.lua >run.out 2>run.err && grep -q 'with xargs -P 2' run.err
ok $? "without GNU parallel, parallel.sh runs the shards with xargs -P and says so"
# shellcheck disable=SC2086
"$RELUSH" merge $shards -o merged.jsonl >/dev/null 2>&1 && out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "... and they merge into the unsharded run (${out:-no merge})"

cd / || exit 1
done_testing
