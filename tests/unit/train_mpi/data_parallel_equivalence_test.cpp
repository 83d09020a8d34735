// Data-parallel equivalence (issue 5): a worker group of N ranks training with global batch 2B
// ends with the same parameters as one process training on the whole batch 2B, every member of
// the group holds identical parameters, and only the trainable gradients are communicated.
// Runs under `mpirun -np 2` (tests/mpirun_gtest.sh); FPT_DEVICE=cuda runs it on GPUs (NCCL).
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>

#include "../../mpi_test_ranks.h"
#include "fpt/dist/group_communicator.h"
#include "fpt/train/trainer.h"

namespace {

using fpt::test::world_rank;
using fpt::test::world_size;

torch::Device test_device() {
  const char* name = std::getenv("FPT_DEVICE");
  if (name && std::string(name) == "cuda") return torch::Device(torch::kCUDA, world_rank());
  return torch::kCPU;
}

// Dropout 0: dropout masks are drawn per process, so they differ between layouts by design.
fpt::core::ExperimentSpec spec_for(const std::string& task, const std::string& trains) {
  fpt::core::ExperimentSpec spec;
  spec.body         = "gpt2-tiny";
  spec.task         = task;
  spec.trains       = trains;
  spec.steps        = 12;
  spec.eval_every   = 6;
  spec.eval_batches = 2;
  spec.batch_size   = 16;
  spec.dropout      = 0.0;
  spec.lr           = 1e-3;
  if (task == "listops") {  // short generated expressions: a quick test
    spec.listops_max_tokens = 64;
    spec.listops_min_length = 10;
    spec.listops_max_length = 60;
    spec.listops_train_size = 500;
    spec.listops_eval_size  = 64;
  }
  return spec;
}

using Parameters = std::map<std::string, torch::Tensor>;

struct Trained {
  fpt::core::RunResult result;
  Parameters           parameters;  // every parameter (trainable and frozen), on the CPU
};

Trained train(const fpt::core::ExperimentSpec& spec, fpt::dist::Communicator* group) {
  Trained                    trained;
  fpt::train::TrainerOptions options;
  options.threads      = 1;
  options.device       = test_device();
  options.communicator = group;
  options.on_trained   = [&](torch::nn::Module& model) {
    for (const auto& item : model.named_parameters())
      trained.parameters[item.key()] = item.value().detach().cpu().clone();
  };
  trained.result = fpt::train::train_experiment(spec, options);
  return trained;
}

double max_difference(const Parameters& left, const Parameters& right) {
  double largest = 0;
  for (const auto& [name, tensor] : left)
    largest = std::max(largest, (tensor - right.at(name)).abs().max().item<double>());
  return largest;
}

// A checksum of all parameters that differs on any change of any bit pattern that matters.
double checksum(const Parameters& parameters) {
  double sum = 0;
  for (const auto& [name, tensor] : parameters)
    sum += (tensor.to(torch::kFloat64) *
            torch::arange(tensor.numel(), torch::kFloat64).reshape(tensor.sizes()).add(1.0))
               .sum()
               .item<double>();
  return sum;
}

class DataParallel : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(DataParallel, GroupOfAllRanksEqualsOneProcessOnTheWholeBatch) {
  const auto [task, trains] = GetParam();
  const auto       spec     = spec_for(task, trains);
  std::vector<int> everyone(static_cast<size_t>(world_size()));
  std::iota(everyone.begin(), everyone.end(), 0);
  static int tag   = 100;
  auto       group = fpt::dist::make_group_communicator(everyone, ++tag, test_device());

  const Trained together = train(spec, group.get());
  const Trained alone    = train(spec, nullptr);  // every rank: the whole batch on its own

  ASSERT_EQ(together.result.status, "completed") << together.result.error;
  ASSERT_EQ(alone.result.status, "completed") << alone.result.error;
  EXPECT_EQ(together.result.group_size, world_size());

  // Same parameters as one process on the whole batch: float sums in a different order only.
  const double difference = max_difference(together.parameters, alone.parameters);
  if (world_rank() == 0)
    std::printf("%s/%s: %d ranks vs 1, max |parameter difference| after %lld steps: %.3g\n",
                task.c_str(), trains.c_str(), world_size(), static_cast<long long>(spec.steps),
                difference);
  EXPECT_LT(difference, 5e-5);  // measured: 1e-7 (bit-xor) .. 1.4e-5 (listops, all parameters)
  if (world_size() == 1) EXPECT_EQ(difference, 0.0);

  // The trained parameters actually moved (the comparison is not between two initial states).
  auto short_spec        = spec;
  short_spec.steps       = 1;
  const Trained one_step = train(short_spec, nullptr);
  EXPECT_GT(max_difference(one_step.parameters, alone.parameters), 1e-4);

  // Every member holds bit-identical parameters: the checksum's min and max over ranks agree.
  double sum = checksum(together.parameters), low = 0, high = 0;
  MPI_Allreduce(&sum, &low, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&sum, &high, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(low, high);

  // The leader's statistics cover the whole batch: close to the lone run's.
  if (world_rank() == 0) {
    ASSERT_EQ(together.result.curve.size(), alone.result.curve.size());
    for (size_t index = 0; index < alone.result.curve.size(); ++index)
      EXPECT_NEAR(together.result.curve[index].train_loss, alone.result.curve[index].train_loss,
                  1e-5);
    EXPECT_NEAR(together.result.final_eval_accuracy, alone.result.final_eval_accuracy, 1e-9);
  }

  // Communication: the trainable elements (and 6 scalars) in float32, once per step; 0 alone.
  int64_t trainable = 0;
  for (const auto& group_count : alone.result.parameters)
    if (group_count.group == "all") trainable = group_count.trainable;
  ASSERT_GT(trainable, 0);
  if (world_size() > 1) {
    EXPECT_EQ(together.result.communicated_bytes_per_step, (trainable + 6) * 4);
  }
  EXPECT_EQ(alone.result.communicated_bytes_per_step, 0);
}

INSTANTIATE_TEST_SUITE_P(Tasks, DataParallel,
                         ::testing::Values(std::make_pair("bit-xor", "fpt"),
                                           std::make_pair("bit-memory", "fpt"),
                                           std::make_pair("listops", "full")));

TEST(DataParallelErrors, BatchThatDoesNotSplitIsAClearError) {
  // The binary runs under -np 1 and -np 2 (ctest unit.train_data_parallel_np{1,2}); a group of
  // one member has no other member to disagree with, so this case runs in the -np 2 entry.
  if (world_size() < 2) GTEST_SKIP() << "needs 2 ranks (runs in unit.train_data_parallel_np2)";
  auto spec       = spec_for("bit-xor", "fpt");
  spec.batch_size = 15;
  std::vector<int> everyone(static_cast<size_t>(world_size()));
  std::iota(everyone.begin(), everyone.end(), 0);
  auto group = fpt::dist::make_group_communicator(everyone, 99, test_device());
  try {
    train(spec, group.get());
    FAIL() << "expected an error";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("batch_size 15 does not divide"), std::string::npos)
        << error.what();
  }
}

// The group agrees: a stop asked on one member only stops every member after the same step; a
// set-up failure on one member fails every member (no one is left waiting in an allreduce).
std::vector<int> everyone() {
  std::vector<int> ranks(static_cast<size_t>(world_size()));
  std::iota(ranks.begin(), ranks.end(), 0);
  return ranks;
}

TEST(DataParallelAgreement, AStopOnOneMemberStopsTheWholeGroupAtTheSameStep) {
  // The binary runs under -np 1 and -np 2 (ctest unit.train_data_parallel_np{1,2}); a group of
  // one member has no other member to disagree with, so this case runs in the -np 2 entry.
  if (world_size() < 2) GTEST_SKIP() << "needs 2 ranks (runs in unit.train_data_parallel_np2)";
  auto              group = fpt::dist::make_group_communicator(everyone(), 97, test_device());
  const std::string checkpoint =
      ::testing::TempDir() + "agreement_stop_" + std::to_string(world_rank()) + ".pt";
  std::remove(checkpoint.c_str());
  fpt::train::TrainerOptions options;
  options.threads         = 1;
  options.device          = test_device();
  options.communicator    = group.get();
  options.checkpoint_file = checkpoint;
  int polls               = 0;
  options.stop_requested  = [&] { return world_rank() == 1 && ++polls == 5; };
  const auto result       = fpt::train::train_experiment(spec_for("bit-xor", "fpt"), options);
  EXPECT_EQ(result.status, "interrupted") << result.error;
  EXPECT_EQ(result.steps_done, 5);
  std::remove(checkpoint.c_str());
}

TEST(DataParallelAgreement, ASetUpFailureOnOneMemberFailsEveryMember) {
  // The binary runs under -np 1 and -np 2 (ctest unit.train_data_parallel_np{1,2}); a group of
  // one member has no other member to disagree with, so this case runs in the -np 2 entry.
  if (world_size() < 2) GTEST_SKIP() << "needs 2 ranks (runs in unit.train_data_parallel_np2)";
  auto group = fpt::dist::make_group_communicator(everyone(), 98, test_device());
  // Only rank 1 finds a (damaged) checkpoint: it fails loading it, rank 0 must not hang.
  const std::string checkpoint =
      ::testing::TempDir() + "agreement_setup_" + std::to_string(world_rank()) + ".pt";
  std::remove(checkpoint.c_str());
  if (world_rank() == 1) {
    FILE* file = std::fopen(checkpoint.c_str(), "w");
    std::fputs("not a checkpoint", file);
    std::fclose(file);
  }
  fpt::train::TrainerOptions options;
  options.threads         = 1;
  options.device          = test_device();
  options.communicator    = group.get();
  options.checkpoint_file = checkpoint;
  try {
    fpt::train::train_experiment(spec_for("bit-xor", "fpt"), options);
    FAIL() << "expected an error on every member";
  } catch (const std::exception& error) {
    const std::string expected =
        world_rank() == 1 ? "cannot read this checkpoint" : "another member of its worker group";
    EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
  }
  std::remove(checkpoint.c_str());
}

}  // namespace
