// GradSync under mpirun (-np 1 and -np 2) over the MPI communicator: the trainable gradients and
// the scalars are averaged in exactly one allreduce, frozen parameters are never touched, a missing
// gradient counts as zeros, broadcast_parameters gives every member the leader's values, bytes are
// counted exactly, and the averaged gradient of each member's shard is the full batch's gradient.
#include "fpt/dist/grad_sync.h"

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "../../mpi_test_ranks.h"
#include "../error_message.h"
#include "counting_communicator.h"
#include "fpt/dist/communicator_factory.h"

namespace fpt::dist {
namespace {

using fpt::test::CountingCommunicator;
using fpt::test::error_of;

using fpt::test::world_rank;
using fpt::test::world_size;

// Member `rank`'s gradient for a parameter of `shape`: small integers, so means are exact.
torch::Tensor gradient_of(int rank, torch::IntArrayRef shape, int salt) {
  const int64_t count = c10::multiply_integers(shape);
  return (torch::arange(count, torch::kFloat32) * (rank + 1) + salt * 4 + rank).reshape(shape);
}

torch::Tensor mean_gradient(torch::IntArrayRef shape, int salt) {
  torch::Tensor sum = torch::zeros(shape, torch::kFloat64);
  for (int rank = 0; rank < world_size(); ++rank)
    sum += gradient_of(rank, shape, salt).to(torch::kFloat64);
  return (sum / world_size()).to(torch::kFloat32);
}

torch::Tensor trainable_parameter(torch::IntArrayRef shape) {
  return torch::zeros(shape, torch::kFloat32).requires_grad_(true);
}

struct Parameters {
  torch::Tensor weight    = trainable_parameter({3, 4});
  torch::Tensor bias      = trainable_parameter({4});
  torch::Tensor unused    = trainable_parameter({2, 3});  // no gradient anywhere this step
  torch::Tensor sometimes = trainable_parameter({5});     // a gradient on the leader only
  torch::Tensor scalar    = trainable_parameter({});      // 0-d
  torch::Tensor frozen    = torch::full({2, 2}, 7.0f);    // not trainable: never in GradSync

  std::vector<torch::Tensor> trainable() const { return {weight, bias, unused, sometimes, scalar}; }
  int64_t                    trainable_elements() const { return 12 + 4 + 6 + 5 + 1; }
};

TEST(GradSync, AveragesTrainableGradientsAndScalarsInOneAllreduce) {
  auto                 mpi = make_mpi_communicator(MPI_COMM_WORLD);
  CountingCommunicator counting(*mpi);
  Parameters           parameters;
  const int            rank        = world_rank();
  parameters.weight.mutable_grad() = gradient_of(rank, {3, 4}, 1);
  parameters.bias.mutable_grad()   = gradient_of(rank, {4}, 2);
  parameters.scalar.mutable_grad() = gradient_of(rank, {}, 3);
  if (rank == 0) parameters.sometimes.mutable_grad() = gradient_of(rank, {5}, 4);
  // A frozen parameter with a gradient of its own (as if left from elsewhere): must stay as is.
  const torch::Tensor frozen_gradient = torch::full({2, 2}, 3.0f + rank);
  parameters.frozen.mutable_grad()    = frozen_gradient.clone();
  const void* weight_gradient_memory  = parameters.weight.grad().data_ptr();

  GradSync   sync(parameters.trainable(), counting);
  const auto means = sync.average({1.0 * rank, 10.0 * rank + 1, 4.0});

  EXPECT_EQ(counting.allreduce_calls, 1);
  EXPECT_EQ(counting.broadcast_calls, 0);
  EXPECT_TRUE(torch::equal(parameters.weight.grad(), mean_gradient({3, 4}, 1)))
      << parameters.weight.grad();
  EXPECT_EQ(parameters.weight.grad().data_ptr(), weight_gradient_memory);  // updated in place
  EXPECT_TRUE(torch::equal(parameters.bias.grad(), mean_gradient({4}, 2)));
  EXPECT_TRUE(torch::equal(parameters.scalar.grad(), mean_gradient({}, 3)));
  // No gradient on any member: a zero gradient now.
  ASSERT_TRUE(parameters.unused.grad().defined());
  EXPECT_TRUE(torch::equal(parameters.unused.grad(), torch::zeros({2, 3})));
  // A gradient on the leader only: the others count as zeros.
  ASSERT_TRUE(parameters.sometimes.grad().defined());
  EXPECT_TRUE(torch::equal(parameters.sometimes.grad(), gradient_of(0, {5}, 4) / world_size()));
  // Frozen: values and gradient untouched.
  EXPECT_TRUE(torch::equal(parameters.frozen, torch::full({2, 2}, 7.0f)));
  EXPECT_TRUE(torch::equal(parameters.frozen.grad(), frozen_gradient));

  const double n = world_size();
  ASSERT_EQ(means.size(), 3u);
  EXPECT_DOUBLE_EQ(means[0], (n - 1) / 2);  // mean of 0..n-1
  EXPECT_DOUBLE_EQ(means[1], 10 * (n - 1) / 2 + 1);
  EXPECT_DOUBLE_EQ(means[2], 4.0);
}

TEST(GradSync, OneAllreducePerStepAndExactByteCounts) {
  auto                 mpi = make_mpi_communicator(MPI_COMM_WORLD);
  CountingCommunicator counting(*mpi);
  Parameters           parameters;
  GradSync             sync(parameters.trainable(), counting);
  EXPECT_EQ(sync.trainable_elements(), parameters.trainable_elements());
  EXPECT_EQ(sync.bytes_per_step(0), parameters.trainable_elements() * 4);
  EXPECT_EQ(sync.bytes_per_step(3), (parameters.trainable_elements() + 3) * 4);

  for (int step = 0; step < 5; ++step) sync.average({1.0, 2.0, 3.0});
  EXPECT_EQ(counting.allreduce_calls, 5);
  EXPECT_EQ(counting.bytes_communicated(), 5 * sync.bytes_per_step(3));
  EXPECT_EQ(mpi->bytes_communicated(), 5 * sync.bytes_per_step(3));
  // A different number of scalars is fine: the buffer follows.
  sync.average({});
  EXPECT_EQ(counting.allreduce_calls, 6);
  EXPECT_EQ(counting.bytes_communicated(), 5 * sync.bytes_per_step(3) + sync.bytes_per_step(0));

  sync.broadcast_parameters();
  EXPECT_EQ(counting.broadcast_calls, 1);
  EXPECT_EQ(counting.allreduce_calls, 6);
  EXPECT_EQ(counting.bytes_communicated(), 5 * sync.bytes_per_step(3) + 2 * sync.bytes_per_step(0));
}

TEST(GradSync, Float64ParametersCountEightBytes) {
  auto          mpi     = make_mpi_communicator(MPI_COMM_WORLD);
  torch::Tensor weight  = torch::zeros({10}, torch::kFloat64).requires_grad_(true);
  weight.mutable_grad() = torch::full({10}, 1.0 + world_rank(), torch::kFloat64);
  GradSync sync({weight}, *mpi);
  EXPECT_EQ(sync.bytes_per_step(2), 12 * 8);
  sync.average({0.5, 0.25});
  EXPECT_EQ(mpi->bytes_communicated(), 12 * 8);
  EXPECT_TRUE(
      torch::equal(weight.grad(), torch::full({10}, (world_size() + 1) / 2.0, torch::kFloat64)));
}

TEST(GradSync, BroadcastParametersGivesEveryMemberTheLeadersValues) {
  auto                 mpi = make_mpi_communicator(MPI_COMM_WORLD);
  CountingCommunicator counting(*mpi);
  Parameters           parameters;
  const auto           values_of = [](int rank, torch::IntArrayRef shape) {
    return gradient_of(rank, shape, 9) * 0.5;
  };
  {
    torch::NoGradGuard no_grad;
    parameters.weight.copy_(values_of(world_rank(), {3, 4}));
    parameters.bias.copy_(values_of(world_rank(), {4}));
    parameters.scalar.fill_(world_rank() + 0.25);
    parameters.frozen.fill_(100 + world_rank());
  }
  GradSync sync(parameters.trainable(), counting);
  sync.broadcast_parameters();

  EXPECT_EQ(counting.broadcast_calls, 1);
  EXPECT_EQ(counting.bytes_communicated(), sync.bytes_per_step(0));
  EXPECT_TRUE(torch::equal(parameters.weight, values_of(0, {3, 4})));
  EXPECT_TRUE(torch::equal(parameters.bias, values_of(0, {4})));
  EXPECT_EQ(parameters.scalar.item<float>(), 0.25f);
  EXPECT_TRUE(parameters.weight.requires_grad());
  // Frozen parameters keep each member's own values (they are never communicated).
  EXPECT_TRUE(torch::equal(parameters.frozen, torch::full({2, 2}, 100.0f + world_rank())));
}

// Data parallelism for real: every member draws the same global batch, computes the gradient of its
// own shard's mean loss; the group mean of those equals the full batch's gradient.
TEST(GradSync, AveragedShardGradientsEqualTheFullBatchGradient) {
  auto mpi = make_mpi_communicator(MPI_COMM_WORLD);
  torch::manual_seed(100 + world_rank());  // different initialisations: broadcast must fix them
  torch::nn::Linear model(6, 3);
  torch::nn::Linear reference(6, 3);
  GradSync          sync(model->parameters(), *mpi);
  sync.broadcast_parameters();

  torch::manual_seed(7);  // the same global batch on every member
  const int64_t       per_member = 4;
  const torch::Tensor inputs     = torch::randn({per_member * world_size(), 6});   // (B_global, 6)
  const torch::Tensor labels = torch::randint(0, 3, {per_member * world_size()});  // (B_global,)
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < model->parameters().size(); ++i)
      reference->parameters()[i].copy_(model->parameters()[i]);
  }
  torch::nn::functional::cross_entropy(reference(inputs), labels).backward();

  const torch::Tensor shard_inputs = inputs.narrow(0, world_rank() * per_member, per_member);
  const torch::Tensor shard_labels = labels.narrow(0, world_rank() * per_member, per_member);
  const torch::Tensor loss =
      torch::nn::functional::cross_entropy(model(shard_inputs), shard_labels);
  loss.backward();
  const auto means = sync.average({loss.item<double>()});

  for (size_t i = 0; i < model->parameters().size(); ++i)
    EXPECT_TRUE(torch::allclose(model->parameters()[i].grad(), reference->parameters()[i].grad(),
                                1e-5, 1e-6))
        << "parameter " << i << "\n"
        << model->parameters()[i].grad() << "\nfull batch\n"
        << reference->parameters()[i].grad();
  // The mean of the shard losses is the full batch's loss.
  const double full_loss =
      torch::nn::functional::cross_entropy(reference(inputs), labels).item<double>();
  EXPECT_NEAR(means[0], full_loss, 1e-5);
}

TEST(GradSync, RejectsParameterListsItCannotPack) {
  auto mpi = make_mpi_communicator(MPI_COMM_WORLD);
  EXPECT_NE(error_of([&] { GradSync({}, *mpi); }).find("no trainable parameters"),
            std::string::npos);
  const auto frozen_error = error_of([&] {
    GradSync({trainable_parameter({2}), torch::zeros({3})}, *mpi);
  });
  EXPECT_NE(frozen_error.find("parameter 1 of 2 does not require grad"), std::string::npos)
      << frozen_error;
  const auto mixed_error = error_of([&] {
    GradSync({trainable_parameter({2}), torch::zeros({3}, torch::kFloat64).requires_grad_(true)},
             *mpi);
  });
  EXPECT_NE(mixed_error.find("one flat buffer needs one dtype and device"), std::string::npos)
      << mixed_error;
}

}  // namespace
}  // namespace fpt::dist
