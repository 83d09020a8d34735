#!/usr/bin/env bash
# Creates the small Python environment (h5py + pandas) in which the test of docs/results-format.md
# runs the documented h5py/pandas example against a real sweep collection (results/<sweep>.h5).
# scripts/setup.sh runs this; safe to run again (a marker file makes a rerun instant).
#
#   FPT_RESULTS_VENV   where the venv goes (default /var/cache/fpt/results-venv)
#
# Usage: tests/tools/setup_results_venv.sh
set -euo pipefail

venv=${FPT_RESULTS_VENV:-/var/cache/fpt/results-venv}
marker=$venv/.fpt-results-venv-complete
h5py_version=3.12.1
pandas_version=2.2.3
numpy_version=2.2.6

if [ -f "$marker" ]; then
  echo "[results-venv] ready at $venv"
  exit 0
fi
echo "[results-venv] creating $venv (one time, ~60 MB download)"
mkdir -p "$(dirname "$venv")"
rm -rf "$venv"
python3 -m venv "$venv"
if ! "$venv/bin/pip" install -q --disable-pip-version-check "h5py==$h5py_version" \
    "pandas==$pandas_version" "numpy==$numpy_version"; then
  rm -rf "$venv"
  echo "[results-venv] error: could not install h5py==$h5py_version pandas==$pandas_version" \
    "numpy==$numpy_version from PyPI (pip's message is above; no network?). Only the test of" \
    "docs/results-format.md needs them; with PyPI reachable, run the same command again." >&2
  exit 1
fi
"$venv/bin/python" -c 'import h5py, pandas; print("[results-venv] h5py", h5py.__version__, "pandas", pandas.__version__)'
touch "$marker"
