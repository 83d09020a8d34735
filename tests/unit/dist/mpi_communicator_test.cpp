// The MPI Communicator under mpirun (-np 1 and -np 2): allreduce_average gives the exact group mean
// (float32 and float64), broadcast gives the root's values, bytes are counted, and tensors it
// cannot take fail with a clear message on every rank before any communication.
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "../../mpi_test_ranks.h"
#include "../error_message.h"
#include "fpt/dist/communicator_factory.h"

namespace fpt::dist {
namespace {

using fpt::test::error_of;

using fpt::test::world_rank;
using fpt::test::world_size;

// Member `rank`'s contribution: random values from a seed of its own. (3, 5)
torch::Tensor contribution(int rank, torch::ScalarType dtype) {
  torch::manual_seed(1000 + rank);
  return torch::randn({3, 5}, torch::kFloat64).to(dtype);
}

// The mean as MPI computes it for up to two members: sum in the tensor's dtype, then divide.
// (With two members the sum is exact to the order of addition, so the result must be equal.)
torch::Tensor expected_mean(int size, torch::ScalarType dtype) {
  torch::Tensor sum = contribution(0, dtype);
  for (int rank = 1; rank < size; ++rank) sum = sum + contribution(rank, dtype);
  return size > 1 ? sum / size : sum;
}

void expect_group_mean(torch::ScalarType dtype) {
  auto          communicator = make_mpi_communicator(MPI_COMM_WORLD);
  torch::Tensor tensor       = contribution(world_rank(), dtype);
  communicator->allreduce_average(tensor);
  const torch::Tensor expected = expected_mean(world_size(), dtype);
  EXPECT_EQ(tensor.scalar_type(), dtype);
  if (world_size() <= 2) {
    EXPECT_TRUE(torch::equal(tensor, expected)) << tensor << "\nexpected\n" << expected;
  } else {
    EXPECT_TRUE(torch::allclose(tensor, expected, 1e-6, 1e-6));
  }
  // Not trivially the own contribution (with more than one member).
  if (world_size() > 1) {
    EXPECT_FALSE(torch::allclose(tensor, contribution(world_rank(), dtype)));
  }
}

TEST(MpiCommunicator, RankSizeAndBackendAreTheGroups) {
  auto communicator = make_mpi_communicator(MPI_COMM_WORLD);
  EXPECT_EQ(communicator->rank(), world_rank());
  EXPECT_EQ(communicator->size(), world_size());
  EXPECT_EQ(communicator->backend(), "mpi");
  EXPECT_EQ(communicator->bytes_communicated(), 0);
}

TEST(MpiCommunicator, AllreduceAverageIsTheExactMeanFloat32) {
  expect_group_mean(torch::kFloat32);
}

TEST(MpiCommunicator, AllreduceAverageIsTheExactMeanFloat64) {
  expect_group_mean(torch::kFloat64);
}

TEST(MpiCommunicator, AllreduceAverageOfSmallIntegersIsExact) {
  auto communicator = make_mpi_communicator(MPI_COMM_WORLD);
  // rank r holds base * (r + 1): the mean is base * (size + 1) / 2, exact in float32.
  const torch::Tensor base   = torch::arange(12, torch::kFloat32).reshape({3, 4});
  torch::Tensor       tensor = base * (world_rank() + 1);
  communicator->allreduce_average(tensor);
  EXPECT_TRUE(torch::equal(tensor, base * (world_size() + 1) / 2.0)) << tensor;
}

TEST(MpiCommunicator, BroadcastGivesTheRootsValues) {
  auto communicator = make_mpi_communicator(MPI_COMM_WORLD);
  for (int root : {0, world_size() - 1}) {
    torch::Tensor tensor = contribution(world_rank(), torch::kFloat32);
    communicator->broadcast(tensor, root);
    EXPECT_TRUE(torch::equal(tensor, contribution(root, torch::kFloat32))) << "root " << root;
  }
  // Any dtype: an int64 step counter.
  torch::Tensor step = torch::full({1}, 100 + world_rank(), torch::kInt64);
  communicator->broadcast(step, 0);
  EXPECT_EQ(step.item<int64_t>(), 100);
}

TEST(MpiCommunicator, CountsPayloadBytes) {
  auto          communicator = make_mpi_communicator(MPI_COMM_WORLD);
  torch::Tensor floats       = torch::ones({12}, torch::kFloat32);
  communicator->allreduce_average(floats);
  EXPECT_EQ(communicator->bytes_communicated(), 12 * 4);
  torch::Tensor doubles = torch::ones({3, 4}, torch::kFloat64);
  communicator->broadcast(doubles, 0);
  EXPECT_EQ(communicator->bytes_communicated(), 12 * 4 + 12 * 8);
}

TEST(MpiCommunicator, SubgroupsAverageOnlyAmongTheirMembers) {
  // Every rank alone in its group: averaging changes nothing, rank 0 in a group of 1.
  MPI_Comm alone = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, world_rank(), 0, &alone);
  {
    auto communicator = make_mpi_communicator(alone);
    EXPECT_EQ(communicator->rank(), 0);
    EXPECT_EQ(communicator->size(), 1);
    torch::Tensor tensor = contribution(world_rank(), torch::kFloat32);
    communicator->allreduce_average(tensor);
    EXPECT_TRUE(torch::equal(tensor, contribution(world_rank(), torch::kFloat32)));
  }
  MPI_Comm_free(&alone);  // the communicator owned a duplicate, freed already
}

TEST(MpiCommunicator, RejectsTensorsItCannotTake) {
  auto communicator = make_mpi_communicator(MPI_COMM_WORLD);

  torch::Tensor half        = torch::ones({4}, torch::kFloat16);
  const auto    dtype_error = error_of([&] { communicator->allreduce_average(half); });
  EXPECT_NE(dtype_error.find("averages float32 or float64 tensors, got a Half tensor of shape [4]"),
            std::string::npos)
      << dtype_error;

  torch::Tensor integers = torch::ones({4}, torch::kInt64);
  EXPECT_NE(error_of([&] { communicator->allreduce_average(integers); }).find("float32 or float64"),
            std::string::npos);

  torch::Tensor transposed   = torch::ones({3, 4}, torch::kFloat32).t();
  const auto    layout_error = error_of([&] { communicator->allreduce_average(transposed); });
  EXPECT_NE(layout_error.find("non-contiguous Float tensor of shape [4, 3]"), std::string::npos)
      << layout_error;
  const auto broadcast_layout_error = error_of([&] { communicator->broadcast(transposed, 0); });
  EXPECT_NE(broadcast_layout_error.find("broadcast works in place on contiguous memory"),
            std::string::npos)
      << broadcast_layout_error;

  // A tensor on another device than the CPU (the meta device needs no GPU).
  torch::Tensor elsewhere    = torch::empty({3}, torch::TensorOptions().device(torch::kMeta));
  const auto    device_error = error_of([&] { communicator->allreduce_average(elsewhere); });
  EXPECT_NE(device_error.find("mpi communicator: allreduce_average needs a tensor on cpu, got a "
                              "Float tensor of shape [3] on meta"),
            std::string::npos)
      << device_error;

  torch::Tensor undefined;
  EXPECT_NE(error_of([&] { communicator->allreduce_average(undefined); }).find("undefined tensor"),
            std::string::npos);

  torch::Tensor values     = torch::ones({2}, torch::kFloat32);
  const auto    root_error = error_of([&] { communicator->broadcast(values, world_size()); });
  EXPECT_NE(root_error.find(fmt::format("broadcast root {} is not a member of this group of {}",
                                        world_size(), world_size())),
            std::string::npos)
      << root_error;

  // Nothing was sent by the failed calls, and the communicator still works.
  EXPECT_EQ(communicator->bytes_communicated(), 0);
  communicator->allreduce_average(values);
  EXPECT_TRUE(torch::equal(values, torch::ones({2}, torch::kFloat32)));
}

TEST(MpiCommunicator, NoGroupIsAnError) {
  const auto error = error_of([] { make_mpi_communicator(MPI_COMM_NULL); });
  EXPECT_NE(error.find("MPI_COMM_NULL"), std::string::npos) << error;
}

TEST(CommunicatorFactory, PicksTheBackendForTheDevice) {
  EXPECT_EQ(make_communicator(MPI_COMM_WORLD, torch::kCPU)->backend(), "mpi");
  const auto meta_error = error_of([] { make_communicator(MPI_COMM_WORLD, torch::kMeta); });
  EXPECT_NE(meta_error.find("no communicator for device meta"), std::string::npos) << meta_error;
}

TEST(CommunicatorFactory, CudaWithoutNcclOrWithoutGpuSaysWhy) {
  // On a GPU machine CUDA works and this error cannot happen; NCCL itself is then tested by
  // tests/gpu/nccl_communicator_test.cpp (run by tests/gpu/run_gpu_checks.sh).
  if (nccl_available() && torch::cuda::is_available())
    GTEST_SKIP() << "GPUs present: tests/gpu/nccl_communicator_test covers NCCL";
  const auto error = error_of([] { make_communicator(MPI_COMM_WORLD, torch::Device("cuda:0")); });
  if (nccl_available()) {
    EXPECT_NE(error.find("nccl communicator: cuda:0 asked for, but no CUDA device is visible"),
              std::string::npos)
        << error;
  } else {
    EXPECT_NE(error.find("this build of fpt has no NCCL"), std::string::npos) << error;
  }
}

TEST(CommunicatorFactory, NcclRejectsCpuDevices) {
  // A CPU-only LibTorch builds no NCCL communicator (CUDA-less laptops); the CUDA wheel used here
  // and in CI has it, so this runs in CI.
  if (!nccl_available()) GTEST_SKIP() << "this build has no NCCL";
  const auto error = error_of([] { make_nccl_communicator(MPI_COMM_WORLD, torch::kCPU); });
  EXPECT_NE(error.find("NCCL moves CUDA tensors, but the device is cpu"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace fpt::dist
