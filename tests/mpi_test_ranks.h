// This process's place in MPI_COMM_WORLD, for the GoogleTest binaries that run under mpirun
// (tests/mpi_gtest_main.cpp sets MPI up).
#pragma once

#include <mpi.h>

namespace fpt::test {

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

}  // namespace fpt::test
