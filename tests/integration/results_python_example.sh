#!/usr/bin/env bash
# Integration test: the h5py/pandas example of docs/results-format.md ("Reading the collection"),
# taken from the document itself, runs against the collection fpt_tables.sh wrote, and sees every
# experiment. Needs the venv of tests/tools/setup_results_venv.sh (scripts/setup.sh creates it);
# without it the test fails — it never skips.
#   results_python_example.sh SOURCE_DIR FPT_TABLES_WORK_DIR
set -uo pipefail
source=$1 work=$2
venv=${FPT_RESULTS_VENV:-/var/cache/fpt/results-venv}
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$venv/bin/python" ] ||
  fail "no Python venv with h5py and pandas at $venv; create it with tests/tools/setup_results_venv.sh (scripts/setup.sh runs it)"
collection=$work/results.h5
[ -f "$collection" ] || fail "$collection missing: integration.fpt_tables writes it (run it first)"

# The block after the marker comment, with the example's path replaced by the real one.
awk '/<!-- collection-example/ {found = 1; next}
     found && /^```python/ {inside = 1; next}
     inside && /^```/ {exit}
     inside {print}' "$source/docs/results-format.md" | sed "s|results/table2.h5|$collection|" > "$work/example.py"
[ "$(wc -l < "$work/example.py")" -eq 5 ] || { cat "$work/example.py"; fail "the documented example is not 5 lines"; }
cat "$work/example.py"
"$venv/bin/python" - "$work/example.py" "$work/results" <<'PY' || fail "the documented example failed"
import pathlib, sys
source = open(sys.argv[1]).read()
scope = {}
exec(compile(source, "docs/results-format.md example", "exec"), scope)
runs, curve = scope["runs"], scope["curve"]
ids = sorted(p.stem for p in pathlib.Path(sys.argv[2]).glob("*.h5") if p.stem != "00000000deadbeef")
ids = [i for i in ids if i in set(open(pathlib.Path(sys.argv[2]) / "plan_ids.txt").read().split())]
assert sorted(runs.id) == ids, (sorted(runs.id), ids)
assert set(runs.status) == {"completed"}, runs.status
assert runs.tag.str.startswith("gpt2-tiny_").all(), runs.tag
assert (runs.steps_done == runs.steps).all()
assert len(curve) >= 1 and curve.eval_accuracy.iloc[-1] == runs.final_eval_accuracy[0], curve
print("results_python_example: OK,", len(runs), "experiments")
PY
