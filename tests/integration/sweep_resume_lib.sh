# Shared by the resume and kill -9 tests: a small sweep with frequent checkpoints, a reference
# run, and comparisons of result files (training curves and final metrics, bit for bit).
#   source sweep_resume_lib.sh; sets $sweep_file; defines run_sweep_np2, same_results, wait_for
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/mpi_env.sh"

# write_resume_sweep FILE: two tasks × two seeds; bit-memory (the longest, so the one a stop or a
# crash interrupts) trains in 2-rank worker groups, bit-xor alone.
write_resume_sweep() {
  cat > "$1" <<'YAML'
name: resume
runtime:
  threads: 1
  checkpoint_every: 10
  ranks_per_experiment: 1
  ranks_per_task: {bit-memory: 2}
defaults:
  body: gpt2-tiny
  trains: fpt
  batch_size: 16
  eval_every: 25
  eval_batches: 2
axes:
  task: [bit-memory, bit-xor]
  seed: [0, 1]
overrides:
  task:
    bit-memory: {steps: 120}
    bit-xor: {steps: 300}
YAML
}

# start_interrupted_run BUILD WORK: a fresh WORK with the sweep, its uninterrupted reference run
# (WORK/reference), and the run to interrupt started in the background (WORK/results, log
# WORK/first.log); sets $launcher to mpirun's pid (mpirun forwards SIGUSR2 to every rank) and
# defines run DIR (the sweep into DIR, in the foreground).
start_interrupted_run() {
  local build=$1 work=$2
  rm -rf "$work" && mkdir -p "$work"
  write_resume_sweep "$work/resume.yaml"
  run() { mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/resume.yaml" --output "$1"; }
  run "$work/reference" > "$work/reference.log"
  mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/resume.yaml" --output "$work/results" \
    > "$work/first.log" 2>&1 &
  launcher=$!
}

# curves_and_finals DIR: one line per result file with its curves and final metrics (no timings).
curves_and_finals() {
  for file in "$1"/*.h5; do
    echo "== $(basename "$file")"
    h5dump -a /status "$file" | grep -v '^HDF5' | grep '"'
    for dataset in step train_loss train_accuracy eval_loss eval_accuracy; do
      h5dump -m %.17g -d "/curves/$dataset" "$file" | sed -n '/DATA {/,/}/p'
    done
    h5dump -m %.17g -g /final "$file" | grep -v -E 'wall|seconds|HDF5|^}' | sed -n '/ATTRIBUTE/,$p'
  done
}

# same_results A B: the same result files with identical curves and final metrics.
same_results() {
  diff <(cd "$1" && ls *.h5) <(cd "$2" && ls *.h5) || { echo "FAIL: different result files"; return 1; }
  diff <(curves_and_finals "$1") <(curves_and_finals "$2") > /tmp/resume_diff.$$ || {
    echo "FAIL: results differ from the uninterrupted run:"; head -40 /tmp/resume_diff.$$; return 1; }
  echo "results identical to the uninterrupted run ($(ls "$1"/*.h5 | wc -l) files)"
}

# check_group_resumed DIR LOG: the rerun resumed a 2-rank bit-memory group from a checkpoint, and
# its result file says so (resumed_from_step > 0, group_size 2).
check_group_resumed() {
  local line step id
  line=$(grep -E "resuming gpt2-tiny_bit-memory.* from step [1-9][0-9]*" "$2" | head -1)
  [ -n "$line" ] || { echo "FAIL: no worker group was resumed"; return 1; }
  step=$(echo "$line" | sed -E 's/.* from step ([0-9]+).*/\1/')
  id=$(echo "$line" | grep -oE 'checkpoints/[0-9a-f]{16}' | cut -d/ -f2)
  value() { h5dump -a "$1" "$DIR_FILE" | grep -oE '\(0\): [0-9]+' | grep -oE '[0-9]+$'; }
  DIR_FILE="$1/$id.h5"
  [ "$(value /resumed_from_step)" = "$step" ] || { echo "FAIL: $id resumed_from_step != $step"; return 1; }
  [ "$(value /group_size)" = 2 ] || { echo "FAIL: $id did not train in a group of 2"; return 1; }
  echo "worker group $id resumed from step $step"
}

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; fails after SECONDS.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 5))); do "$@" && return 0; sleep 0.2; done
  echo "FAIL: timed out after ${limit}s waiting for: $*"; return 1
}
