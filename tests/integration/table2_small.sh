#!/usr/bin/env bash
# Integration test: the paper's Table 2 sweep file expands to its whole grid (--dry-run), every row
# runnable in this build, and its download-free rows (random and Bit-Memory-pretrained
# GPT-2 on the synthetic tasks) run end to end at a tiny size on 2 ranks.
#   table2_small.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$source/scripts/mpi_env.sh"
sweep="$source/sweeps/table2.yaml"

"$build/fpt_sweep" "$sweep" --dry-run > "$work/plan.txt"
grep -q "total: 85 experiments" "$work/plan.txt" || { echo "FAIL: table2 grid size"; cat "$work/plan.txt"; exit 1; }
# Every task, body and init of Table 2 is implemented: no row is marked unrunnable any more.
if grep -q "cannot run" "$work/plan.txt"; then echo "FAIL: rows marked unrunnable"; grep "cannot run" "$work/plan.txt"; exit 1; fi
for task in bit-memory bit-xor listops mnist cifar10 cifar10-gray remote-homology; do
  [ "$(grep -c "_${task}_" "$work/plan.txt")" -ge 9 ] || { echo "FAIL: task $task missing from the grid"; exit 1; }
done

small=(--only-runnable --where init=random,bit --where task=bit-xor,bit-memory,listops
       --where seed=0 --set body=gpt2-tiny --set steps=30 --set bit_pretrain_steps=30
       --set eval_every=15 --set eval_batches=2
       --set listops_max_tokens=64 --set listops_max_depth=4 --set listops_min_length=10
       --set listops_max_length=60 --set listops_max_args=5 --set listops_train_size=400
       --set listops_eval_size=100 --output "$work/results")
"$build/fpt_sweep" "$sweep" "${small[@]}" --dry-run | tee "$work/small_plan.txt"
grep -q "total: 7 experiments" "$work/small_plan.txt" || { echo "FAIL: small grid size"; exit 1; }
# The sweep file may come after repeated --set/--where (each takes exactly one value), and --where
# matches the values experiments run with (lr 0 in the file resolves to 1e-3 before matching).
"$build/fpt_sweep" "${small[@]}" --where lr=0.001 "$sweep" --dry-run > "$work/small_plan_after.txt"
diff <(grep -v "^sweep\|source" "$work/small_plan.txt") <(grep -v "^sweep\|source" "$work/small_plan_after.txt") \
  || { echo "FAIL: option order or resolved lr changed the plan"; exit 1; }
if "$build/fpt_sweep" "$sweep" "${small[@]}" --set steps=0 --dry-run > "$work/zero.log" 2>&1; then
  echo "FAIL: --set steps=0 accepted"; exit 1
fi
grep -q "steps=0.*must be a positive integer" "$work/zero.log" || { echo "FAIL: --set steps=0 message"; cat "$work/zero.log"; exit 1; }
FPT_DATA_DIR="$work/data" mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" "${small[@]}" \
  | tee "$work/run.log"
[ "$(ls "$work/results"/*.h5 | wc -l)" -eq 7 ] || { echo "FAIL: expected 7 result files"; exit 1; }
for file in "$work/results"/*.h5; do
  h5dump -a /status "$file" | grep -q '"completed"' || { echo "FAIL: $file not completed"; exit 1; }
done
grep -q "^# fpt_sweep --set body=gpt2-tiny" "$work/results/sweep.yaml" || { echo "FAIL: saved sweep.yaml lacks --set"; exit 1; }
grep -q "gpt2-tiny / bit / fpt" "$work/run.log" || { echo "FAIL: no Bit row in the table"; exit 1; }
grep -q "gpt2-tiny / random / fpt" "$work/run.log" || { echo "FAIL: no Random row in the table"; exit 1; }
echo "table2_small: OK"
