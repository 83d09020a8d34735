// Training augmentation of cifar10 and cifar10-gray, as the official code's torchvision pipeline
// RandomCrop(32, padding=4) → RandomHorizontalFlip() → RandomRotation(20): a 4-pixel zero border
// and a random 32×32 crop of it (a shift by -4..4 pixels with zero fill), a mirror with p 0.5, and
// a rotation by an angle uniform in [-20°, 20°] about the image centre (nearest neighbour, fill 0,
// positive = counter-clockwise), each drawn per image, vectorised over the batch.
//
// It runs on the uint8 image, before normalisation and before the grayscale conversion. The
// official code converts first (ToTensor → Grayscale → augment → Normalize), but every step here
// only moves pixels or fills zeros, and 0 stays 0 under /255 and under the gray weights, so both
// orders give identical tokens; augmenting the stored uint8 pixels keeps one code path for both
// tasks.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace fpt::tasks {

constexpr int64_t kCropPadding       = 4;
constexpr double  kFlipProbability   = 0.5;
constexpr double  kMaxRotationDegree = 20.0;

// The random choices for a batch of B images, drawn from the generator in this order: top (B) and
// left (B) int64 in [0, 2*kCropPadding], flip (B) bool, degrees (B) float in [-20, 20).
struct AugmentDraw {
  torch::Tensor top;
  torch::Tensor left;
  torch::Tensor flip;
  torch::Tensor degrees;
};
AugmentDraw draw_augmentation(int64_t batch_size, torch::Generator& generator);

// (B, H, W, C) → (B, H, W, C), same dtype: crop (top, left) of the image zero-padded by `padding`
// on each side, then mirrored left-right where flip is true.
torch::Tensor crop_and_flip(const torch::Tensor& images, const torch::Tensor& top,
                            const torch::Tensor& left, const torch::Tensor& flip, int64_t padding);

// (B, H, W, C) → (B, H, W, C), same dtype: each image rotated by degrees[b] counter-clockwise about
// its centre, nearest neighbour, zeros outside — torchvision's F.rotate on tensors (its grid,
// float32 arithmetic and grid_sample with align_corners false).
torch::Tensor rotate_images(const torch::Tensor& images, const torch::Tensor& degrees);

// The whole augmentation of a (B, H, W, C) batch with fresh draws from the generator.
torch::Tensor augment_images(const torch::Tensor& images, torch::Generator& generator);

}  // namespace fpt::tasks
