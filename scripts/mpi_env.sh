# Sourced by the scripts: lets OpenMPI run as root (containers, CI) and on more ranks than cores.
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export FPT_MPIRUN_ARGS=${FPT_MPIRUN_ARGS:---oversubscribe}
