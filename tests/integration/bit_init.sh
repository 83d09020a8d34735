#!/usr/bin/env bash
# Integration test of init: bit on 2 MPI ranks: the pretraining runs once and first, saves its
# body, the dependent experiment completes from it; a rerun skips everything; a deleted body file
# makes only the pretraining run again.
#   bit_init.sh BUILD_DIR SWEEP_FILE WORK_DIR
set -euo pipefail
build=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
run() { mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" --output "$work/results" "$@"; }

"$build/fpt_sweep" "$sweep" --dry-run | tee "$work/plan.txt"
grep -q "saves its body for init: bit" "$work/plan.txt" || { echo "FAIL: no pretraining in plan"; exit 1; }
grep -q "(after " "$work/plan.txt" || { echo "FAIL: no dependency in plan"; exit 1; }

run | tee "$work/first.log"
[ "$(ls "$work/results"/*.h5 | wc -l)" -eq 3 ] || { echo "FAIL: expected 3 result files"; exit 1; }
for file in "$work/results"/*.h5; do
  h5dump -a /status "$file" | grep -q '"completed"' || { echo "FAIL: $file not completed"; exit 1; }
done
bodies=$(ls "$work/results/bodies"/*.safetensors | wc -l)
[ "$bodies" -eq 1 ] || { echo "FAIL: expected 1 saved body, found $bodies"; exit 1; }
# The dependent started only after the pretraining finished.
pretraining_done=$(grep -n "bit-pretraining" "$work/first.log" | grep -iE "completed|done|finished" | head -1 | cut -d: -f1)
bit_started=$(grep -n "gpt2-tiny_bit-xor_bit" "$work/first.log" | head -1 | cut -d: -f1)
[ -n "$pretraining_done" ] && [ -n "$bit_started" ] && [ "$bit_started" -gt "$pretraining_done" ] ||
  { echo "FAIL: the init-bit experiment did not wait for its pretraining"; exit 1; }

run | tee "$work/second.log"
grep -q "0 to run, 3 already completed" "$work/second.log" || { echo "FAIL: rerun did not skip"; exit 1; }

# A lost body is not recomputed while nothing needs it (every dependent finished) ...
rm "$work/results/bodies"/*.safetensors
run | tee "$work/third.log"
grep -q "0 to run, 3 already completed" "$work/third.log" || { echo "FAIL: unneeded body rebuilt"; exit 1; }
# ... but is when a dependent must run again: the pretraining first, then the dependent.
bit_result=$(grep -l "gpt2-tiny_bit-xor_bit" "$work/results"/*.h5 | head -1)
[ -n "$bit_result" ] || { echo "FAIL: no result file of the init-bit experiment"; exit 1; }
rm "$bit_result"
run | tee "$work/fourth.log"
grep -q "2 to run, 1 already completed" "$work/fourth.log" || { echo "FAIL: lost body not rebuilt for its dependent"; exit 1; }
[ "$(ls "$work/results/bodies"/*.safetensors | wc -l)" -eq 1 ] || { echo "FAIL: body not saved again"; exit 1; }
[ "$(ls "$work/results/bodies"/*.safetensors | wc -l)" -eq 1 ] || { echo "FAIL: body not saved again"; exit 1; }
echo "bit_init: OK"
