// The NCCL Communicator on real GPUs, checked against the MPI Communicator's results: run under
// `mpirun -np 2` on a machine with 2 GPUs (tests/gpu/run_gpu_checks.sh; -np 1 on a single GPU).
// Each rank uses GPU (local rank mod visible devices), as fpt_sweep's workers do. Not part of
// ctest: without GPUs every test fails, saying why.
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <exception>
#include <memory>
#include <string>

#include "../unit/dist/counting_communicator.h"
#include "../unit/error_message.h"
#include "fpt/dist/communicator_factory.h"
#include "fpt/dist/grad_sync.h"

namespace fpt::dist {
namespace {

using fpt::test::CountingCommunicator;
using fpt::test::error_of;

int local_rank() {
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int rank = 0;
  MPI_Comm_rank(node, &rank);
  MPI_Comm_free(&node);
  return rank;
}

// One MPI and one NCCL communicator over MPI_COMM_WORLD for the whole suite (NCCL set-up is slow).
class NcclCommunicator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!nccl_available() || !torch::cuda::is_available()) return;
    const int visible = static_cast<int>(torch::cuda::device_count());
    gpu_ = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank() % visible));
    mpi_ = make_mpi_communicator(MPI_COMM_WORLD);
    try {
      nccl_ = make_communicator(MPI_COMM_WORLD, gpu_);
    } catch (const std::exception& error) {
      setup_error_ = error.what();  // reported by every test
    }
  }
  static void TearDownTestSuite() {
    nccl_.reset();
    mpi_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(nccl_available()) << "this build has no NCCL (see docs/gpu.md)";
    ASSERT_TRUE(torch::cuda::is_available()) << "no CUDA device visible to this process";
    ASSERT_TRUE(nccl_) << "the NCCL communicator was not created: " << setup_error_;
    c10::cuda::set_device(gpu_.index());
  }

  static int rank() { return mpi_->rank(); }
  static int size() { return mpi_->size(); }

  static inline torch::Device                 gpu_ = torch::kCPU;
  static inline std::unique_ptr<Communicator> mpi_;
  static inline std::unique_ptr<Communicator> nccl_;
  static inline std::string                   setup_error_;
};

// Member `rank`'s contribution: 2^20 + 3 random values (not a multiple of any chunk size).
torch::Tensor contribution(int rank, torch::ScalarType dtype) {
  torch::manual_seed(500 + rank);
  return torch::randn({(1 << 20) + 3}, torch::kFloat64).to(dtype);
}

TEST_F(NcclCommunicator, IsTheGroup) {
  EXPECT_EQ(nccl_->backend(), "nccl");
  EXPECT_EQ(nccl_->rank(), mpi_->rank());
  EXPECT_EQ(nccl_->size(), mpi_->size());
}

TEST_F(NcclCommunicator, AllreduceAverageMatchesMpi) {
  for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
    torch::Tensor on_cpu = contribution(rank(), dtype);
    torch::Tensor on_gpu = on_cpu.to(gpu_);
    mpi_->allreduce_average(on_cpu);
    nccl_->allreduce_average(on_gpu);
    const double tolerance = dtype == torch::kFloat32 ? 1e-6 : 1e-13;
    EXPECT_TRUE(torch::allclose(on_gpu.cpu(), on_cpu, tolerance, tolerance))
        << c10::toString(dtype) << ": max difference "
        << (on_gpu.cpu() - on_cpu).abs().max().item<double>();
    if (size() > 1) {
      EXPECT_FALSE(torch::allclose(on_cpu, contribution(rank(), dtype)));
    }
  }
  // Small integers: the mean is exact on both.
  torch::Tensor exact = (torch::arange(1000, torch::kFloat32) * (rank() + 1)).to(gpu_);
  nccl_->allreduce_average(exact);
  EXPECT_TRUE(torch::equal(exact.cpu(), torch::arange(1000, torch::kFloat32) * (size() + 1) / 2.0));
}

TEST_F(NcclCommunicator, AllreduceRunsOnTheCurrentStream) {
  // A side stream made current: the allreduce must be ordered after the kernel that filled the
  // tensor on that stream, and before the copy that reads it.
  c10::cuda::CUDAStream      side = c10::cuda::getStreamFromPool(false, gpu_.index());
  c10::cuda::CUDAStreamGuard guard(side);
  torch::Tensor              tensor = torch::full({1 << 22}, 2.0f * (rank() + 1), gpu_);
  nccl_->allreduce_average(tensor);
  EXPECT_TRUE(torch::equal(tensor.cpu(), torch::full({1 << 22}, 1.0f * (size() + 1))));
}

TEST_F(NcclCommunicator, BroadcastMatchesMpi) {
  for (int root : {0, size() - 1}) {
    torch::Tensor on_cpu = contribution(rank(), torch::kFloat32);
    torch::Tensor on_gpu = on_cpu.to(gpu_);
    mpi_->broadcast(on_cpu, root);
    nccl_->broadcast(on_gpu, root);
    EXPECT_TRUE(torch::equal(on_gpu.cpu(), on_cpu)) << "root " << root;
    EXPECT_TRUE(torch::equal(on_cpu, contribution(root, torch::kFloat32)));
  }
  torch::Tensor step =
      torch::full({1}, 100 + rank(), torch::TensorOptions(torch::kInt64).device(gpu_));
  nccl_->broadcast(step, 0);
  EXPECT_EQ(step.item<int64_t>(), 100);
}

TEST_F(NcclCommunicator, CountsBytesLikeMpi) {
  const int64_t nccl_before = nccl_->bytes_communicated();
  const int64_t mpi_before  = mpi_->bytes_communicated();
  torch::Tensor on_cpu      = torch::ones({1234}, torch::kFloat32);
  torch::Tensor on_gpu      = on_cpu.to(gpu_);
  mpi_->allreduce_average(on_cpu);
  nccl_->allreduce_average(on_gpu);
  mpi_->broadcast(on_cpu, 0);
  nccl_->broadcast(on_gpu, 0);
  EXPECT_EQ(nccl_->bytes_communicated() - nccl_before, 2 * 1234 * 4);
  EXPECT_EQ(mpi_->bytes_communicated() - mpi_before, 2 * 1234 * 4);
}

TEST_F(NcclCommunicator, GradSyncMatchesMpi) {
  // The same model on the CPU and on this rank's GPU, different per rank until broadcast.
  torch::manual_seed(300 + rank());
  torch::nn::Sequential cpu_model(torch::nn::Linear(16, 32), torch::nn::GELU(),
                                  torch::nn::Linear(32, 5));
  auto gpu_model = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(cpu_model->clone(gpu_));
  ASSERT_TRUE(gpu_model);
  // The first layer's weight frozen, with a gradient of its own: never touched.
  std::vector<torch::Tensor> cpu_trainable, gpu_trainable;
  for (size_t i = 0; i < cpu_model->parameters().size(); ++i) {
    if (i == 0) continue;
    cpu_trainable.push_back(cpu_model->parameters()[i]);
    gpu_trainable.push_back(gpu_model->parameters()[i]);
  }
  torch::Tensor frozen = gpu_model->parameters()[0];
  frozen.set_requires_grad(false);
  const torch::Tensor frozen_values   = frozen.detach().clone();
  const torch::Tensor frozen_gradient = torch::full_like(frozen, 1.0f + rank());
  frozen.mutable_grad()               = frozen_gradient.clone();
  cpu_model->parameters()[0].set_requires_grad(false);

  CountingCommunicator counting(*nccl_);
  GradSync             cpu_sync(cpu_trainable, *mpi_);
  GradSync             gpu_sync(gpu_trainable, counting);
  cpu_sync.broadcast_parameters();
  gpu_sync.broadcast_parameters();
  EXPECT_EQ(counting.broadcast_calls, 1);
  for (size_t i = 0; i < cpu_trainable.size(); ++i)
    EXPECT_TRUE(torch::equal(gpu_trainable[i].cpu(), cpu_trainable[i])) << "parameter " << i;

  torch::manual_seed(11 + rank());  // each rank its own shard
  const torch::Tensor inputs = torch::randn({64, 16});
  const torch::Tensor labels = torch::randint(0, 5, {64});
  torch::nn::functional::cross_entropy(cpu_model->forward(inputs), labels).backward();
  torch::nn::functional::cross_entropy(gpu_model->forward(inputs.to(gpu_)), labels.to(gpu_))
      .backward();
  const auto cpu_means = cpu_sync.average({1.0 * rank(), 2.0});
  const auto gpu_means = gpu_sync.average({1.0 * rank(), 2.0});

  EXPECT_EQ(counting.allreduce_calls, 1);
  EXPECT_EQ(counting.bytes_communicated(), gpu_sync.bytes_per_step(0) + gpu_sync.bytes_per_step(2));
  for (size_t i = 0; i < cpu_trainable.size(); ++i)
    EXPECT_TRUE(torch::allclose(gpu_trainable[i].grad().cpu(), cpu_trainable[i].grad(), 1e-4, 1e-6))
        << "parameter " << i << ": max difference "
        << (gpu_trainable[i].grad().cpu() - cpu_trainable[i].grad()).abs().max().item<double>();
  ASSERT_EQ(gpu_means.size(), 2u);
  EXPECT_DOUBLE_EQ(gpu_means[0], cpu_means[0]);
  EXPECT_DOUBLE_EQ(gpu_means[1], 2.0);
  EXPECT_TRUE(torch::equal(frozen, frozen_values));
  EXPECT_TRUE(torch::equal(frozen.grad(), frozen_gradient));
}

TEST_F(NcclCommunicator, RejectsTensorsItCannotTake) {
  torch::Tensor on_cpu    = torch::ones({4});
  const auto    cpu_error = error_of([&] { nccl_->allreduce_average(on_cpu); });
  EXPECT_NE(cpu_error.find("needs a tensor on " + gpu_.str() +
                           ", got a Float tensor of shape [4] on cpu"),
            std::string::npos)
      << cpu_error;
  torch::Tensor half = torch::ones({4}, torch::TensorOptions(torch::kFloat16).device(gpu_));
  EXPECT_NE(error_of([&] { nccl_->allreduce_average(half); }).find("float32 or float64"),
            std::string::npos);
  torch::Tensor transposed = torch::ones({3, 4}, gpu_).t();
  EXPECT_NE(error_of([&] { nccl_->allreduce_average(transposed); }).find("non-contiguous"),
            std::string::npos);
  const int visible = static_cast<int>(torch::cuda::device_count());
  if (visible > 1) {
    const torch::Device other(torch::kCUDA,
                              static_cast<c10::DeviceIndex>((gpu_.index() + 1) % visible));
    torch::Tensor       elsewhere = torch::ones({4}, other);
    const auto          error     = error_of([&] { nccl_->allreduce_average(elsewhere); });
    EXPECT_NE(error.find("needs a tensor on " + gpu_.str()), std::string::npos) << error;
  }
  // Still usable after the refused calls.
  torch::Tensor ones = torch::ones({8}, gpu_);
  nccl_->allreduce_average(ones);
  EXPECT_TRUE(torch::equal(ones.cpu(), torch::ones({8})));
}

}  // namespace
}  // namespace fpt::dist
