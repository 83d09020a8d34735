#!/usr/bin/env bash
# Integration test: one of the paper's sweep files run as a user runs it at its tiny scale
# (`mpirun -np 2 fpt_sweep sweeps/NAME.yaml --scale tiny`), then each table it fills rendered by
# fpt_tables — Markdown into the log, CSV checked cell by cell against values computed
# independently from the run files by tests/tools/check_paper_table.py (h5py), LaTeX compiled when
# pdflatex is installed; then the sweep's learning-curve figures (fpt_figures), one per task.
#   paper_sweep_tiny.sh BUILD_DIR SOURCE_DIR WORK_DIR SWEEP TABLE:MIN_CELLS_WITH_NUMBERS...
set -uo pipefail
[ $# -ge 5 ] || { echo "usage: paper_sweep_tiny.sh BUILD_DIR SOURCE_DIR WORK_DIR SWEEP TABLE:N..."; exit 2; }
build=$1 source=$2 work=$3 sweep=$4
shift 4
rm -rf "$work" && mkdir -p "$work"
source "$source/scripts/mpi_env.sh"
venv=${FPT_RESULTS_VENV:-/var/cache/fpt/results-venv}
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$venv/bin/python" ] ||
  fail "no Python venv with h5py at $venv; create it with tests/tools/setup_results_venv.sh (scripts/setup.sh runs it)"

results=$work/results
FPT_DATA_DIR="$work/data" mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" \
  "$source/sweeps/$sweep.yaml" --scale tiny --output "$results" > "$work/sweep.log" 2>&1
status=$?
tail -n 40 "$work/sweep.log"
[ $status -eq 0 ] || fail "fpt_sweep $sweep.yaml --scale tiny exited $status"
grep -q "at scale tiny" "$work/sweep.log" || fail "the sweep did not say it ran at scale tiny"

for entry in "$@"; do
  table=${entry%%:*} min_cells=${entry##*:}
  # fpt_sweep printed the table at the end of the run.
  grep -q "^### $table: " "$work/sweep.log" || fail "fpt_sweep did not print table $table"
  "$build/fpt_tables" "$results" --table "$table" > "$work/$table.md" 2> "$work/$table.err" ||
    { cat "$work/$table.err"; fail "fpt_tables --table $table exited non-zero"; }
  cat "$work/$table.md"
  "$build/fpt_tables" "$results" --table "$table" --format csv --out "$work/$table.csv" ||
    fail "fpt_tables --table $table --format csv"
  "$venv/bin/python" "$source/tests/tools/check_paper_table.py" "$results" "$work/$table.csv" \
    "$table" --min-ok "$min_cells" || fail "table $table differs from the run files"
  "$build/fpt_tables" "$results" --table "$table" --format latex --out "$work/$table.tex" ||
    fail "fpt_tables --table $table --format latex"
  grep -q '\\toprule' "$work/$table.tex" || fail "$table.tex has no booktabs rules"
  if command -v pdflatex > /dev/null; then
    printf '\\documentclass{article}\\usepackage{booktabs,graphicx}\\begin{document}\\input{%s.tex}\\end{document}\n' \
      "$table" > "$work/$table-doc.tex"
    (cd "$work" && pdflatex -interaction=nonstopmode "$table-doc.tex" > "$table-latex.log" 2>&1) ||
      fail "LaTeX of $table does not compile (see $work/$table-latex.log)"
  fi
done

# The learning-curve figures of the sweep: one per task it ran (PNG and SVG by gnuplot).
"$build/fpt_figures" "$results" --out "$work/figures" > "$work/figures.log" 2>&1 ||
  { cat "$work/figures.log"; fail "fpt_figures exited non-zero"; }
tasks=$("$venv/bin/python" - "$results" <<'PY'
import h5py, json, pathlib, sys
plan = set((pathlib.Path(sys.argv[1]) / "plan_ids.txt").read_text().split())
tasks = set()
for path in pathlib.Path(sys.argv[1]).glob("*.h5"):
    with h5py.File(path, "r") as f:
        if f.attrs["id"] in plan:
            tasks.add(json.loads(f["spec"].attrs["spec_json"])["task"])
print(" ".join(sorted(tasks)))
PY
)
[ -n "$tasks" ] || fail "no tasks found in the run files"
for task in $tasks; do
  for extension in png svg; do
    [ "$(stat -c %s "$work/figures/curves_$task.$extension" 2> /dev/null || echo 0)" -gt 5000 ] ||
      fail "no learning-curve figure curves_$task.$extension"
  done
done
echo "paper_sweep_tiny $sweep: OK"
