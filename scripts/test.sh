#!/usr/bin/env bash
# Quick start, command 2: set up everything (the test suite's packages too), build every target,
# and run the whole test suite through ctest. Safe to run again.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "${FPT_BUILD:-$repo/build}"
source "$repo/scripts/mpi_env.sh"
ctest --output-on-failure --timeout 1500 -j "$(nproc)" "$@"
