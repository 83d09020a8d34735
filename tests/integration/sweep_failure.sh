#!/usr/bin/env bash
# Integration test: with one rank (rank 0 coordinates and works), a sweep whose listops experiment
# fails finishes the other experiment, records the failure in its result file and the table, exits
# non-zero, and a rerun does not retry the failure unless asked.
#   sweep_failure.sh BUILD_DIR SWEEP_FILE WORK_DIR
set -uo pipefail
build=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
run() { mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" --output "$work/results" "$@" > "$work/log" 2>&1; }

run; code=$?
cat "$work/log"
[ $code -ne 0 ] || { echo "FAIL: sweep with a failed experiment exited 0"; exit 1; }
grep -q "FAILED gpt2-tiny_listops" "$work/log" || { echo "FAIL: no failure line"; exit 1; }
grep -q "/nonexistent/lra_release/listops-1000" "$work/log" || { echo "FAIL: error does not name the directory"; exit 1; }
grep -Eq "done +gpt2-tiny_bit-xor" "$work/log" || { echo "FAIL: bit-xor did not complete"; exit 1; }
grep -Eq "^\| gpt2-tiny / random / fpt \| [0-9.]+ \(n=1\) \| failed \|$" "$work/log" ||
  { echo "FAIL: table does not show the failed cell"; exit 1; }
statuses=$(for f in "$work/results"/*.h5; do h5dump -a /status "$f" | grep -oE '"(completed|failed)"'; done | sort | tr '\n' ' ')
[ "$statuses" = '"completed" "failed" ' ] || { echo "FAIL: statuses $statuses"; exit 1; }

run; code=$?
cat "$work/log"
[ $code -ne 0 ] || { echo "FAIL: rerun exited 0 with a failure recorded"; exit 1; }
grep -q "0 to run, 1 already completed, 1 failed earlier" "$work/log" || { echo "FAIL: rerun retried"; exit 1; }
run --retry-failed; code=$?
grep -q "1 to run, 1 already completed, 0 failed earlier" "$work/log" || { cat "$work/log"; echo "FAIL: --retry-failed"; exit 1; }
echo "sweep_failure: OK"
