// Image → token conversion of the three image tasks, as the official code's einops
// 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)': patches of P×P pixels in row-major order over the
// image, and inside a patch row, then column, then channel (channel fastest).
//
//   mnist         P 4, pixels / 255 in [0, 1]; 28×28 → 49 tokens × 16, or with pad_to 32 (2 zero
//                 pixels each side, the paper's text) → 64 × 16
//   cifar10       P 4, (x / 255 - mean) / std per channel → 64 tokens × 48
//   cifar10-gray  L = 0.2989 R + 0.587 G + 0.114 B on [0, 1] values, (L - 0.5) / 0.5, P 1 →
//                 1024 tokens × 1
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace fpt::tasks {

enum class ImageKind { mnist, cifar10, cifar10_gray };

// "mnist" | "cifar10" | "cifar10-gray" → ImageKind; fails on any other name.
ImageKind   image_kind_from_task(const std::string& task);
std::string image_task_name(ImageKind kind);

constexpr double kCifar10Mean[3] = {0.4914, 0.4822, 0.4465};
constexpr double kCifar10Std[3]  = {0.2023, 0.1994, 0.2010};
constexpr double kGrayWeights[3] = {0.2989, 0.587, 0.114};  // torchvision rgb_to_grayscale

// (B, H, W, C) float → (B, (H/P)*(W/P), P*P*C); H and W must be multiples of P.
torch::Tensor patchify(const torch::Tensor& images, int64_t patch);

// Patch side of the kind: 4 for mnist and cifar10, 1 for cifar10-gray.
int64_t image_patch_size(ImageKind kind);

// The model inputs of uint8 images (B, H, W, C) of `kind` (C 1 for mnist, 3 otherwise): float32
// (B, T, D) as in the table above. `pad_to` (mnist only; 0 or H = none) zero-pads the image
// symmetrically to pad_to × pad_to after scaling to [0, 1].
torch::Tensor image_tokens(const torch::Tensor& images, ImageKind kind, int64_t pad_to = 0);

}  // namespace fpt::tasks
