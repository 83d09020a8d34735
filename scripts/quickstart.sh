#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run the default sweep on two MPI ranks.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "$repo"
source scripts/mpi_env.sh
exec mpirun -np 2 $FPT_MPIRUN_ARGS build/fpt_sweep sweeps/quick.yaml "$@"
