#!/bin/sh
# tests/cluster/slurm.sh: scripts/cluster/slurm.sh on a real Slurm. Starts a
# private one-node cluster (tests/cluster/lib.sh), submits an experiment as
# a job array of 4 shards with a dependent merge job, checks that the merge
# is the unsharded run count for count, then makes task 3 fail, re-runs it
# alone (SHARDS=4 sbatch --array=3) and merges again; checks that threads
# follow --cpus-per-task. Skips, saying why, where Slurm is not installed.
. "$RELUSH_SRCDIR/tests/cluster/lib.sh"
cl_skip_unless_cluster

cl_workdir
slurm_sh=$SRCDIR/scripts/cluster/slurm.sh

if ! cl_start; then
	ok 1 "a private one-node Slurm starts (munged, slurmctld, slurmd)"
	done_testing
	exit 1
fi
ok 0 "a private one-node Slurm starts (munged, slurmctld, slurmd): sinfo shows the node idle"

cd "$work" || exit 1
"$RELUSH" exp.lua >single.out 2>&1
ok $? "the unsharded run writes single.jsonl"

# submit NAME ARGS...: sbatch --parsable with the test's defaults; the job id
submit() {
	sbatch --parsable --chdir="$work" --cpus-per-task=1 --output="$work/%x-%A_%a.out" "$@" 2>"$work/sbatch.err"
}
# merged FILE: relush merge of the four shards into FILE, as a dependent job
merge_job() {
	submit --job-name=merge --output="$work/merge-%j.out" --dependency="afterok:$1" \
		--wrap "\"$RELUSH\" merge r.shard-1-of-4.jsonl r.shard-2-of-4.jsonl r.shard-3-of-4.jsonl r.shard-4-of-4.jsonl -o $2"
}
states_are() { # JOBID STATE: every task of the job ended in STATE
	s=$(cl_states "$1" | sort -u)
	[ "$s" = "$2" ] || { diag "job $1: states '$(echo $s)', want $2"; return 1; }
}

# ---- a job array of 4 shards, and the merge as a job that waits for it
array=$(submit --job-name=shards --array=1-4 "$slurm_sh" exp.lua)
ok $? "sbatch --array=1-4 scripts/cluster/slurm.sh exp.lua is accepted (job $array)"
[ -n "$array" ] || diag_file "$work/sbatch.err"
merge=$(merge_job "$array" merged.jsonl)
ok $? "a merge job with --dependency=afterok on the array is accepted (job $merge)"
cl_wait "$array" 180 && cl_wait "$merge" 60
ok $? "squeue: the array and the merge job finish"
states_are "$array" COMPLETED
ok $? "every array task completed"
n=0
for i in 1 2 3 4; do [ -s "r.shard-$i-of-4.jsonl" ] && n=$((n + 1)); done
[ "$n" -eq 4 ]
ok $? "each task wrote its shard's results (r.shard-i-of-4.jsonl, i = 1..4): $n of 4"
grep -q 'relush shard 3/4 on' shards-"$array"_3.out 2>/dev/null
ok $? "array task 3 ran shard 3/4 (its output says so)"
states_are "$merge" COMPLETED
ok $? "the dependent merge job ran after the array and completed"
out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "the merged shards are the unsharded run, count for count ($out)"
[ $? -eq 0 ] || { diag_file "$work/merge-$merge.out"; diag_file "$cl_tmp/slurmd.log"; }
grep -q 'threads 1' shards-"$array"_1.out 2>/dev/null
ok $? "--cpus-per-task=1: mc in the task uses 1 thread (the task's CPU mask)"
if [ "$(nproc)" -ge 2 ]; then
	mkdir -p "$work/two" && cp exp.lua "$work/two/"
	one=$(submit --job-name=two --cpus-per-task=2 --chdir="$work/two" --output="$work/two.out" --wrap "\"$RELUSH\" exp.lua")
	cl_wait "$one" 60 && grep -q 'threads 2' two.out
	ok $? "--cpus-per-task=2: mc in the job uses 2 threads"
fi

# ---- task 3 fails: the merge job never runs; task 3 alone again completes it
rm -f r.shard-*-of-4.jsonl merged.jsonl
array=$(FAIL_SHARD=3 submit --job-name=shards --array=1-4 "$slurm_sh" exp.lua)
ok $? "a second array, whose task 3 fails, is accepted (job $array)"
merge=$(merge_job "$array" merged.jsonl)
cl_wait "$array" 180
ok $? "squeue: the array finishes"
[ "$(scontrol -o show job "${array}_3" | sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p')" = FAILED ]
ok $? "task 3 failed"
[ -s r.shard-1-of-4.jsonl ] && [ -s r.shard-2-of-4.jsonl ] && [ -s r.shard-4-of-4.jsonl ] \
	&& [ ! -e r.shard-3-of-4.jsonl ]
ok $? "tasks 1, 2 and 4 wrote their shards, task 3 none"
reason=
for _ in $(seq 1 40); do
	reason=$(squeue -h -j "$merge" -o %r 2>/dev/null)
	[ "$reason" = DependencyNeverSatisfied ] && break
	sleep 0.5
done
[ "$reason" = DependencyNeverSatisfied ] && [ ! -e merged.jsonl ]
ok $? "the afterok merge job does not run (squeue: $reason)"
scancel "$merge"
out=$("$RELUSH" merge r.shard-1-of-4.jsonl r.shard-2-of-4.jsonl r.shard-4-of-4.jsonl -o part.jsonl 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q 'shard 3 of 4 is missing'
ok $? "relush merge without shard 3 refuses and names the missing shard"
echo "$out" | grep -q 'shard 3 of 4 is missing' || diag "$out"
rerun=$(SHARDS=4 submit --job-name=shards --array=3 "$slurm_sh" exp.lua)
ok $? "SHARDS=4 sbatch --array=3 re-runs task 3 alone (job $rerun)"
merge=$(merge_job "$rerun" merged.jsonl)
cl_wait "$rerun" 120 && cl_wait "$merge" 60
states_are "$rerun" COMPLETED && states_are "$merge" COMPLETED
ok $? "the re-run and its dependent merge job complete"
grep -q 'relush shard 3/4 on' shards-"$rerun"_3.out 2>/dev/null
ok $? "the re-run task ran shard 3/4, not 1/1"
out=$("$RELUSH" compare.lua single.jsonl merged.jsonl 2>&1)
ok $? "the merge with the re-run shard is the unsharded run, count for count ($out)"

cd / || exit 1
pids=$cl_pids
cl_stop
ok $? "every daemon the test started stops on SIGTERM (PIDs$pids)"
left=
for pid in $pids; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
[ -z "$left" ]
ok $? "no daemon of the test is left running"
done_testing
