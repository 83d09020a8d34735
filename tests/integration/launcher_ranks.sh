#!/usr/bin/env bash
# Test of launcher/fpt_launch's choices (FPT_LAUNCH_DRY_RUN=1 prints the command it would exec):
# the rank count from FPT_NP, a Slurm allocation, the visible GPUs or the CPUs; srun inside an
# allocation and mpirun outside; binding to cores when the ranks fit and no binding when they do
# not; bad settings refused. The Slurm variables are set by hand here; slurm_sweep.sh runs it in a
# real allocation.
#   launcher_ranks.sh SOURCE_DIR
set -uo pipefail
launch=$1/launcher/fpt_launch
cpus=$(nproc)
failures=0

# expect "DESCRIPTION" "REGEX" ENV... : runs the launcher with ENV, its output must match REGEX.
expect() {
  local what=$1 regex=$2 out
  shift 2
  out=$(env -u SLURM_JOB_ID -u SLURM_NTASKS -u SLURM_NTASKS_PER_NODE -u SLURM_JOB_NUM_NODES \
          -u SLURM_NNODES -u SLURM_GPUS_ON_NODE -u SLURM_CPUS_PER_TASK -u FPT_NP -u FPT_LAUNCH \
          -u FPT_KILL_GRACE -u FPT_MPIRUN_ARGS -u FPT_SRUN_ARGS \
          FPT_LAUNCH_DRY_RUN=1 "$@" "$launch" sweeps/x.yaml --output out 2>&1)
  if [[ $out =~ $regex ]]; then
    echo "ok   $what"
  else
    echo "FAIL $what: expected /$regex/, got: $out"
    failures=$((failures + 1))
  fi
}

expect "CPUs, no GPUs" "$cpus ranks \($cpus CPUs\) with mpirun.*mpirun -np $cpus --map-by slot:PE=1 --bind-to core --mca odls_base_sigkill_timeout 1 .*/fpt_sweep sweeps/x.yaml --output out" \
  CUDA_VISIBLE_DEVICES=
expect "GPUs from CUDA_VISIBLE_DEVICES" "3 ranks \(3 visible GPUs\)" CUDA_VISIBLE_DEVICES=0,2,5
expect "Slurm's NoDevFiles means no GPU" "$cpus ranks \($cpus CPUs\)" CUDA_VISIBLE_DEVICES=NoDevFiles
expect "FPT_NP wins" "mpirun -np 7 " FPT_NP=7 CUDA_VISIBLE_DEVICES=0,1
expect "more ranks than CPUs: no binding" "--oversubscribe --bind-to none" FPT_NP=$((cpus * 2 + 1))
expect "allocation: srun with its tasks" "7 ranks \(SLURM_NTASKS\) with srun.*srun --mpi=pmix -n 7 --cpus-per-task=3 .*fpt_sweep" \
  SLURM_JOB_ID=1 SLURM_NTASKS=7 SLURM_CPUS_PER_TASK=3
expect "allocation: nodes x tasks per node" "8 ranks \(2 nodes x SLURM_NTASKS_PER_NODE=4\)" \
  SLURM_JOB_ID=1 SLURM_JOB_NUM_NODES=2 SLURM_NTASKS_PER_NODE='4(x2)'
expect "allocation: nodes x GPUs per node" "12 ranks \(3 nodes x SLURM_GPUS_ON_NODE=4\)" \
  SLURM_JOB_ID=1 SLURM_JOB_NUM_NODES=3 SLURM_GPUS_ON_NODE=4
expect "allocation ignores CUDA_VISIBLE_DEVICES for the count" "2 ranks \(SLURM_NTASKS\)" \
  SLURM_JOB_ID=1 SLURM_NTASKS=2 CUDA_VISIBLE_DEVICES=0,1,2,3
expect "mpirun in an allocation: cores per task, 10 s kill grace" \
  "mpirun -np 1 --map-by slot:PE=1 --bind-to core --mca odls_base_sigkill_timeout 10 " \
  SLURM_JOB_ID=1 SLURM_NTASKS=1 SLURM_CPUS_PER_TASK=1 FPT_LAUNCH=mpirun
expect "extra mpirun flags" "--mca odls_base_sigkill_timeout 1 --tag-output .*fpt_sweep" \
  FPT_NP=1 FPT_MPIRUN_ARGS=--tag-output
expect "srun outside an allocation refused" "error: FPT_LAUNCH=srun needs a Slurm allocation" FPT_LAUNCH=srun
expect "unknown launcher refused" "error: FPT_LAUNCH=aprun: expected srun or mpirun" FPT_LAUNCH=aprun
expect "bad FPT_NP refused" "error: FPT_NP=0: expected a positive whole number" FPT_NP=0
expect "no sweep file" "usage: " FPT_NP=1 bash -c '"$0"' "$launch"

[ $failures = 0 ] || { echo "launcher_ranks: $failures failed"; exit 1; }
echo "launcher_ranks: OK"
