#!/usr/bin/env bash
# The body shared by cluster/slurm/*.sbatch (they exec it, so it keeps the batch shell's pid and
# receives what Slurm sends that shell): runs launcher/fpt_launch on the allocation, forwards the
# time-limit warning to the ranks, and requeues the job when the sweep stopped for it.
#
#   sweep_step.sh SWEEP.yaml [fpt_sweep args...]      (run from the repository root, or FPT_ROOT)
#
# Signals, as Slurm delivers them:
#   SIGUSR2  from --signal=B:USR2@120 (or `scancel --batch --signal=USR2 JOB`) reaches only this
#            shell; it is forwarded to srun / mpirun, which pass it to every rank. The ranks save
#            checkpoints and fpt_sweep exits 75; then this script runs `scontrol requeue` so the
#            job starts again later and resumes.
#   SIGTERM  from scancel, scontrol requeue, preemption or the time limit reaches every process of
#            the job at once, the ranks included (then SIGKILL after KillWait), so it is not
#            forwarded: a second SIGTERM makes mpirun and srun kill their ranks at once. Nothing
#            is requeued here: a cancelled job stays cancelled, and Slurm requeues by itself.
set -uo pipefail

say() { printf '[fpt-slurm] %(%F %T)T %s\n' -1 "$*"; }  # builtin clock: no subshell to interrupt

root=${FPT_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
if [ ! -x "$root/launcher/fpt_launch" ]; then
  say "error: $root/launcher/fpt_launch not found: run sbatch from the fpt repository root or set FPT_ROOT"
  exit 2
fi
if [ $# -lt 1 ]; then
  say "error: no sweep file: sbatch cluster/slurm/sweep.sbatch SWEEP.yaml [fpt_sweep args...]"
  exit 2
fi
cd "$root" || exit 2

# Every HDF5 file has a single writer (rank 0 writes results, one worker writes a checkpoint), and
# the locks fail or hang on many parallel file systems (Lustre, NFS without lockd).
export HDF5_USE_FILE_LOCKING=FALSE

say "job ${SLURM_JOB_ID:-?} start (restart ${SLURM_RESTART_COUNT:-0}) on ${SLURM_JOB_NODELIST:-$(hostname)}: $*"
launcher/fpt_launch "$@" &
child=$!

stopped_by=
forward_usr2() {
  stopped_by=USR2
  say "SIGUSR2 (time limit near): forwarding it to the ranks; they checkpoint and stop"
  kill -USR2 "$child" 2>/dev/null
}
note_term() {
  [ -n "$stopped_by" ] || stopped_by=TERM
  say "SIGTERM (cancel, requeue or preemption): Slurm signals every rank itself"
}
trap forward_usr2 USR2
trap note_term TERM

# A trapped signal ends `wait` early (status > 128): wait again until the launcher has exited;
# the last `wait` returns its own exit status.
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
wait "$child"
status=$?

if [ "$status" = 75 ] && [ "$stopped_by" = USR2 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
  say "sweep interrupted with checkpoints saved: requeueing job $SLURM_JOB_ID to continue"
  scontrol requeue "$SLURM_JOB_ID" ||
    say "error: scontrol requeue failed; submit the same command again to continue"
fi
say "job ${SLURM_JOB_ID:-?} end: fpt_sweep exit status $status"
exit "$status"
