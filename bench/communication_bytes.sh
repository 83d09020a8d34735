#!/usr/bin/env bash
# Bytes one data-parallel optimizer step communicates for a real GPT-2 base body (124M, randomly
# initialised — the sizes are what matters, no download needed): FPT (only input layer, positions,
# LayerNorms and output layer train, so only their gradients are averaged) against a full
# fine-tune on the same task (every gradient averaged). Runs one 2-rank worker group per case
# for 2 steps and reads `communicated_bytes_per_step` from the result files.
#   bench/communication_bytes.sh [BUILD_DIR] [TASK]
set -euo pipefail
build=${1:-build} task=${2:-bit-memory}
source "$(dirname "$0")/../scripts/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/bytes.yaml" <<YAML
name: communication-bytes
runtime: {ranks_per_experiment: 2, checkpoint_every: 0}
defaults: {body: gpt2, init: random, task: $task, steps: 2, batch_size: 2, eval_every: 2,
           eval_batches: 1, full_eval: false}
axes:
  trains: [fpt, full]
YAML
mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/bytes.yaml" --output "$work/results" >/dev/null
declare -A bytes
for file in "$work/results"/*.h5; do
  trains=$(h5dump -a /spec/trains "$file" | grep '(0)' | grep -o '"[a-z]*"' | tr -d '"')
  bytes[$trains]=$(h5dump -a /communicated_bytes_per_step "$file" | grep -oE '\(0\): [0-9]+' | grep -oE '[0-9]+$')
done
printf "gpt2 base on %s, 2-rank group, float32 gradients + 5 scalars per step:\n" "$task"
printf "  fpt : %12d bytes/step (%.2f MiB)\n" "${bytes[fpt]}" "$(echo "${bytes[fpt]}/1048576" | bc -l)"
printf "  full: %12d bytes/step (%.2f MiB)\n" "${bytes[full]}" "$(echo "${bytes[full]}/1048576" | bc -l)"
printf "  full / fpt = %.1f×\n" "$(echo "${bytes[full]}/${bytes[fpt]}" | bc -l)"
