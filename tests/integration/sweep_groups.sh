#!/usr/bin/env bash
# Worker groups and packing in a real sweep: runtime.experiments_per_gpu 2 runs two experiments
# at once per rank (-np 1: both on rank 0; -np 2: up to four), bit-xor trains in 2-rank worker
# groups (ranks_per_task) while bit-memory runs alone; every result completes and records its
# group size and the bytes its step communicated (0 alone).
#   sweep_groups.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1 work=$2
source "$(dirname "$0")/../../scripts/mpi_env.sh"
rm -rf "$work" && mkdir -p "$work"
cat > "$work/groups.yaml" <<'YAML'
name: groups
runtime:
  experiments_per_gpu: 2
  ranks_per_task: {bit-xor: 2}
  checkpoint_every: 0
defaults: {body: gpt2-tiny, trains: fpt, batch_size: 16, steps: 40, eval_every: 20, eval_batches: 2}
axes:
  task: [bit-memory, bit-xor]
  seed: [0, 1, 2]
YAML
attribute() { h5dump -a "$2" "$1" | grep -oE '\(0\): .*' | sed 's/(0): //; s/"//g'; }
# started_before_first_done LOG: how many experiments started before the first one finished
started_before_first_done() { awk '/ done /{exit} / start /{n++} END{print n+0}' "$1"; }

for np in 1 2; do
  mpirun -np $np $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/groups.yaml" --output "$work/np$np" \
    | tee "$work/np$np.log"
  concurrent=$(started_before_first_done "$work/np$np.log")
  echo "np $np: $concurrent experiments started before the first finished"
  [ "$concurrent" -ge 2 ] || { echo "FAIL: experiments_per_gpu 2 ran one at a time"; exit 1; }
  for file in "$work/np$np"/*.h5; do
    [ "$(attribute "$file" /status)" = completed ] || { echo "FAIL: $file"; exit 1; }
    task=$(attribute "$file" /spec/task) group=$(attribute "$file" /group_size)
    bytes=$(attribute "$file" /communicated_bytes_per_step)
    expected=1; [ "$task" = bit-xor ] && expected=$np
    [ "$group" -eq "$expected" ] || { echo "FAIL: $task ran in a group of $group (np $np)"; exit 1; }
    if [ "$group" -gt 1 ]; then [ "$bytes" -gt 0 ]; else [ "$bytes" -eq 0 ]; fi ||
      { echo "FAIL: $task group $group communicated $bytes bytes per step"; exit 1; }
  done
done
grep -q "on ranks 0,1 (worker group of 2)" "$work/np2.log" || { echo "FAIL: no group in the log"; exit 1; }
echo "sweep_groups: OK"
