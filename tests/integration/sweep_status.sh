#!/usr/bin/env bash
# Integration test: `fpt_sweep status` (one process, no MPI) on a tiny sweep's results directory —
# before any run (all left), after a --where run of one experiment (1 done, 1 left, the done line
# with its accuracy), after the full rerun (all done), while another process holds the ledger
# (running there now; a second run refused); a bad sweep file is an error naming it.
#   sweep_status.sh BUILD_DIR SWEEP_FILE WORK_DIR
set -uo pipefail
build=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
results=$work/results
run() { mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" --output "$results" "$@" > "$work/run.log" 2>&1 ||
          { cat "$work/run.log"; echo "FAIL: fpt_sweep $* exited non-zero"; exit 1; }; }
# No MPI at all (not even the run-as-root permission mpirun needs): status never initialises it.
status() { env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
             "$build/fpt_sweep" status "$sweep" --output "$results" "$@" > "$work/status.log" 2>&1
           code=$?; cat "$work/status.log"
           [ $code -eq 0 ] || { echo "FAIL: fpt_sweep status exited $code"; exit 1; }; }
expect() { grep -Eq -- "$1" "$work/status.log" || { echo "FAIL: status output lacks /$1/"; exit 1; }; }

ids=$("$build/fpt_sweep" "$sweep" --dry-run | grep -oE '^ +[0-9]+  [0-9a-f]{16}  [^ ]+' | awk '{print $2, $3}')
seed0=$(echo "$ids" | awk '/_s0$/ {print $1}') seed1=$(echo "$ids" | awk '/_s1$/ {print $1}')
[ -n "$seed0" ] && [ -n "$seed1" ] || { echo "FAIL: no ids from --dry-run: $ids"; exit 1; }

status
expect "^sweep 'tiny' from .*: 2 experiments, results in $results \(no fpt_sweep is running there\)"
expect "^0 done, 0 failed, 0 running, 0 interrupted, 2 left of 2 experiments$"
expect "^left +$seed0 +gpt2-tiny_bit-xor_random_fpt_s0"

run --where seed=0
status
expect "^done +$seed0 +gpt2-tiny_bit-xor_random_fpt_s0 +[0-9.]+% accuracy, 20 steps, [0-9]+ s$"
expect "^left +$seed1 "
expect "^1 done, 0 failed, 0 running, 0 interrupted, 1 left of 2 experiments$"
expect "^To finish: run the same fpt_sweep command again"
# --where narrows the report the same way it narrows a run.
status --where seed=1
expect "^0 done, 0 failed, 0 running, 0 interrupted, 1 left of 1 experiments$"

run
grep -q "1 to run, 1 already completed" "$work/run.log" || { cat "$work/run.log"; echo "FAIL: rerun"; exit 1; }
status
expect "^2 done, 0 failed, 0 running, 0 interrupted, 0 left of 2 experiments$"
grep -q "To finish" "$work/status.log" && { echo "FAIL: advice to finish a finished sweep"; exit 1; }

# A process holding the ledger's lock is a live fpt_sweep: status says so, and a second run into
# the directory is refused before it writes anything.
exec 9>> "$results/ledger.jsonl"
flock -n 9 || { echo "FAIL: cannot lock the ledger"; exit 1; }
status
expect "\(an fpt_sweep is running there now\)"
mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$sweep" --output "$results" > "$work/run.log" 2>&1; code=$?
exec 9>&-  # closing the only descriptor of that open file drops the lock
cat "$work/run.log"
[ $code -ne 0 ] && grep -q "another fpt_sweep is running into $results" "$work/run.log" ||
  { echo "FAIL: a second fpt_sweep into a busy directory was not refused"; exit 1; }

"$build/fpt_sweep" status "$(dirname "$0")/bad_input/malformed.yaml" > "$work/bad.log" 2>&1
code=$?; cat "$work/bad.log"
[ $code -eq 2 ] || { echo "FAIL: status of a malformed sweep exited $code, not 2"; exit 1; }
grep -Eq "^fpt_sweep status: error: .*malformed.yaml:[0-9]+" "$work/bad.log" || { echo "FAIL: error does not name the file"; exit 1; }
echo "sweep_status: OK"
