#!/usr/bin/env bash
# Integration test: a sweep submitted with cluster/slurm/sweep.sbatch to a private single-node
# Slurm survives both ways a job is stopped and requeued, and finishes without losing its progress:
#   1. the time-limit warning: SIGUSR2 to the batch shell (what --signal=B:USR2@120 sends), which
#      forwards it to the ranks; they checkpoint, fpt_sweep exits 75, the script requeues the job;
#   2. `scontrol requeue` (as preemption does): Slurm sends SIGTERM to every process of the job
#      and requeues it itself.
# After each restart the log (appended) must show the new start and "resuming <tag> from step N"
# with N > 0; at the end the job is COMPLETED and every result file is completed.
#   slurm_requeue.sh BUILD_DIR SOURCE_DIR WORK_DIR [srun|mpirun]
set -euo pipefail
build=$1 source=$2 work=$3 launch=${4:-srun}
rm -rf "$work" && mkdir -p "$work"
source "$source/tests/integration/slurm_lib.sh"
slurm_start "$work/slurm"

# Two experiments, one per rank, long enough (about a minute each on one core) to be stopped twice.
cat >"$work/long.yaml" <<'YAML'
name: slurm-requeue
runtime:
  threads: 1
  status_every_seconds: 10
  checkpoint_every: 20
defaults:
  body: gpt2-tiny
  init: random
  trains: fpt
  steps: 1500
  batch_size: 8
  eval_every: 500
  eval_batches: 2
axes:
  task: [bit-xor]
  seed: [0, 1]
YAML
log=$work/job.log
results=$work/results

# Waits up to $2 seconds until the job log matches the extended regex $1.
wait_for_log() {
  local deadline=$((SECONDS + $2))
  until grep -Eq "$1" "$log" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: no line matching '$1' in the job log after $2 s"; cat "$log"; return 1; }
    sleep 1
  done
}
# Waits up to $1 seconds for a checkpoint file under <output>/checkpoints/.
wait_for_checkpoint() {
  local deadline=$((SECONDS + $1))
  until ls "$results/checkpoints/"*.pt >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: no checkpoint in $results/checkpoints after $1 s"; cat "$log"; return 1; }
    sleep 0.5
  done
}
resumes() { grep -Eo 'resuming .* from step [0-9]+' "$log" | grep -Ev 'from step 0$' | wc -l; }

cd "$source"
job=$(FPT_BUILD=$build FPT_LAUNCH=$launch sbatch --parsable --ntasks=2 --output="$log" \
        cluster/slurm/sweep.sbatch "$work/long.yaml" --output "$results")
echo "submitted job $job ($launch)"
slurm_wait_state "$job" 60 RUNNING
wait_for_checkpoint 90

# 1. The time-limit warning, as --signal=B:USR2@120 delivers it: only the batch shell gets it.
echo "--- $(date +%T) scancel --batch --signal=USR2 $job"
scancel --batch --signal=USR2 "$job"
wait_for_log "requeueing job $job" 60
wait_for_log "job $job start \(restart 1\)" 90
wait_for_log "resuming .* from step [1-9]" 60
[ "$(resumes)" -ge 1 ]
sleep 2  # let the resumed experiments train a little (their checkpoints stay until they complete)

# 2. Requeue by Slurm: SIGTERM to every process, the job goes back to the queue by itself.
echo "--- $(date +%T) scontrol requeue $job"
scontrol requeue "$job"
wait_for_log "job $job start \(restart 2\)" 120
state=$(slurm_wait_end "$job" 150)
echo "--- job log:"
cat "$log"
[ "$state" = COMPLETED ] || { echo "FAIL: job $job ended $state"; exit 1; }

n=$(resumes)
echo "resumed from a step > 0: $n times"
[ "$n" -ge 4 ] || { echo "FAIL: expected each of the 2 experiments to resume after each of the 2 stops, found $n"; exit 1; }
grep -q "interrupted" "$log" || { echo "FAIL: fpt_sweep never reported the interruption"; exit 1; }
files=$(ls "$results"/*.h5 | wc -l)
[ "$files" -eq 2 ] || { echo "FAIL: expected 2 result files, found $files"; exit 1; }
for file in "$results"/*.h5; do
  h5dump -a /status "$file" | grep -q '"completed"' || { echo "FAIL: $file not completed"; exit 1; }
done
[ -s "$results/summary.md" ] || { echo "FAIL: no summary.md"; exit 1; }
left=$(ls "$results/checkpoints/" 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left checkpoints left after the sweep completed"; exit 1; }
echo "slurm_requeue ($launch): OK"
