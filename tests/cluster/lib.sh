# tests/cluster/lib.sh: TAP helpers and a scratch folder for the cluster
# tests, and a private one-node Slurm cluster (munged, slurmctld, slurmd)
# for tests/cluster/slurm.sh. Sourced, not run.
#
# The cluster never touches a system-wide Slurm or MUNGE set-up: its key,
# socket, configuration (SLURM_CONF), state, spool and logs live in the
# test's temporary folder, its ports are free ones picked at start, and
# every daemon it started is stopped by its PID when the test ends.

if [ -z "${RELUSH:-}" ] || [ ! -x "$RELUSH" ]; then
	echo "1..0 # SKIP RELUSH does not name the built shell (run through make check)"
	exit 0
fi
SRCDIR=${RELUSH_SRCDIR:-.}

cl_count=0
cl_failed=0
# ok STATUS DESCRIPTION: one TAP line from an exit status (0 = pass).
ok() {
	cl_count=$((cl_count + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$cl_count" "$2"
	else
		cl_failed=$((cl_failed + 1))
		printf 'not ok %d - %s\n' "$cl_count" "$2"
	fi
}
diag() { for line in "$@"; do printf '# %s\n' "$line"; done; }
# diag_file FILE: a file's last lines as TAP comments (what a daemon or job said)
diag_file() { [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed "s|^|# $(basename "$1"): |"; }
done_testing() {
	echo "1..$cl_count"
	[ "$cl_failed" -eq 0 ]
}

# The scratch folder, world-readable so that munged (its own user) can
# reach its socket; removed with everything in it at exit.
cl_tmp=$(mktemp -d "${TMPDIR:-/tmp}/relush-cluster.XXXXXX")
chmod 755 "$cl_tmp"
cl_pids=
# cl_stop: stop every daemon this test started, by PID; non-zero when one
# had to be killed with SIGKILL
cl_stop() {
	for pid in $cl_pids; do kill "$pid" 2>/dev/null; done
	# wait (up to 10 s) for each to be gone, then make sure
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		alive=
		for pid in $cl_pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.5
	done
	for pid in $cl_pids; do kill -9 "$pid" 2>/dev/null; done
	cl_pids=
	[ -z "$alive" ]
}
cl_cleanup() {
	cl_stop
	rm -rf "$cl_tmp"
}
trap cl_cleanup EXIT
trap 'cl_cleanup; exit 1' INT TERM HUP

# cl_workdir: $work, a folder holding the experiment (exp.lua) and the
# comparison (compare.lua), and the environment relush runs in there
cl_workdir() {
	work=$cl_tmp/work
	mkdir -p "$work"
	cp "$SRCDIR/tests/cluster/exp.lua" "$SRCDIR/tests/cluster/compare.lua" "$work/"
	LUA_PATH="$SRCDIR/tests/lua/lib/?.lua;;"
	RELUSH_HISTORY=/dev/null
	export RELUSH LUA_PATH RELUSH_HISTORY
}

# cl_skip_unless_cluster: skip the whole test (with the reason) when a
# private Slurm cannot be run here.
cl_skip_unless_cluster() {
	for cmd in munged munge slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
		if ! command -v "$cmd" >/dev/null 2>&1; then
			echo "1..0 # SKIP $cmd is not installed (Debian: apt-get install slurmctld slurmd slurm-client munge; scripts/bootstrap check installs them)"
			exit 0
		fi
	done
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP a private slurmd must run as root"
		exit 0
	fi
	if ! id munge >/dev/null 2>&1; then
		echo "1..0 # SKIP there is no munge user to run munged as"
		exit 0
	fi
}

# cl_free_port: a TCP port nobody listens on, from the dynamic range
cl_free_port() {
	used=$( (ss -Htan 2>/dev/null || netstat -tan 2>/dev/null) | awk '{print $4}' | sed 's/.*://')
	port=$(( 20000 + ($$ * 7 + ${1:-0} * 131) % 30000 ))
	while echo "$used" | grep -qx "$port"; do port=$((port + 1)); done
	echo "$port"
}

# cl_pid FILE: the PID a daemon wrote, once it is there (up to 10 s)
cl_pid() {
	for _ in $(seq 1 50); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.2
	done
	return 1
}

# cl_start: MUNGE and a one-node Slurm in $cl_tmp; SLURM_CONF is exported
# for every sbatch/squeue/scontrol that follows. Returns non-zero (with
# the daemons' logs as diagnostics) when the node does not come up idle.
cl_start() {
	m=$cl_tmp/munge
	mkdir -p "$m/key" "$m/run" "$cl_tmp/state" "$cl_tmp/spool"
	dd if=/dev/urandom of="$m/key/munge.key" bs=1024 count=1 2>/dev/null
	chown -R munge: "$m"
	chmod 700 "$m/key"
	chmod 400 "$m/key/munge.key"
	chmod 755 "$m" "$m/run"
	cl_munge_socket=$m/run/munge.socket
	if ! runuser -u munge -- munged --socket="$cl_munge_socket" --key-file="$m/key/munge.key" \
		--pid-file="$m/run/munged.pid" --log-file="$m/key/munged.log" --seed-file="$m/key/munged.seed"; then
		diag "munged did not start"; diag_file "$m/key/munged.log"; return 1
	fi
	pid=$(cl_pid "$m/run/munged.pid") || { diag "munged wrote no PID"; return 1; }
	cl_pids="$cl_pids $pid"

	host=$(hostname)
	cpus=$(nproc)
	cl_ctld_port=$(cl_free_port 1)
	cl_slurmd_port=$(cl_free_port 2)
	[ "$cl_slurmd_port" != "$cl_ctld_port" ] || cl_slurmd_port=$((cl_ctld_port + 1))
	cat >"$cl_tmp/slurm.conf" <<EOF
# a private one-node cluster for relush's tests ($cl_tmp)
ClusterName=relushtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cl_ctld_port
SlurmdPort=$cl_slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cl_munge_socket
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MinJobAge=3600
StateSaveLocation=$cl_tmp/state
SlurmdSpoolDir=$cl_tmp/spool
SlurmctldPidFile=$cl_tmp/slurmctld.pid
SlurmdPidFile=$cl_tmp/slurmd.pid
SlurmctldLogFile=$cl_tmp/slurmctld.log
SlurmdLogFile=$cl_tmp/slurmd.log
NodeName=relushnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=relush Nodes=relushnode Default=YES MaxTime=INFINITE State=UP
EOF
	SLURM_CONF=$cl_tmp/slurm.conf
	export SLURM_CONF
	if ! slurmctld -f "$SLURM_CONF" -i; then
		diag "slurmctld did not start"; diag_file "$cl_tmp/slurmctld.log"; return 1
	fi
	pid=$(cl_pid "$cl_tmp/slurmctld.pid") || { diag "slurmctld wrote no PID"; diag_file "$cl_tmp/slurmctld.log"; return 1; }
	cl_pids="$cl_pids $pid"
	if ! slurmd -f "$SLURM_CONF" -N relushnode; then
		diag "slurmd did not start"; diag_file "$cl_tmp/slurmd.log"; return 1
	fi
	pid=$(cl_pid "$cl_tmp/slurmd.pid") || { diag "slurmd wrote no PID"; diag_file "$cl_tmp/slurmd.log"; return 1; }
	cl_pids="$cl_pids $pid"
	for _ in $(seq 1 60); do
		state=$(sinfo -h -n relushnode -o %t 2>/dev/null)
		[ "$state" = idle ] && return 0
		sleep 0.5
	done
	diag "the node did not become idle (state '$state')"
	diag_file "$cl_tmp/slurmctld.log"; diag_file "$cl_tmp/slurmd.log"
	return 1
}

# cl_wait JOBID [SECONDS]: wait until no task of the job is pending or
# running (squeue no longer lists it); non-zero on time-out
cl_wait() {
	for _ in $(seq 1 $(( ${2:-120} * 2 ))); do
		[ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	return 1
}

# cl_states JOBID: the state of each of the job's tasks, one a line, as
# slurmctld remembers them (MinJobAge keeps finished jobs for the test)
cl_states() {
	scontrol -o show job "$1" 2>/dev/null | sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p'
}
