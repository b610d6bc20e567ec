#!/bin/sh
# parallel.sh: a relush script in N shards with GNU parallel, on this
# machine or on several over ssh.
#
#   scripts/cluster/parallel.sh [-j JOBS] [-S SSHLOGINS] N script.lua [args...]
#
# runs `relush --shard i/N script.lua args...` for i = 1..N, JOBS at a time
# per machine (default 1: each run's mc already uses every core it may), and
# stops starting new shards when one fails. Examples:
#   scripts/cluster/parallel.sh 4 scripts/paper/depth.lua --quick --out results
#   scripts/cluster/parallel.sh -S node1,node2,node3 12 scripts/paper/depth.lua --out results
# With -S (GNU parallel's --sshlogin: "host", "4/host" for 4 jobs there, ":"
# for this machine) every machine needs relush and the script at the same
# path and the results folder on a shared file system; the runs start in the
# current folder. Then merge, exactly, as with any shards:
#   relush scripts/paper/depth.lua --out results --from results/depth.shard-*-of-12.jsonl
#   relush merge results/r.shard-*-of-12.jsonl -o r.jsonl     (a script of your own)
# Without GNU parallel installed, the shards run on this machine with
# xargs -P. RELUSH names the relush binary (default: relush on the PATH).
set -eu

usage() {
	echo "usage: parallel.sh [-j JOBS] [-S SSHLOGINS] N script.lua [args...]" >&2
	exit 2
}
jobs=1
logins=
while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
	-S) [ $# -ge 2 ] || usage; logins=$2; shift 2 ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
count=$1
shift
case $count in
''|*[!0-9]*|0) echo "parallel.sh: N must be a whole number >= 1, got '$count'" >&2; exit 2 ;;
esac
relush=${RELUSH:-relush}

if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	echo "parallel.sh: $count shards of $* with GNU parallel, $jobs at a time${logins:+ on $logins}" >&2
	# -q passes the arguments as they are; {} is the shard number
	if [ -n "$logins" ]; then
		seq 1 "$count" | parallel -q -j "$jobs" --halt soon,fail=1 -S "$logins" --workdir "$PWD" \
			"$relush" --shard "{}/$count" "$@"
	else
		seq 1 "$count" | parallel -q -j "$jobs" --halt soon,fail=1 "$relush" --shard "{}/$count" "$@"
	fi
else
	if [ -n "$logins" ]; then
		echo "parallel.sh: -S needs GNU parallel, which is not installed" >&2
		exit 2
	fi
	echo "parallel.sh: $count shards of $* with xargs -P $jobs (GNU parallel is not installed)" >&2
	seq 1 "$count" | xargs -P "$jobs" -I{} "$relush" --shard "{}/$count" "$@"
fi
echo "parallel.sh: all $count shards done; merge their results files (relush merge, or the script's --from)" >&2
