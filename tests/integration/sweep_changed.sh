#!/usr/bin/env bash
# Integration test: a changed sweep file under the same name is refused. After a tiny sweep ran
# into a directory, the same file with other steps (all new ids) exits non-zero naming the
# directory, the counts and --output / --force, and leaves the directory as it was; a --where
# subset of the original grid still runs; --force runs the edited grid and records it.
#   sweep_changed.sh BUILD_DIR SWEEP_FILE WORK_DIR
set -uo pipefail
build=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
results=$work/results
run() { local file=$1; shift
        mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$file" --output "$results" "$@" > "$work/run.log" 2>&1; }
ids_of() { "$build/fpt_sweep" "$1" --dry-run | grep -oE '^ +[0-9]+  [0-9a-f]{16}' | awk '{print $2}' | sort; }
edited=$work/tiny.yaml  # same name: tiny, other steps
sed 's/^  steps: 20$/  steps: 30/' "$sweep" > "$edited"
grep -q "steps: 30" "$edited" || { echo "FAIL: could not edit the sweep file"; exit 1; }

run "$sweep" || { cat "$work/run.log"; echo "FAIL: first run"; exit 1; }
[ "$(cat "$results/plan_ids.txt")" = "$(ids_of "$sweep")" ] || { echo "FAIL: plan_ids.txt is not the grid"; exit 1; }
cp "$results/sweep.yaml" "$work/sweep.yaml.before"

run "$edited"; code=$?
cat "$work/run.log"
[ $code -ne 0 ] || { echo "FAIL: the edited sweep ran into the old directory"; exit 1; }
grep -Eq "$results holds the results of a different grid \(plan_ids.txt\): 2 of this grid's 2 experiment ids are not in it and 2 of its 2" "$work/run.log" ||
  { echo "FAIL: refusal message"; exit 1; }
grep -q -- "--output DIR" "$work/run.log" && grep -q -- "--force" "$work/run.log" || { echo "FAIL: no way out named"; exit 1; }
[ "$(ls "$results"/*.h5 | wc -l)" -eq 2 ] || { echo "FAIL: the refused run wrote results"; exit 1; }
cmp -s "$results/sweep.yaml" "$work/sweep.yaml.before" || { echo "FAIL: the refused run replaced sweep.yaml"; exit 1; }
[ "$(cat "$results/plan_ids.txt")" = "$(ids_of "$sweep")" ] || { echo "FAIL: the refused run replaced plan_ids.txt"; exit 1; }

# Part of the same grid is the same sweep.
run "$sweep" --where seed=1 || { cat "$work/run.log"; echo "FAIL: --where subset refused"; exit 1; }
grep -q "0 to run, 1 already completed" "$work/run.log" || { cat "$work/run.log"; echo "FAIL: --where rerun"; exit 1; }

run "$edited" --force || { cat "$work/run.log"; echo "FAIL: --force run"; exit 1; }
grep -q "2 to run, 0 already completed" "$work/run.log" || { cat "$work/run.log"; echo "FAIL: --force did not run the edited grid"; exit 1; }
[ "$(ls "$results"/*.h5 | wc -l)" -eq 4 ] || { echo "FAIL: expected 4 result files"; exit 1; }
[ "$(cat "$results/plan_ids.txt")" = "$(ids_of "$edited")" ] || { echo "FAIL: --force did not record the new grid"; exit 1; }
grep -q "steps: 30" "$results/sweep.yaml" || { echo "FAIL: sweep.yaml is not the edited file"; exit 1; }

# Now the original is the different grid.
run "$sweep"; code=$?
[ $code -ne 0 ] && grep -q "holds the results of a different grid" "$work/run.log" ||
  { cat "$work/run.log"; echo "FAIL: the original grid ran into the edited one's directory"; exit 1; }
echo "sweep_changed: OK"
