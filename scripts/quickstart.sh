#!/usr/bin/env bash
# Quick start, command 1: set up what the quick start needs, build its programs, and run the quick
# sweep on two MPI ranks (sweeps/quick.yaml: frozen language-pretrained MiniLM against the same
# architecture randomly initialised), then draw its learning curves. Safe to run again: finished
# work is kept, an interrupted sweep continues where it stopped.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
#
#   bash scripts/quickstart.sh [fpt_sweep options]   e.g. --output DIR, --force, --threads N
results=results/quick
arguments=("$@")
for ((i = 0; i < ${#arguments[@]}; ++i)); do
  case ${arguments[i]} in
    --output) results=${arguments[i + 1]:-$results} ;;
    --output=*) results=${arguments[i]#--output=} ;;
  esac
done
bash "$repo/scripts/setup.sh" --quickstart
cd "$repo"
build=${FPT_BUILD:-build}
source scripts/mpi_env.sh
status=0
start=$SECONDS
mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" sweeps/quick.yaml "$@" || status=$?
case $status in
  0 | 1) ;;  # 1: some experiment failed (named above); its figures and results are still drawn
  75) echo "quickstart: the sweep was stopped; run the same command again to continue" >&2; exit $status ;;
  *) echo "quickstart: the sweep exited with $status (the messages above say why)" >&2; exit $status ;;
esac
"$build/fpt_figures" "$results" --out "$results/figures" > "$results/figures.log" 2>&1 ||
  { cat "$results/figures.log" >&2; echo "quickstart: fpt_figures failed" >&2; exit 1; }
echo "[quickstart] sweep and figures: $((SECONDS - start)) s"
curves=$(ls "$results"/figures/*.png 2>/dev/null | tr '\n' ' ')
cat <<TEXT

Results: $results/ (one HDF5 file per experiment, summary.md); learning curves: ${curves:-none drawn}
The paper's grid: mpirun -np 2 $build/fpt_sweep sweeps/table2.yaml --scale tiny   (Table 2 in minutes, offline; without --scale the full grid, after $build/fpt_fetch gpt2 vit-base and the data of docs/data.md)
TEXT
exit $status
