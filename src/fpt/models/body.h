// BodyImpl: the interface every transformer (or LSTM) body of an FptModel implements — GPT-2,
// ViT, BERT-family, LSTM. A body maps embeddings (B, T, C) to hidden states (B, T, C); it owns its
// positional table (if it has one) and its LayerNorms, registered under the names its reference
// checkpoints use, so that parameter groups (parameter_groups.h) and checkpoint loading are name
// lookups. The FPT wrapper (fpt_model.h) adds the input layer before it and the head after it.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fpt::models {

class CheckpointReader;

struct BodyImpl : torch::nn::Module {
  ~BodyImpl() override = default;

  // (B, T, C) -> (B, T, C). Throws fpt::Error for a wrong width or T > max_positions().
  virtual torch::Tensor forward(const torch::Tensor& embeddings) = 0;

  virtual int64_t     width() const         = 0;  // C, the input and output width
  virtual int64_t     max_positions() const = 0;  // longest sequence T; 0 = no limit (LSTM)
  virtual std::string family() const        = 0;  // "gpt2", "vit", "bert", "lstm"

  // Re-draws every parameter with the body's own random initialisation (the "random" init).
  virtual void reset_parameters() = 0;

  // Copies a checkpoint's tensors into this body. Accepts the reference implementation's file
  // (HF GPT-2, timm or HF ViT, HF BERT) and a body saved by fpt itself (save_body: the body's own
  // parameter names). Uses reader.copy_into / reader.ignore and ends with reader.finish(), which
  // lists every missing, unexpected or mis-shaped tensor at once. Returns the names (in this
  // body's named_parameters) of the parameters the checkpoint provided: the "statistics only"
  // initialisation redraws exactly those; new tables (ViT's zero positional table) are not in it.
  virtual std::vector<std::string> load_checkpoint(CheckpointReader& reader) = 0;
};

using Body = std::shared_ptr<BodyImpl>;

}  // namespace fpt::models
