#!/usr/bin/env bash
# Integration test: submits cluster/slurm/sweep.sbatch with 2 tasks to a private single-node Slurm
# started on this machine, and checks that the job completed, that every experiment left a result
# file with status "completed", that summary.md was written, and that both ranks worked.
#   slurm_sweep.sh BUILD_DIR SOURCE_DIR WORK_DIR [srun|mpirun]
set -euo pipefail
build=$1 source=$2 work=$3 launch=${4:-srun}
rm -rf "$work" && mkdir -p "$work"
source "$source/tests/integration/slurm_lib.sh"
slurm_start "$work/slurm"

cat >"$work/tiny.yaml" <<'YAML'
name: slurm-tiny
runtime:
  threads: 1
  status_every_seconds: 5
defaults:
  body: gpt2-tiny
  init: random
  trains: fpt
  steps: 60
  batch_size: 8
  eval_every: 30
  eval_batches: 2
axes:
  task: [bit-xor]
  seed: [0, 1, 2, 3]
YAML

cd "$source"
job=$(FPT_BUILD=$build FPT_LAUNCH=$launch sbatch --parsable --ntasks=2 --output="$work/job.log" \
        cluster/slurm/sweep.sbatch "$work/tiny.yaml" --output "$work/results")
echo "submitted job $job ($launch)"
state=$(slurm_wait_end "$job" 150)
cat "$work/job.log"
[ "$state" = COMPLETED ] || { echo "FAIL: job $job ended $state"; exit 1; }

files=$(ls "$work/results"/*.h5 | wc -l)
[ "$files" -eq 4 ] || { echo "FAIL: expected 4 result files, found $files"; exit 1; }
for file in "$work/results"/*.h5; do
  h5dump -a /status "$file" | grep -q '"completed"' || { echo "FAIL: $file not completed"; exit 1; }
done
[ -s "$work/results/summary.md" ] || { echo "FAIL: no summary.md"; exit 1; }
grep -q "| 2 ranks" "$work/job.log" || { echo "FAIL: the sweep did not run on 2 ranks"; exit 1; }
for rank in 0 1; do
  grep -q "start .* on rank $rank" "$work/job.log" || { echo "FAIL: rank $rank ran nothing"; exit 1; }
done
grep -q "job $job start (restart 0)" "$work/job.log" && grep -q "exit status 0" "$work/job.log" ||
  { echo "FAIL: the batch script's start and end lines are missing"; exit 1; }
echo "slurm_sweep ($launch): OK"
