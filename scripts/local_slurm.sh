#!/usr/bin/env bash
# A private single-node Slurm on this machine, for trying cluster/slurm/ and for the Slurm
# integration tests: its own munged (own key and socket), slurmctld and slurmd on 127.0.0.1 on two
# free ports, a minimal slurm.conf, all state and logs under DIR. Nothing in /etc is used or changed,
# so it runs beside a real Slurm or a system munged. Needs root and Debian's slurm-wlm and munge
# (scripts/setup.sh installs them).
#
#   eval "$(scripts/local_slurm.sh start /tmp/fpt-slurm)"   # prints: export SLURM_CONF=...
#   sbatch cluster/slurm/sweep.sbatch sweeps/ci.yaml; squeue
#   scripts/local_slurm.sh stop /tmp/fpt-slurm               # cancels jobs, stops the daemons
#
# start fails (exit 1, with the daemons' log tails) rather than leave a half-started cluster;
# every wait has a time limit. stop is safe to call twice or on a failed start.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")
say() { printf '[local_slurm] %s\n' "$*" >&2; }

# Processes of this cluster: the daemons carry FPT_LOCAL_SLURM=<dir> (set when starting them);
# slurmstepds overwrite their environment with their title but run in <dir> (slurmd's log
# directory); job processes carry SLURM_CONF=<dir>/slurm.conf and a SLURM_JOB_ID.
cluster_pids() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [ "$pid" = $$ ] && continue
    if grep -qzxF "FPT_LOCAL_SLURM=$dir" "$environ" 2>/dev/null ||
       { [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */slurmstepd* ]] &&
         [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir" ]; } ||
       { grep -qzxF "SLURM_CONF=$dir/slurm.conf" "$environ" 2>/dev/null &&
         grep -qz '^SLURM_JOB_ID=' "$environ" 2>/dev/null; }; then
      echo "$pid"
    fi
  done
}

# Waits up to $1 seconds for the processes $2... to exit; returns 1 if some are still there.
wait_gone() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit)) pid alive
  while :; do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

stop_cluster() {
  export SLURM_CONF=$dir/slurm.conf
  # Cancel jobs first so their processes are ended by Slurm (SIGTERM, then SIGKILL after KillWait).
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    local jobs
    jobs=$(timeout 5 squeue -h -o %i 2>/dev/null) || true
    [ -n "$jobs" ] && { timeout 10 scancel $jobs >/dev/null 2>&1 || true; }
    local deadline=$((SECONDS + 15))
    while [ $SECONDS -lt $deadline ] &&
          [ -n "$(timeout 5 squeue -h -o %i 2>/dev/null)" ]; do sleep 0.5; done
  fi
  local pids=() pid file
  for file in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -s "$dir/$file" ] && pids+=("$(cat "$dir/$file")")
  done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait_gone 10 "${pids[@]}" || for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  # Whatever survived (a slurmstepd or job process of a job that would not die): SIGKILL.
  local left
  left=$(cluster_pids)
  if [ -n "$left" ]; then
    say "killing leftover processes: $(echo $left)"
    kill -KILL $left 2>/dev/null || true
  fi
  rm -f "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munge/munged.pid
  local socket_dir
  socket_dir=$(cat "$dir/munge/socket_dir" 2>/dev/null) || true
  case $socket_dir in /run/fpt-munge-*) rm -rf "$socket_dir" ;; esac
}

fail_start() {
  say "error: $*"
  local log
  for log in munge/munged.log slurmctld.log slurmd.log; do
    [ -s "$dir/$log" ] && { say "--- tail of $dir/$log"; tail -n 15 "$dir/$log" >&2; }
  done
  stop_cluster
  exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_cluster() {
  [ "$(id -u)" = 0 ] || { say "error: needs root (slurmd runs jobs as any user)"; exit 1; }
  local tool
  for tool in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$tool" >/dev/null ||
      { say "error: '$tool' not found: apt-get install slurm-wlm munge (see scripts/setup.sh)"; exit 1; }
  done
  [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null &&
    { say "error: a cluster already runs in $dir; stop it first"; exit 1; }
  # A fresh cluster each time: no jobs recovered from an earlier run's state.
  rm -rf "$dir/state" "$dir/spool" "$dir/tmp" "$dir"/*.log
  mkdir -p "$dir/state" "$dir/spool" "$dir/tmp" "$dir/munge"
  # munged refuses a socket or key in a directory others cannot traverse or may write.
  chmod 755 "$dir" "$dir/munge"
  [ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
  chmod 600 "$dir/munge/munge.key"

  # munged refuses a socket in a directory that not every user can reach (each parent must be
  # o+x): under a private home (a clone in /root, 0700) the socket goes to /run instead.
  local socket_dir=$dir/munge parent=$dir
  while [ "$parent" != / ]; do
    if [ $(( $(stat -c %a "$parent" | sed 's/^.*\(.\)$/\1/') & 1 )) = 0 ]; then
      socket_dir=/run/fpt-munge-$(printf %s "$dir" | md5sum | cut -c1-12)
      mkdir -p "$socket_dir"
      chmod 755 "$socket_dir"
      break
    fi
    parent=$(dirname "$parent")
  done
  echo "$socket_dir" > "$dir/munge/socket_dir"
  local socket=$socket_dir/munge.sock
  FPT_LOCAL_SLURM=$dir munged --socket="$socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" || fail_start "munged did not start"
  local deadline=$((SECONDS + 10))
  until munge -S "$socket" -n 2>/dev/null | unmunge -S "$socket" 2>/dev/null | grep -q 'Success'; do
    [ $SECONDS -lt $deadline ] || fail_start "munge credentials do not verify after 10 s"
    sleep 0.2
  done

  local host ctld_port slurmd_port
  host=$(hostname)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  # cred_expire also sets how long a requeued job waits before it may start again (default 120 s);
  # the short scheduler intervals make a requeued job start within seconds of that.
  cat >"$dir/slurm.conf" <<CONF
ClusterName=fptlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
TmpFS=$dir/tmp
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=1
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
InactiveLimit=0
KillWait=10
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 Sockets=1 CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf
  FPT_LOCAL_SLURM=$dir slurmctld -f "$SLURM_CONF" || fail_start "slurmctld did not start"
  FPT_LOCAL_SLURM=$dir slurmd -f "$SLURM_CONF" || fail_start "slurmd did not start"
  deadline=$((SECONDS + 30))
  until timeout 5 sinfo -h -o %T 2>/dev/null | grep -qx idle; do
    [ $SECONDS -lt $deadline ] || fail_start "node not idle after 30 s: $(timeout 5 sinfo 2>&1 | tail -1)"
    sleep 0.2
  done
  say "Slurm up in $dir (slurmctld :$ctld_port, slurmd :$slurmd_port, node $host, $(nproc) CPUs)"
  echo "export SLURM_CONF=$SLURM_CONF"
}

case $action in
  start) start_cluster ;;
  stop) stop_cluster ;;
  *) usage ;;
esac
