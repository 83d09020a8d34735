#!/usr/bin/env bash
# Python packages for the benchmark baseline (never needed to run fpt): transformers and torch's
# own pure-Python dependencies, into the LibTorch venv that scripts/setup.sh created.
set -euo pipefail
venv=${FPT_CACHE:-/var/cache/fpt}/torch-2.12.1
"$venv/bin/pip" install -q typing_extensions sympy filelock networkx jinja2 fsspec "transformers==4.46.3"
