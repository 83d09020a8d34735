#!/usr/bin/env bash
# Crash tolerance under mpirun -np 2: kill -9 of a worker rank mid-sweep (after checkpoints exist)
# takes the job down; every result file left behind is complete (opens, says completed), no
# temporary is ever taken for a result; a rerun finishes the sweep, resuming from the
# checkpoints, and every result is bit-identical to an uninterrupted run.
#   sweep_kill9.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1 work=$2
source "$(dirname "$0")/sweep_resume_lib.sh"
start_interrupted_run "$build" "$work"
# rank 1's process: the fpt_sweep whose environment says OMPI_COMM_WORLD_RANK=1
rank1_pid() {
  for pid in $(pgrep -f "fpt_sweep $work/resume.yaml" || true); do
    tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && echo $pid
  done
}
wait_for 120 bash -c "ls '$work/results/checkpoints/'*.pt >/dev/null 2>&1"
sleep 1  # let it get past the checkpoint, so some work is lost and redone
victim=$(rank1_pid)
[ -n "$victim" ] || { echo "FAIL: rank 1 not found"; kill $launcher; exit 1; }
echo "kill -9 rank 1 (pid $victim)"
kill -9 "$victim"
status=0; timeout 120 tail --pid=$launcher -f /dev/null || { echo "FAIL: mpirun hangs after kill -9"; kill -9 $launcher; exit 1; }
wait $launcher || status=$?
echo "mpirun exited $status after the kill"
[ "$status" -ne 0 ] || { echo "FAIL: mpirun reported success after a rank was killed"; exit 1; }

# Whatever is there is whole: every <id>.h5 opens and says completed.
for file in "$work/results"/*.h5; do
  [ -e "$file" ] || continue
  h5dump -a /status "$file" | grep -q '"completed"' ||
    { echo "FAIL: $file is not a complete result file"; exit 1; }
done
echo "after the crash: $(ls "$work/results"/*.h5 2>/dev/null | wc -l) complete result files," \
     "$(ls "$work/results/checkpoints"/*.pt 2>/dev/null | wc -l) checkpoints"

run "$work/results" | tee "$work/second.log"
grep -Eq "resuming .* from step [1-9][0-9]*" "$work/second.log" ||
  { echo "FAIL: the rerun resumed nothing from a checkpoint"; exit 1; }
grep -q '"status":"interrupted"' "$work/results/ledger.jsonl" ||
  { echo "FAIL: the ledger did not close the crashed run's entries"; exit 1; }
check_group_resumed "$work/results" "$work/second.log"
leftovers=$(find "$work/results" -name '*.tmp.*' | wc -l)
[ "$leftovers" -eq 0 ] || { echo "FAIL: $leftovers temporary files left after the rerun"; exit 1; }
same_results "$work/results" "$work/reference"
echo "sweep_kill9: OK"
