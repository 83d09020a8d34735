// main() of the GoogleTest binaries that run under mpirun (tests/unit/dist, tests/gpu): MPI is set
// up through fpt::dist::World before the tests and finalised after them. Rank 0 prints the usual
// gtest output; other ranks print only their failures, prefixed with their rank. Every rank exits
// with the worst result of all ranks, so mpirun and ctest see a failure wherever it happened.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "fpt/dist/world.h"

namespace {

class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_,
                 result.file_name() ? result.file_name() : "?", result.line_number(),
                 result.message());
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Failed())
      std::fprintf(stderr, "[rank %d] FAILED %s.%s\n", rank_, info.test_suite_name(), info.name());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  fpt::dist::World world(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (world.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(world.rank()));
  }
  const int result = RUN_ALL_TESTS();
  int       worst  = 0;
  MPI_Allreduce(&result, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (world.rank() == 0 && worst != result)
    std::fprintf(stderr, "[mpi] tests failed on another rank (see the [rank N] lines above)\n");
  return worst;
}
