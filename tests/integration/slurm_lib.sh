# shellcheck shell=bash
# Sourced by the Slurm integration tests: a private single-node Slurm (scripts/local_slurm.sh) that
# is always stopped when the test exits, and bounded waits on jobs. Every wait has a time limit, so
# a test fails with the cluster's logs instead of hanging.
#   slurm_start DIR                  start the cluster, export SLURM_CONF, stop it on exit
#   slurm_job_state JOB              PENDING, RUNNING, COMPLETED, ... (scontrol: no accounting here)
#   slurm_wait_state JOB LIMIT S...  wait until the job is in one of the states S...
#   slurm_wait_end JOB LIMIT         wait until the job has ended for good; prints its final state

slurm_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

slurm_start() {
  slurm_dir=$1
  slurm_started=
  trap slurm_stop EXIT
  local exports
  if ! exports=$("$slurm_repo/scripts/local_slurm.sh" start "$slurm_dir"); then
    echo "FAIL: could not start a local Slurm (needs root, slurm-wlm and munge: scripts/setup.sh)"
    exit 1
  fi
  eval "$exports"
  slurm_started=1
}

slurm_stop() {
  local status=$?
  if [ -n "${slurm_started:-}" ]; then
    if [ $status != 0 ]; then
      echo "--- test failed; Slurm's view of the jobs and the ends of its logs:"
      timeout 5 scontrol show job 2>&1 | grep -E 'JobId|JobState|ExitCode|Restarts|Reason' || true
      tail -n 20 "$slurm_dir/slurmctld.log" "$slurm_dir/slurmd.log" 2>/dev/null || true
    fi
    "$slurm_repo/scripts/local_slurm.sh" stop "$slurm_dir" || true
  fi
  exit $status
}

slurm_job_state() {
  timeout 10 scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}

slurm_wait_state() {
  local job=$1 limit=$2 deadline state wanted
  shift 2
  deadline=$((SECONDS + limit))
  while :; do
    state=$(slurm_job_state "$job")
    for wanted in "$@"; do [ "$state" = "$wanted" ] && return 0; done
    if [ $SECONDS -ge $deadline ]; then
      echo "FAIL: job $job is ${state:-unknown} after ${limit} s, expected $*"
      return 1
    fi
    sleep 1
  done
}

slurm_wait_end() {
  local job=$1 limit=$2
  slurm_wait_state "$job" "$limit" COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY \
    BOOT_FAIL DEADLINE PREEMPTED || return 1
  slurm_job_state "$job"
}
