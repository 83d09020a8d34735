# Shared by the resume and kill -9 tests: a small sweep with frequent checkpoints, a reference
# run, and comparisons of result files (training curves and final metrics, bit for bit).
#   source sweep_resume_lib.sh; sets $sweep_file; defines run_sweep_np2, same_results, wait_for
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/mpi_env.sh"

# write_resume_sweep FILE: two tasks × two seeds; bit-xor trains in a 2-rank worker group.
write_resume_sweep() {
  cat > "$1" <<'YAML'
name: resume
runtime:
  threads: 1
  checkpoint_every: 10
  ranks_per_experiment: 1
  ranks_per_task: {bit-xor: 2}
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

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; fails after SECONDS.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 5))); do "$@" && return 0; sleep 0.2; done
  echo "FAIL: timed out after ${limit}s waiting for: $*"; return 1
}
