#!/usr/bin/env bash
# GPU readiness checks, run on a machine with NVIDIA GPUs (docs/gpu.md):
#   1. configure and build fpt with CUDA (scripts/setup.sh; LibTorch's own NCCL),
#   2. the NCCL communicator against the MPI one (tests/fpt_gpu_nccl_test under mpirun, one rank
#      per GPU, at most 2),
#   3. the data-parallel equivalence test on CUDA (tests/integration/equivalence_np2.sh, 2 GPUs),
#   4. a short sweep (sweeps/ci.yaml) under mpirun -np 2, checking fpt_sweep ran on a GPU.
# Prints a PASS/FAIL/SKIP line per check and exits non-zero if any check failed.
#
#   tests/gpu/run_gpu_checks.sh [BUILD_DIR]     (default: <repo>/build-gpu)
#   FPT_MPIRUN_ARGS  extra mpirun arguments (scripts/mpi_env.sh)
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath -m "${1:-$repo/build-gpu}")
work=$(mktemp -d "${TMPDIR:-/tmp}/fpt-gpu-checks.XXXXXX")
source "$repo/scripts/mpi_env.sh"

declare -a summary=()
failed=0
record() {  # record STATUS NAME DETAIL
  summary+=("$(printf '%-4s  %-12s %s' "$1" "$2" "$3")")
  [ "$1" = FAIL ] && failed=1
  echo "[gpu-checks] $1 $2: $3"
}
finish() {
  echo
  echo "=== GPU checks (logs in $work) ==="
  printf '%s\n' "${summary[@]}"
  if ((failed)); then echo "RESULT: FAIL"; exit 1; fi
  echo "RESULT: PASS"
  exit 0
}

# --- GPUs -------------------------------------------------------------------------------------
if ! command -v nvidia-smi > /dev/null; then
  record FAIL gpus "nvidia-smi not found: no NVIDIA driver on this machine"
  finish
fi
gpus=$(nvidia-smi -L 2> /dev/null | grep -c '^GPU ')
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  visible=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c .)
  ((visible < gpus)) && gpus=$visible
fi
if ((gpus == 0)); then
  record FAIL gpus "no GPU visible (nvidia-smi -L lists none, or CUDA_VISIBLE_DEVICES is empty)"
  finish
fi
record PASS gpus "$gpus visible: $(nvidia-smi --query-gpu=name --format=csv,noheader | sort | uniq -c | xargs)"
ranks=$((gpus < 2 ? gpus : 2))

# --- 1. build ---------------------------------------------------------------------------------
if FPT_BUILD="$build" bash "$repo/scripts/setup.sh" > "$work/build.log" 2>&1; then
  record PASS build "$build"
else
  record FAIL build "scripts/setup.sh failed: see $work/build.log"
  tail -30 "$work/build.log"
  finish
fi
if grep -q '^FPT_NCCL_LIBRARY:FILEPATH=/' "$build/CMakeCache.txt" &&
  grep -q '^FPT_NCCL_INCLUDE_DIR:PATH=/' "$build/CMakeCache.txt"; then
  record PASS nccl-build "$(grep '^FPT_NCCL_LIBRARY:' "$build/CMakeCache.txt" | cut -d= -f2)"
else
  record FAIL nccl-build "built without NCCL (CPU LibTorch, or nccl.h / libnccl.so.2 not found; see docs/gpu.md)"
fi

# --- 2. NCCL communicator vs MPI ----------------------------------------------------------------
# shellcheck disable=SC2086  # FPT_MPIRUN_ARGS is a list of arguments
if mpirun -np "$ranks" $FPT_MPIRUN_ARGS "$build/tests/fpt_gpu_nccl_test" > "$work/nccl_test.log" 2>&1; then
  record PASS nccl-test "mpirun -np $ranks: $(grep -aoE '[0-9]+ tests? from [0-9]+ test suites? ran' "$work/nccl_test.log" | head -1)"
else
  record FAIL nccl-test "mpirun -np $ranks tests/fpt_gpu_nccl_test: see $work/nccl_test.log"
  grep -aE 'Failure|FAILED|rank [0-9]\]|nccl communicator' "$work/nccl_test.log" | head -20
fi
((ranks < 2)) && record SKIP nccl-np2 "one GPU: NCCL needs one GPU per rank, so only -np 1 ran"

# --- 3. equivalence on CUDA ---------------------------------------------------------------------
equivalence=$repo/tests/integration/equivalence_np2.sh
if ((gpus < 2)); then
  record SKIP equivalence "needs 2 GPUs (one per rank of the group)"
elif [ ! -x "$equivalence" ]; then
  record FAIL equivalence "$equivalence missing or not executable"
elif FPT_DEVICE=cuda "$equivalence" "$build" > "$work/equivalence.log" 2>&1; then
  record PASS equivalence "FPT_DEVICE=cuda tests/integration/equivalence_np2.sh"
else
  record FAIL equivalence "see $work/equivalence.log"
  tail -20 "$work/equivalence.log"
fi

# --- 4. a short sweep on the GPUs ---------------------------------------------------------------
# Sample the GPU processes meanwhile: the sweep must really train on a GPU, not fall back to CPU.
(while :; do
  nvidia-smi --query-compute-apps=pid,process_name --format=csv,noheader 2> /dev/null
  sleep 0.5
done) > "$work/gpu_processes.log" &
sampler=$!
if "$repo/tests/integration/sweep_mpi.sh" "$build" "$repo/sweeps/ci.yaml" "$work/sweep" > "$work/sweep.log" 2>&1; then
  record PASS sweep "mpirun -np 2 fpt_sweep sweeps/ci.yaml: every result completed, rerun skipped them"
else
  record FAIL sweep "see $work/sweep.log"
  tail -20 "$work/sweep.log"
fi
kill "$sampler" 2> /dev/null
wait "$sampler" 2> /dev/null
if grep -q fpt_sweep "$work/gpu_processes.log"; then
  record PASS sweep-on-gpu "nvidia-smi saw fpt_sweep on a GPU"
else
  record FAIL sweep-on-gpu "nvidia-smi never saw fpt_sweep on a GPU: did it train on the CPU?"
fi

finish
