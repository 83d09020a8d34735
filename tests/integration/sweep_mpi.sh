#!/usr/bin/env bash
# Integration test: runs a small sweep on 2 MPI ranks, checks every experiment left an HDF5 result
# file that h5dump opens with status "completed", that the printed table has every task, that a
# rerun skips the finished work, and that the merged table is written.
#   sweep_mpi.sh BUILD_DIR SWEEP_FILE WORK_DIR
set -euo pipefail
build=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
run() { mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" --output "$work/results" "$@"; }

run | tee "$work/first.log"
expected=$("$build/fpt_sweep" "$sweep" --dry-run | grep -cE '^ +[0-9]+  [0-9a-f]{16} ')
files=$(ls "$work/results"/*.h5 | wc -l)
echo "expected $expected experiments, found $files result files"
[ "$files" -eq "$expected" ] || { echo "FAIL: result file count"; exit 1; }
ls "$work/results" | grep -q '\.tmp' && { echo "FAIL: temporary files left behind"; exit 1; }
for file in "$work/results"/*.h5; do
  h5dump -a /status "$file" | grep -q '"completed"' || { echo "FAIL: $file not completed"; h5dump -A "$file"; exit 1; }
  # What trained it: the CPU here, "cuda:N" on a GPU machine.
  h5dump -a /device "$file" | grep -Eq '"(cpu|cuda:[0-9]+)"' || { echo "FAIL: $file has no device"; exit 1; }
done
for task in bit-xor bit-memory listops; do
  grep -q "| $task" "$work/first.log" || grep -q "$task |" "$work/first.log" ||
    { echo "FAIL: table lacks $task"; exit 1; }
done
grep -q "summary.md" "$work/first.log"
[ -s "$work/results/summary.md" ] || { echo "FAIL: no summary.md"; exit 1; }

run | tee "$work/second.log"
grep -Eq "0 to run, $expected already completed" "$work/second.log" ||
  { echo "FAIL: rerun did not skip completed experiments"; exit 1; }
echo "sweep_mpi: OK"
