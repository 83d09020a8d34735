#include "fpt/tasks/image_tokens.h"

#include "fpt/core/error.h"

namespace fpt::tasks {

ImageKind image_kind_from_task(const std::string& task) {
  if (task == "mnist") return ImageKind::mnist;
  if (task == "cifar10") return ImageKind::cifar10;
  if (task == "cifar10-gray") return ImageKind::cifar10_gray;
  fail("'{}' is not an image task (mnist | cifar10 | cifar10-gray)", task);
}

std::string image_task_name(ImageKind kind) {
  switch (kind) {
    case ImageKind::mnist:
      return "mnist";
    case ImageKind::cifar10:
      return "cifar10";
    case ImageKind::cifar10_gray:
      return "cifar10-gray";
  }
  return "";
}

int64_t image_patch_size(ImageKind kind) {
  return kind == ImageKind::cifar10_gray ? 1 : 4;
}

torch::Tensor patchify(const torch::Tensor& images, int64_t patch) {
  if (images.dim() != 4) fail("patchify: images must be (B, H, W, C), got {} dims", images.dim());
  const int64_t B = images.size(0), H = images.size(1), W = images.size(2), C = images.size(3);
  if (patch < 1 || H % patch != 0 || W % patch != 0)
    fail("patchify: a {}x{} image does not divide into {}x{} patches", H, W, patch, patch);
  return images
      .reshape({B, H / patch, patch, W / patch, patch, C})          // (B, h, p1, w, p2, C)
      .permute({0, 1, 3, 2, 4, 5})                                  // (B, h, w, p1, p2, C)
      .reshape({B, (H / patch) * (W / patch), patch * patch * C});  // (B, T, P*P*C)
}

torch::Tensor image_tokens(const torch::Tensor& images, ImageKind kind, int64_t pad_to) {
  if (images.dim() != 4 || images.scalar_type() != torch::kUInt8)
    fail("{}: images must be (B, H, W, C) uint8", image_task_name(kind));
  const int64_t channels = kind == ImageKind::mnist ? 1 : 3;
  if (images.size(3) != channels)
    fail("{}: images have {} channels, expected {}", image_task_name(kind), images.size(3),
         channels);
  torch::Tensor x = images.to(torch::kFloat32).div_(255.0f);  // (B, H, W, C) in [0, 1]
  switch (kind) {
    case ImageKind::mnist: {
      const int64_t H = x.size(1), W = x.size(2);
      if (pad_to > 0 && (pad_to != H || pad_to != W)) {
        if (pad_to < H || pad_to < W || (pad_to - H) % 2 != 0 || (pad_to - W) % 2 != 0)
          fail("mnist: cannot pad a {}x{} image symmetrically to {}x{}", H, W, pad_to, pad_to);
        const int64_t dy = (pad_to - H) / 2, dx = (pad_to - W) / 2;
        x = torch::constant_pad_nd(x, {0, 0, dx, dx, dy, dy}, 0.0);  // (B, pad_to, pad_to, 1)
      }
      break;
    }
    case ImageKind::cifar10: {
      const auto mean =
          torch::tensor({kCifar10Mean[0], kCifar10Mean[1], kCifar10Mean[2]}, torch::kFloat32);
      const auto std =
          torch::tensor({kCifar10Std[0], kCifar10Std[1], kCifar10Std[2]}, torch::kFloat32);
      x = (x - mean) / std;  // broadcast over the channel (last) dim
      break;
    }
    case ImageKind::cifar10_gray: {
      // summed in torchvision's order, in float32: 0.2989 r + 0.587 g + 0.114 b
      x = (x.select(3, 0) * kGrayWeights[0] + x.select(3, 1) * kGrayWeights[1] +
           x.select(3, 2) * kGrayWeights[2])
              .unsqueeze(3);  // (B, H, W, 1)
      x = (x - 0.5f) / 0.5f;
      break;
    }
  }
  return patchify(x, image_patch_size(kind));
}

}  // namespace fpt::tasks
