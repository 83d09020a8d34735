// Tests of the FPT wrapper and its parameter groups: output shapes for token and continuous
// inputs, reading the last positions, input/output init, the official grouping of names, the
// trains parser, freezing under a real Adam step, make_model, and the paper's parameter count for
// GPT-2 base (106,752 in the paper's accounting; 108,298 effectively trained by fpt).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/models/fpt_model.h"
#include "fpt/models/gpt2_config.h"
#include "fpt/models/make_model.h"
#include "fpt/models/parameter_groups.h"

namespace fpt::models {

using fpt::test::error_of;
namespace {

using G = ParameterGroup;

FptModelOptions continuous_options(int64_t input_dim, int64_t output_tokens, int64_t output_dim) {
  FptModelOptions options;
  options.input_dim     = input_dim;
  options.output_tokens = output_tokens;
  options.output_dim    = output_dim;
  return options;
}

core::ExperimentSpec tiny_spec(const std::string& trains = "fpt") {
  core::ExperimentSpec spec;
  spec.body   = "gpt2-tiny";
  spec.trains = trains;
  return spec;
}

double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(FptModel, ContinuousInputShapes) {
  torch::manual_seed(0);
  FptModel model(gpt2_config("gpt2-tiny"), continuous_options(16, 3, 10));
  EXPECT_EQ(model(torch::randn({2, 12, 16})).sizes().vec(), (std::vector<int64_t>{2, 3, 10}));
  EXPECT_EQ(model(torch::randn({1, 3, 16})).sizes().vec(), (std::vector<int64_t>{1, 3, 10}));
  EXPECT_THROW(model(torch::randn({1, 2, 16})), fpt::Error);             // fewer tokens than read
  EXPECT_THROW(model(torch::randn({2, 12, 8})), fpt::Error);             // wrong feature count
  EXPECT_THROW(model(torch::zeros({2, 12}, torch::kLong)), fpt::Error);  // ids to a Linear
}

TEST(FptModel, TokenInputShapes) {
  torch::manual_seed(0);
  FptModelOptions options = continuous_options(15, 1, 10);
  options.token_input     = true;
  FptModel            model(gpt2_config("gpt2-tiny"), options);
  const torch::Tensor ids = torch::randint(0, 15, {2, 20}, torch::kLong);
  EXPECT_EQ(model(ids).sizes().vec(), (std::vector<int64_t>{2, 1, 10}));
  EXPECT_THROW(model(torch::randn({2, 20, 15})), fpt::Error);  // floats to an Embedding
  EXPECT_FALSE(model->input_linear);
  EXPECT_EQ(model->named_parameters()["input_layer.weight"].sizes().vec(),
            (std::vector<int64_t>{15, 128}));
  // N(0, 1) embedding init (1,920 samples)
  EXPECT_NEAR(model->input_embedding->weight.std().item<double>(), 1.0, 0.06);
}

TEST(FptModel, ReadsTheLastPositionsNotAMean) {
  torch::manual_seed(1);
  FptModel model(gpt2_config("gpt2-tiny"), continuous_options(4, 2, 3));
  model->eval();
  torch::NoGradGuard  no_grad;
  const torch::Tensor x      = torch::randn({2, 7, 4});
  const torch::Tensor hidden = model->body->forward(model->input_linear(x));  // (2, 7, 128)
  const torch::Tensor logits = model(x);
  EXPECT_LT(max_abs_difference(logits, model->output_layer(hidden.narrow(1, 5, 2))), 1e-6);
  EXPECT_GT(max_abs_difference(logits, model->output_layer(hidden.narrow(1, 0, 2))), 1e-4);
  // The last position has seen the whole sequence: changing the first token changes it.
  torch::Tensor changed = x.clone();
  changed.select(1, 0).add_(1.0);
  EXPECT_GT(max_abs_difference(model(changed), logits), 1e-4);
}

TEST(FptModel, InputLayerIsOrthogonalWithGain) {
  torch::manual_seed(2);
  FptModel            tall(gpt2_config("gpt2-tiny"), continuous_options(16, 1, 2));
  const torch::Tensor w = tall->input_linear->weight;  // (128, 16): orthogonal columns
  EXPECT_EQ(w.sizes().vec(), (std::vector<int64_t>{128, 16}));
  EXPECT_LT(max_abs_difference(w.t().matmul(w), 1.41 * 1.41 * torch::eye(16)), 1e-4);
  EXPECT_EQ(tall->input_linear->bias.abs().max().item<double>(), 0.0);

  FptModelOptions wide_options = continuous_options(200, 1, 2);
  wide_options.orth_gain       = 2.0;
  FptModel            wide(gpt2_config("gpt2-tiny"), wide_options);
  const torch::Tensor v = wide->input_linear->weight;  // (128, 200): orthogonal rows
  EXPECT_LT(max_abs_difference(v.matmul(v.t()), 4.0 * torch::eye(128)), 1e-4);
}

TEST(FptModel, OutputLayerHasPyTorchDefaultInit) {
  torch::manual_seed(3);
  FptModel            model(gpt2_config("gpt2-mini"), continuous_options(8, 1, 50));
  const double        bound = 1.0 / std::sqrt(256.0);  // U(±1/sqrt(fan_in))
  const torch::Tensor w = model->output_layer->weight, b = model->output_layer->bias;
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_LE(b.abs().max().item<double>(), bound);
  EXPECT_NEAR(w.std().item<double>(), bound / std::sqrt(3.0), 0.05 * bound);
  EXPECT_GT(b.abs().max().item<double>(), 0.5 * bound);
}

TEST(ParameterGroups, OfficialGroupingOfNames) {
  const std::map<std::string, G> expected = {{"input_layer.weight", G::input},
                                             {"input_layer.bias", G::input},
                                             {"output_layer.weight", G::output},
                                             {"output_layer.bias", G::output},
                                             {"body.wpe.weight", G::pos},
                                             {"body.wte.weight", G::frozen},
                                             {"body.h.0.ln_1.weight", G::ln},
                                             {"body.h.11.ln_2.bias", G::ln},
                                             {"body.ln_f.weight", G::ln},
                                             {"body.h.3.attn.c_attn.weight", G::attn},
                                             {"body.h.3.attn.c_proj.bias", G::attn},
                                             {"body.h.3.mlp.c_fc.weight", G::ff},
                                             {"body.h.3.mlp.c_proj.weight", G::ff},
                                             {"h.0.ln_1.bias", G::ln},
                                             {"wpe.weight", G::pos},
                                             {"h.2.mlp.c_proj.bias", G::ff}};
  for (const auto& [name, group] : expected)
    EXPECT_EQ(group_name(group_of(name)), group_name(group)) << name;
  EXPECT_EQ(group_name(G::frozen), "frozen");
}

// The groups of a parsed `trains` value, all without block ranges.
std::vector<G> whole_groups(const std::string& trains) {
  std::vector<G> groups;
  for (const TrainedGroup& trained : parse_trains(trains)) {
    EXPECT_FALSE(trained.blocks.has_value()) << trains;
    groups.push_back(trained.group);
  }
  return groups;
}

TEST(ParameterGroups, ParseTrains) {
  EXPECT_EQ(whole_groups("fpt"), (std::vector<G>{G::input, G::output, G::pos, G::ln}));
  EXPECT_EQ(whole_groups("full"),
            (std::vector<G>{G::input, G::output, G::pos, G::ln, G::attn, G::ff, G::recurrent}));
  EXPECT_EQ(whole_groups("output"), (std::vector<G>{G::output}));
  EXPECT_EQ(whole_groups("output,ln"), (std::vector<G>{G::output, G::ln}));
  EXPECT_EQ(whole_groups("input, output ,ln,ln"), (std::vector<G>{G::input, G::output, G::ln}));
  for (const std::string bad :
       {"bogus", "", "output,,ln", "output,", "frozen", "FPT", "fpt,attn", "attn@", "attn@x",
        "attn@1:2:3", "attn@1.5", "pos@0", "output@-1", "attn@--1", "attn@1234567", "frozen@1"}) {
    const std::string message = error_of([&] { parse_trains(bad); });
    EXPECT_NE(message.find("valid"), std::string::npos) << "'" << bad << "': " << message;
    EXPECT_NE(message.find("attn"), std::string::npos) << message;
    EXPECT_NE(message.find("'" + bad + "'"), std::string::npos) << message;
  }
}

TEST(ParameterGroups, ParseTrainsWithBlocks) {
  const auto selection = parse_trains("input,output,pos,ln,ff, attn@-1 ,ln@0 : 2,ff@-2:,attn@:1");
  ASSERT_EQ(selection.size(), 9u);
  EXPECT_EQ(selection[4], (TrainedGroup{G::ff, std::nullopt}));
  EXPECT_EQ(selection[5], (TrainedGroup{G::attn, BlockRange{-1, std::nullopt, true}}));
  EXPECT_EQ(selection[6], (TrainedGroup{G::ln, BlockRange{0, 2, false}}));
  EXPECT_EQ(selection[7], (TrainedGroup{G::ff, BlockRange{-2, std::nullopt, false}}));
  EXPECT_EQ(selection[8], (TrainedGroup{G::attn, BlockRange{std::nullopt, 1, false}}));
  // Python slice semantics over 12 blocks.
  auto blocks_of = [](const std::string& word) {
    std::vector<int64_t> kept;
    for (int64_t block = 0; block < 12; ++block)
      if (parse_trains(word)[0].blocks->contains(block, 12)) kept.push_back(block);
    return kept;
  };
  EXPECT_EQ(blocks_of("attn@-1"), (std::vector<int64_t>{11}));
  EXPECT_EQ(blocks_of("attn@3"), (std::vector<int64_t>{3}));
  EXPECT_EQ(blocks_of("attn@10:12"), (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(blocks_of("attn@-2:"), (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(blocks_of("attn@:2"), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(blocks_of("attn@-20:1"), (std::vector<int64_t>{0}));  // clamped, like Python
  EXPECT_EQ(blocks_of("attn@5:3"), (std::vector<int64_t>{}));
  EXPECT_EQ(blocks_of("attn@12"), (std::vector<int64_t>{}));
}

TEST(ParameterGroups, BlockIndexOfParameterNames) {
  EXPECT_EQ(block_index("body.h.11.attn.c_attn.weight"), 11);
  EXPECT_EQ(block_index("h.0.ln_1.bias"), 0);
  EXPECT_EQ(block_index("body.encoder.layer.5.attention.self.query.weight"), 5);
  EXPECT_EQ(block_index("body.blocks.3.mlp.fc1.weight"), 3);
  EXPECT_EQ(block_index("body.ln_f.weight"), std::nullopt);
  EXPECT_EQ(block_index("body.wpe.weight"), std::nullopt);
  EXPECT_EQ(block_index("input_layer.hidden.0.weight"), std::nullopt);
  EXPECT_EQ(block_index("output_layer.weight"), std::nullopt);
}

TEST(ParameterGroups, LastAttentionBlockTrainsAloneWithEveryFeedForward) {
  // The paper's CIFAR-10 run: FPT groups + every feed-forward layer + the last attention layer.
  FptModel model =
      make_model(tiny_spec("input,output,pos,ln,ff,attn@-1"), continuous_options(5, 1, 2));
  int64_t attention_trained = 0;
  for (const auto& item : model->named_parameters()) {
    const std::string& name  = item.key();
    const G            group = group_of(name);
    bool expected = group == G::input || group == G::output || group == G::pos || group == G::ln ||
                    group == G::ff ||
                    (group == G::attn && name.rfind("body.h.2.", 0) == 0);  // 3 blocks
    EXPECT_EQ(item.value().requires_grad(), expected) << name;
    if (group == G::attn && item.value().requires_grad()) ++attention_trained;
  }
  EXPECT_EQ(attention_trained, 4);  // c_attn and c_proj, weight and bias, of block 2 only

  // ln@0 trains block 0's two LayerNorms, not ln_f (outside the blocks).
  apply_trainable_groups(*model, parse_trains("ln@0"));
  for (const auto& item : model->named_parameters())
    EXPECT_EQ(item.value().requires_grad(), item.key().rfind("body.h.0.ln_", 0) == 0) << item.key();
}

TEST(ParameterGroups, BlockRangeOutsideTheBodyIsAClearError) {
  const std::string message =
      error_of([] { make_model(tiny_spec("input,output,attn@3"), continuous_options(5, 1, 2)); });
  EXPECT_NE(message.find("experiment gpt2-tiny"), std::string::npos) << message;
  EXPECT_NE(message.find("attn@3"), std::string::npos) << message;
  EXPECT_NE(message.find("3 blocks"), std::string::npos) << message;
  EXPECT_NE(
      error_of([] { make_model(tiny_spec("ff@5:"), continuous_options(5, 1, 2)); }).find("ff@5:"),
      std::string::npos);
  core::ExperimentSpec lstm = tiny_spec("recurrent@-1");
  lstm.body                 = "lstm-tiny";
  lstm.lstm_cell            = "torch";  // one torch::nn::LSTM: no numbered blocks
  EXPECT_NE(error_of([&] {
              make_model(lstm, continuous_options(5, 1, 2));
            }).find("recurrent@-1 selects no parameter: this body has no numbered blocks"),
            std::string::npos)
      << error_of([&] { make_model(lstm, continuous_options(5, 1, 2)); });
  lstm.lstm_cell = "layernorm";  // the official cell: layers.N.*
  EXPECT_NO_THROW(make_model(lstm, continuous_options(5, 1, 2)));
  EXPECT_NE(
      error_of([] {
        make_model(tiny_spec("recurrent@-1"), continuous_options(5, 1, 2));
      }).find("recurrent@-1 selects no parameter: this body has no recurrent parameters inside"),
      std::string::npos);
}

TEST(ParameterGroups, FptDefaultFreezesAttentionFeedForwardAndTokens) {
  torch::manual_seed(4);
  FptModel model   = make_model(tiny_spec(), continuous_options(5, 2, 3));
  int      checked = 0;
  for (const auto& item : model->named_parameters()) {
    const G    group = group_of(item.key());
    const bool trains =
        group == G::input || group == G::output || group == G::pos || group == G::ln;
    EXPECT_EQ(item.value().requires_grad(), trains) << item.key();
    ++checked;
  }
  EXPECT_EQ(checked, 2 + 2 + 1 + 1 + 3 * 12 + 2);  // input, output, wte, wpe, blocks, ln_f
}

TEST(ParameterGroups, OneAdamStepChangesOnlyTrainableGroups) {
  torch::manual_seed(5);
  const int64_t T     = 9;
  FptModel      model = make_model(tiny_spec(), continuous_options(5, 2, 3));
  model->train();
  std::map<std::string, torch::Tensor> before;
  for (const auto& item : model->named_parameters())
    before[item.key()] = item.value().detach().clone();

  // Every parameter goes to Adam: freezing must come from requires_grad alone.
  torch::optim::Adam  adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor logits  = model(torch::randn({4, T, 5}));  // (4, 2, 3)
  const torch::Tensor targets = torch::randint(0, 3, {8}, torch::kLong);
  torch::nn::functional::cross_entropy(logits.reshape({8, 3}), targets).backward();
  for (const auto& item : model->named_parameters())
    EXPECT_EQ(item.value().grad().defined(), item.value().requires_grad()) << item.key();
  adam.step();

  for (const auto& item : model->named_parameters()) {
    const std::string&   name  = item.key();
    const torch::Tensor& after = item.value();
    const G              group = group_of(name);
    if (group == G::attn || group == G::ff || group == G::frozen) {
      EXPECT_TRUE(torch::equal(after, before[name])) << name << " changed";
    } else if (group == G::pos) {
      EXPECT_FALSE(torch::equal(after.narrow(0, 0, T), before[name].narrow(0, 0, T))) << name;
      EXPECT_TRUE(torch::equal(after.narrow(0, T, after.size(0) - T),
                               before[name].narrow(0, T, after.size(0) - T)))
          << "positions beyond the sequence changed";
    } else {
      EXPECT_FALSE(torch::equal(after, before[name])) << name << " did not change";
    }
  }
}

TEST(ParameterGroups, FullTrainsEveryBodyGroupButTokens) {
  FptModel model = make_model(tiny_spec("full"), continuous_options(5, 1, 2));
  for (const auto& item : model->named_parameters())
    EXPECT_EQ(item.value().requires_grad(), item.key() != "body.wte.weight") << item.key();
  apply_trainable_groups(*model, parse_trains("output,ln"));
  for (const auto& item : model->named_parameters()) {
    const G group = group_of(item.key());
    EXPECT_EQ(item.value().requires_grad(), group == G::output || group == G::ln) << item.key();
  }
}

TEST(ParameterGroups, CountsForGpt2BaseMatchThePaper) {
  // GPT-2 base, 16-dim continuous tokens, 64 tokens, 10 classes, FPT default (paper §1.5).
  core::ExperimentSpec spec;
  spec.body      = "gpt2";
  spec.trains    = "fpt";
  FptModel model = make_model(spec, continuous_options(16, 1, 10));
  const std::vector<core::ParameterGroupCount> rows = count_parameters(*model, 64);
  ASSERT_EQ(rows.size(), 9u);  // 8 groups and "all"
  std::map<std::string, core::ParameterGroupCount> by_group;
  for (const auto& row : rows) by_group[row.group] = row;
  EXPECT_EQ(rows.back().group, "all");

  // name: total, trainable, effective
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"input", {13056, 13056, 13056}},  // 16·768 + 768
      {"output", {7690, 7690, 7690}},    // 768·10 + 10
      {"pos", {786432, 786432, 49152}},  // 1024 rows marked, 64 rows used
      {"ln", {38400, 38400, 38400}},     // 12 blocks · 2 LN · 1,536 + ln_f 1,536
      {"attn", {28348416, 0, 0}},
      {"ff", {56669184, 0, 0}},
      {"recurrent", {0, 0, 0}},      // LSTM weights only
      {"frozen", {38597376, 0, 0}},  // wte 50257·768
      {"all", {124460554, 845578, 108298}}};
  for (const auto& [group, numbers] : expected) {
    ASSERT_TRUE(by_group.count(group)) << group;
    EXPECT_EQ(by_group[group].total, numbers[0]) << group;
    EXPECT_EQ(by_group[group].trainable, numbers[1]) << group;
    EXPECT_EQ(by_group[group].effective, numbers[2]) << group;
  }

  // The paper's accounting: input + block LayerNorms + 64 positions + output weights = 106,752.
  int64_t block_layer_norms = 0;
  for (const auto& item : model->named_parameters())
    if (item.key().rfind("body.h.", 0) == 0 && group_of(item.key()) == G::ln)
      block_layer_norms += item.value().numel();
  EXPECT_EQ(block_layer_norms, 36864);
  const int64_t output_weights = model->output_layer->weight.numel();
  EXPECT_EQ(
      by_group["input"].effective + block_layer_norms + by_group["pos"].effective + output_weights,
      106752);
  // fpt's exact effective count adds ln_f (1,536) and the output bias (10).
  EXPECT_EQ(by_group["all"].effective - 106752, 1536 + 10);
}

TEST(ParameterGroups, CountRejectsEmptySequences) {
  FptModel model = make_model(tiny_spec(), continuous_options(2, 1, 2));
  EXPECT_THROW(count_parameters(*model, 0), fpt::Error);
  // longer than the table: every row is used
  const auto rows = count_parameters(*model, 5000);
  EXPECT_EQ(rows[static_cast<size_t>(G::pos)].effective, 1024 * 128);
}

TEST(MakeModel, FollowsTheSpec) {
  core::ExperimentSpec spec = tiny_spec();
  spec.n_layer              = 2;
  spec.dropout              = 0.0;
  spec.orth_gain            = 2.0;
  FptModelOptions options   = continuous_options(4, 1, 3);
  options.dropout           = 0.5;  // the spec's dropout wins
  FptModel model            = make_model(spec, options);
  auto*    body             = dynamic_cast<fpt::models::Gpt2BodyImpl*>(model->body.get());
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->h->size(), 2u);
  EXPECT_EQ(body->config().n_layer, 2);
  EXPECT_EQ(model->options().dropout, 0.0);
  const torch::Tensor w = model->input_linear->weight;  // (128, 4)
  EXPECT_LT(max_abs_difference(w.t().matmul(w), 4.0 * torch::eye(4)), 1e-4);
  // No dropout anywhere: training and evaluation forwards agree.
  torch::NoGradGuard  no_grad;
  const torch::Tensor x = torch::randn({2, 6, 4});
  model->train();
  const torch::Tensor trained = model(x);
  model->eval();
  EXPECT_LT(max_abs_difference(trained, model(x)), 1e-6);
}

TEST(MakeModel, RejectsUnavailableChoicesWithTheExperimentTag) {
  const FptModelOptions options = continuous_options(4, 1, 3);
  core::ExperimentSpec  spec    = tiny_spec();
  spec.init                     = "pretrained";
  std::string message           = error_of([&] { make_model(spec, options); });
  EXPECT_NE(message.find("gpt2-tiny_bit-xor_pretrained_fpt_s0"), std::string::npos) << message;
  EXPECT_NE(message.find("has no published ones"), std::string::npos) << message;

  spec      = tiny_spec();
  spec.init = "bogus";
  EXPECT_NE(error_of([&] { make_model(spec, options); }).find("random"), std::string::npos);

  spec      = tiny_spec();
  spec.body = "gpt3";
  EXPECT_NE(error_of([&] { make_model(spec, options); }).find("gpt2-tiny"), std::string::npos);

  spec         = tiny_spec();
  spec.n_layer = 4;
  message      = error_of([&] { make_model(spec, options); });
  EXPECT_NE(message.find("n_layer 4"), std::string::npos) << message;

  spec    = tiny_spec("output,bogus");
  message = error_of([&] { make_model(spec, options); });
  EXPECT_NE(message.find(core::default_tag(spec)), std::string::npos) << message;
  EXPECT_NE(message.find("bogus"), std::string::npos) << message;
}

}  // namespace
}  // namespace fpt::models
