#!/bin/sh
# slurm.sh: a relush script as a Slurm job array, one shard per array task.
#
#   sbatch --array=1-16 scripts/cluster/slurm.sh scripts/paper/depth.lua --out results
#
# Array task i of N runs `relush --shard i/N SCRIPT ARGS...`, so every mc{}
# in the script counts only the i-th of N slices of its trials (mc.shard).
# N is the array's size (or SHARDS=N in the environment); the array must be
# contiguous (1-16 or 0-15, no step or list: refused). The script saves its shard's results:
# depth.lua writes results/depth.shard-i-of-N.jsonl; a script of your own
# gives mc{..., out = ("r.shard-%d-of-%d.jsonl"):format(mc.shard[1], mc.shard[2])}.
# When every task is done, merge (exactly: the counts of the whole run):
#   relush merge results/r.shard-*-of-16.jsonl -o r.jsonl
#   relush scripts/paper/depth.lua --out results --from results/depth.shard-*-of-16.jsonl
# or as a job that waits for the array:
#   jid=$(sbatch --parsable --array=1-16 scripts/cluster/slurm.sh scripts/paper/depth.lua --out results)
#   sbatch --dependency=afterok:$jid --wrap \
#     'relush scripts/paper/depth.lua --out results --from results/depth.shard-*-of-16.jsonl'
# A failed task can be run again alone: SHARDS=16 sbatch --array=7 ... runs
# shard 7 of 16 (with SHARDS set, task ids are shard numbers from 1; add
# SHARD_FIRST=0 when the array was numbered from 0).
#
# mc's threads default to the cores in the task's CPU affinity mask: where
# Slurm binds tasks to cores (TaskPlugin task/affinity or task/cgroup, the
# usual set-ups) that is --cpus-per-task, so threads = --cpus-per-task; on a
# cluster that does not bind (task/none) mc uses every core of the node.
# Ask for the cores your mc runs should use, and no more than a node has.
# RELUSH names the relush binary (default: relush on the PATH). Without sbatch, the same runs one shard by hand:
#   SLURM_ARRAY_TASK_ID=3 SHARDS=16 sh scripts/cluster/slurm.sh SCRIPT ARGS...
#SBATCH --job-name=relush
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=relush-%A_%a.out
set -eu

if [ $# -lt 1 ]; then
	echo "usage: sbatch --array=1-N slurm.sh script.lua [args...]" >&2
	exit 2
fi
task=${SLURM_ARRAY_TASK_ID:?"not an array task: submit with sbatch --array=1-N (or set SLURM_ARRAY_TASK_ID and SHARDS)"}
first=${SLURM_ARRAY_TASK_MIN:-1}
if [ -n "${SHARDS:-}" ]; then
	# A re-run of some tasks (--array=7) has its own minimum: the task id
	# is then the shard itself, counted from SHARD_FIRST (1, or 0 for an
	# array that was numbered from 0).
	count=$SHARDS
	first=${SHARD_FIRST:-1}
	case $count$first in
	*[!0-9]*) echo "slurm.sh: SHARDS and SHARD_FIRST must be whole numbers, got '$SHARDS' and '$first'" >&2; exit 2 ;;
	esac
elif [ -n "${SLURM_ARRAY_TASK_COUNT:-}" ]; then
	count=$SLURM_ARRAY_TASK_COUNT
	# --array=1-16:2 or 1,3,5 number the tasks with gaps: task ids are then
	# no shard numbers, and shards would go missing (or run twice)
	if [ -n "${SLURM_ARRAY_TASK_MAX:-}" ] &&
	   { [ "$((SLURM_ARRAY_TASK_MAX - first + 1))" -ne "$count" ] || [ "${SLURM_ARRAY_TASK_STEP:-1}" != 1 ]; }; then
		echo "slurm.sh: the array's $count tasks are numbered $first..$SLURM_ARRAY_TASK_MAX${SLURM_ARRAY_TASK_STEP:+ step $SLURM_ARRAY_TASK_STEP}, with gaps: submit a contiguous array (--array=1-N), or set SHARDS=N to make each task id its shard number" >&2
		exit 2
	fi
elif [ -n "${SLURM_ARRAY_TASK_MAX:-}" ]; then
	count=$((SLURM_ARRAY_TASK_MAX - first + 1))
else
	echo "slurm.sh: cannot tell how many shards: set SHARDS=N" >&2
	exit 2
fi
index=$((task - first + 1))
if [ "$index" -lt 1 ] || [ "$index" -gt "$count" ]; then
	echo "slurm.sh: array task $task is not one of $count shards starting at $first" >&2
	exit 2
fi
echo "relush shard $index/$count on $(hostname): ${RELUSH:-relush} --shard $index/$count $*" >&2
exec "${RELUSH:-relush}" --shard "$index/$count" "$@"
