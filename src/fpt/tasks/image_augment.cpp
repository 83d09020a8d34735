#include "fpt/tasks/image_augment.h"

#include <cmath>

#include "fpt/core/error.h"

namespace fpt::tasks {

AugmentDraw draw_augmentation(int64_t batch_size, torch::Generator& generator) {
  AugmentDraw draw;
  draw.top     = torch::randint(0, 2 * kCropPadding + 1, {batch_size}, generator, torch::kLong);
  draw.left    = torch::randint(0, 2 * kCropPadding + 1, {batch_size}, generator, torch::kLong);
  draw.flip    = torch::rand({batch_size}, generator) < kFlipProbability;
  draw.degrees = torch::rand({batch_size}, generator) * (2 * kMaxRotationDegree) -
                 kMaxRotationDegree;  // float32, as torchvision's uniform_ draw
  return draw;
}

torch::Tensor crop_and_flip(const torch::Tensor& images, const torch::Tensor& top,
                            const torch::Tensor& left, const torch::Tensor& flip, int64_t padding) {
  if (images.dim() != 4) fail("crop_and_flip: images must be (B, H, W, C)");
  const int64_t B = images.size(0), H = images.size(1), W = images.size(2);
  const auto padded = torch::constant_pad_nd(images, {0, 0, padding, padding, padding, padding}, 0);
  const auto columns = torch::arange(W, torch::kLong).view({1, W});
  // after the crop, a mirror reads column W-1-x of the crop for output column x
  const auto source_columns =
      left.view({B, 1}) + torch::where(flip.view({B, 1}), (W - 1) - columns, columns);  // (B, W)
  const auto source_rows =
      top.view({B, 1}) + torch::arange(H, torch::kLong).view({1, H});  // (B, H)
  return padded.index({torch::arange(B, torch::kLong).view({B, 1, 1}), source_rows.view({B, H, 1}),
                       source_columns.view({B, 1, W})});  // (B, H, W, C)
}

torch::Tensor rotate_images(const torch::Tensor& images, const torch::Tensor& degrees) {
  if (images.dim() != 4) fail("rotate_images: images must be (B, H, W, C)");
  const int64_t B = images.size(0), H = images.size(1), W = images.size(2);
  // torchvision's inverse affine matrix for rotate(angle) about the centre: output pixel (x, y),
  // measured from the centre, samples the input at (cos a x - sin a y, sin a x + cos a y). The
  // matrix is computed in double and used in float32, as torchvision does.
  const auto radians = degrees.to(torch::kFloat64) * (M_PI / 180.0);
  const auto cos = radians.cos(), sin = radians.sin(), zero = torch::zeros_like(radians);
  const auto theta =
      torch::stack({torch::stack({cos, -sin, zero}, 1), torch::stack({sin, cos, zero}, 1)},
                   1)
          .to(torch::kFloat32);  // (B, 2, 3)
  // torchvision _gen_affine_grid: pixel centres relative to the image centre, the result
  // normalised by half the size into grid_sample's [-1, 1] (align_corners false).
  const auto xs   = torch::linspace(-W * 0.5 + 0.5, W * 0.5 + 0.5 - 1, W, torch::kFloat32);
  const auto ys   = torch::linspace(-H * 0.5 + 0.5, H * 0.5 + 0.5 - 1, H, torch::kFloat32);
  auto       base = torch::empty({1, H, W, 3}, torch::kFloat32);
  base.select(3, 0).copy_(xs.view({1, W}));
  base.select(3, 1).copy_(ys.view({H, 1}));
  base.select(3, 2).fill_(1);
  const auto scaled_theta =
      theta.transpose(1, 2) / torch::tensor({0.5f * W, 0.5f * H}, torch::kFloat32);  // (B, 3, 2)
  const auto grid =
      base.view({1, H * W, 3}).expand({B, H * W, 3}).bmm(scaled_theta).view({B, H, W, 2});
  const auto input = images.permute({0, 3, 1, 2}).to(torch::kFloat32);  // (B, C, H, W)
  // interpolation 1 = nearest, padding 0 = zeros; nearest copies values, so uint8 round-trips
  const auto rotated = torch::grid_sampler(input, grid, 1, 0, /*align_corners=*/false);
  return rotated.permute({0, 2, 3, 1}).to(images.scalar_type()).contiguous();  // (B, H, W, C)
}

torch::Tensor augment_images(const torch::Tensor& images, torch::Generator& generator) {
  const AugmentDraw draw = draw_augmentation(images.size(0), generator);
  return rotate_images(crop_and_flip(images, draw.top, draw.left, draw.flip, kCropPadding),
                       draw.degrees);
}

}  // namespace fpt::tasks
