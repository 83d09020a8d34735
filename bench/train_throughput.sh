#!/usr/bin/env bash
# Training throughput of fpt against the official code's PyTorch training step, measured in the
# same run on the same machine: gpt2 (base size, random init, frozen attention/feed-forward) on
# Bit XOR and ListOps (512 tokens). Prints samples/s of both and the ratio fpt / PyTorch.
#
#   bash bench/train_throughput.sh [THREADS] [STEPS]
#   FPT_BENCH_DEVICE=cuda bash bench/train_throughput.sh   (on a GPU machine: fpt_train trains on
#                                                          the GPU there, so the baseline must too)
# Needs the build (scripts/setup.sh) and, for the baseline, transformers in the LibTorch venv:
#   bash bench/setup_python.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=${1:-$(nproc)}
steps=${2:-10}
python=${FPT_BENCH_PYTHON:-/var/cache/fpt/torch-2.12.1/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FPT_DATA_DIR=$work/data

fpt_rate() {  # task batch extra-args...
  local task=$1 batch=$2
  shift 2
  "$repo/build/fpt_train" --task "$task" --body gpt2 --steps "$steps" --batch_size "$batch" \
    --eval_every "$steps" --eval_batches 1 --full_eval false --threads "$threads" \
    --output "$work/$task.h5" "$@" | sed -n 's/.* \([0-9.]*\) samples\/s.*/\1/p'
}
baseline_rate() {  # task batch
  "$python" "$repo/bench/fpt_pytorch_baseline.py" --task "$1" --body gpt2 --batch "$2" \
    --steps "$steps" --threads "$threads" --device "${FPT_BENCH_DEVICE:-cpu}" |
    sed -n 's/samples_per_second //p'
}

printf '%-10s %6s %14s %16s %8s\n' task batch fpt_samples/s pytorch_samples/s ratio
for row in "bit-xor 32" "listops 4"; do
  set -- $row
  extra=()
  # ListOps at the paper's 512 tokens: generated expressions of LRA length (500-2000), few of them.
  [ "$1" = listops ] && extra=(--listops_train_size 200 --listops_eval_size 20)
  fpt=$(fpt_rate "$1" "$2" "${extra[@]}")
  torch=$(baseline_rate "$1" "$2")
  ratio=$(python3 -c "print(f'{$fpt / $torch:.2f}')")
  printf '%-10s %6s %14s %16s %8s\n' "$1" "$2" "$fpt" "$torch" "$ratio"
done
echo "(gpt2 base, random init, FPT training; $steps steps; $threads threads; $(date -u +%F))"
