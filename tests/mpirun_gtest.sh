#!/usr/bin/env bash
# Runs a GoogleTest binary under mpirun with NP ranks (ctest's entry for the MPI unit tests):
#   tests/mpirun_gtest.sh NP BINARY [gtest arguments...]
# FPT_MPIRUN_ARGS (scripts/mpi_env.sh; default --oversubscribe) goes to mpirun.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 NP BINARY [gtest arguments...]" >&2; exit 2; }
np=$1
binary=$2
shift 2
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/mpi_env.sh"
# shellcheck disable=SC2086  # FPT_MPIRUN_ARGS is a list of arguments
exec mpirun -np "$np" $FPT_MPIRUN_ARGS "$binary" "$@"
