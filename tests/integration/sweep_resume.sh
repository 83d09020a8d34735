#!/usr/bin/env bash
# Preemption-safe resume of a whole sweep under mpirun -np 2: SIGUSR2 to mpirun (forwarded to every
# rank) while experiments run -> each saves its checkpoint, fpt_sweep exits 75 without writing
# their result files; the rerun resumes them ("resuming ... from step N") and every result file
# is bit-identical (curves, final metrics) to an uninterrupted run of the same sweep.
#   sweep_resume.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1 work=$2
source "$(dirname "$0")/sweep_resume_lib.sh"
start_interrupted_run "$build" "$work"
wait_for 120 bash -c "ls '$work/results/checkpoints/'*.pt >/dev/null 2>&1"
kill -USR2 $launcher
status=0; wait $launcher || status=$?
cat "$work/first.log"
[ "$status" -eq 75 ] || { echo "FAIL: interrupted sweep exited $status, expected 75"; exit 1; }
grep -q "interrupted" "$work/first.log" || { echo "FAIL: no 'interrupted' line"; exit 1; }
interrupted=$(grep -c '"status":"interrupted"' "$work/results/ledger.jsonl" || true)
[ "$interrupted" -ge 1 ] || { echo "FAIL: the ledger records no interrupted experiment"; exit 1; }
for checkpoint in "$work/results/checkpoints/"*.pt; do
  id=$(basename "$checkpoint" .pt)
  [ ! -e "$work/results/$id.h5" ] || { echo "FAIL: $id has a checkpoint and a result file"; exit 1; }
done
"$build/fpt_sweep" status "$work/resume.yaml" --output "$work/results" | tee "$work/status.log"

run "$work/results" | tee "$work/second.log"
grep -Eq "resuming .* from step [1-9][0-9]*" "$work/second.log" ||
  { echo "FAIL: the rerun resumed nothing"; exit 1; }
ls "$work/results/checkpoints/"*.pt >/dev/null 2>&1 && { echo "FAIL: checkpoints left after completion"; exit 1; }
check_group_resumed "$work/results" "$work/second.log"
same_results "$work/results" "$work/reference"
echo "sweep_resume: OK"
