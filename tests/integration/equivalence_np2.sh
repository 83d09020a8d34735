#!/usr/bin/env bash
# Data-parallel equivalence as a command: the trainer's group test under mpirun -np 2 (CPU/MPI by
# default; FPT_DEVICE=cuda runs it on two GPUs with NCCL — tests/gpu/run_gpu_checks.sh).
#   equivalence_np2.sh BUILD_DIR
set -euo pipefail
build=$1
exec "$(dirname "$0")/../mpirun_gtest.sh" 2 "$build/tests/fpt_test_train_mpi"
