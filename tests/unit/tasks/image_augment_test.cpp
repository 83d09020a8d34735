// CIFAR-10 training augmentation: deterministic given the generator, the flip an exact mirror, the
// crop a shift with zero fill, the rotation torchvision's (counter-clockwise, nearest, zeros)
// checked at 0°, ±90°, 180° and against a direct computation at 20°.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "fpt/tasks/image_augment.h"

namespace {

using namespace fpt::tasks;

torch::Generator generator_with_seed(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

// (B, 32, 32, 3) uint8 images with distinct random pixels.
torch::Tensor random_images(int64_t batch, uint64_t seed) {
  auto generator = generator_with_seed(seed);
  return torch::randint(0, 256, {batch, 32, 32, 3}, generator, torch::kLong).to(torch::kUInt8);
}

TEST(ImageAugment, SameSeedSameOutputOtherSeedOtherOutput) {
  const auto images = random_images(8, 1);
  auto       a = generator_with_seed(42), b = generator_with_seed(42), c = generator_with_seed(43);
  const auto first = augment_images(images, a);
  EXPECT_TRUE(torch::equal(first, augment_images(images, b)));
  EXPECT_FALSE(torch::equal(first, augment_images(images, c)));
  EXPECT_EQ(first.scalar_type(), torch::kUInt8);
  EXPECT_EQ(first.sizes(), images.sizes());
  // the draws continue: a second batch from the same generator differs from the first
  EXPECT_FALSE(torch::equal(first, augment_images(images, a)));
}

TEST(ImageAugment, AugmentIsCropFlipThenRotateWithTheDrawsInOrder) {
  const auto images = random_images(4, 2);
  auto       a = generator_with_seed(7), b = generator_with_seed(7);
  const auto draw     = draw_augmentation(4, b);
  const auto expected = rotate_images(
      crop_and_flip(images, draw.top, draw.left, draw.flip, kCropPadding), draw.degrees);
  EXPECT_TRUE(torch::equal(augment_images(images, a), expected));
}

TEST(ImageAugment, DrawsCoverTheirRanges) {
  auto       generator = generator_with_seed(3);
  const auto draw      = draw_augmentation(4000, generator);
  EXPECT_EQ(draw.top.min().item<int64_t>(), 0);
  EXPECT_EQ(draw.top.max().item<int64_t>(), 8);
  EXPECT_EQ(draw.left.min().item<int64_t>(), 0);
  EXPECT_EQ(draw.left.max().item<int64_t>(), 8);
  EXPECT_GE(draw.degrees.min().item<float>(), -20.0f);
  EXPECT_LT(draw.degrees.max().item<float>(), 20.0f);
  EXPECT_LT(draw.degrees.min().item<float>(), -19.0f);
  EXPECT_GT(draw.degrees.max().item<float>(), 19.0f);
  const double flips = draw.flip.to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(flips, 0.5, 0.04);
}

TEST(ImageAugment, FlipIsAnExactMirrorAndCentreCropTheIdentity) {
  const auto images = random_images(2, 4);
  const auto centre = torch::full({2}, kCropPadding, torch::kLong);
  const auto yes = torch::ones({2}, torch::kBool), no = torch::zeros({2}, torch::kBool);
  EXPECT_TRUE(torch::equal(crop_and_flip(images, centre, centre, no, kCropPadding), images));
  EXPECT_TRUE(
      torch::equal(crop_and_flip(images, centre, centre, yes, kCropPadding), images.flip({2})));
}

TEST(ImageAugment, CropIsAShiftWithZeroFill) {
  const auto images = random_images(2, 5);
  // image 0: top 0, left 8 → output (y, x) = input (y - 4, x + 4); image 1: top 7, left 1, mirrored
  const auto top   = torch::tensor({0, 7}, torch::kLong);
  const auto left  = torch::tensor({8, 1}, torch::kLong);
  const auto flip  = torch::tensor({false, true});
  const auto out   = crop_and_flip(images, top, left, flip, kCropPadding);
  const auto in    = images.accessor<uint8_t, 4>();
  const auto got   = out.accessor<uint8_t, 4>();
  int64_t    wrong = 0;
  for (int b = 0; b < 2; ++b)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const int cropped_x = b == 1 ? 31 - x : x;
        const int sy = y + (b == 0 ? 0 : 7) - 4, sx = cropped_x + (b == 0 ? 8 : 1) - 4;
        for (int c = 0; c < 3; ++c) {
          const int expected = (sy >= 0 && sy < 32 && sx >= 0 && sx < 32) ? in[b][sy][sx][c] : 0;
          wrong += got[b][y][x][c] != expected;
        }
      }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(out[0][0][0][0].item<int>(), 0);  // row 0 of image 0 came from the padding
}

TEST(ImageAugment, RotationByZeroIsTheIdentityAndRightAnglesAreExact) {
  const auto images = random_images(3, 6);
  EXPECT_TRUE(torch::equal(rotate_images(images, torch::zeros({3})), images));
  // counter-clockwise on screen: torch.rot90(k=1) over (H, W)
  EXPECT_TRUE(
      torch::equal(rotate_images(images, torch::full({3}, 90.0f)), images.rot90(1, {1, 2})));
  EXPECT_TRUE(
      torch::equal(rotate_images(images, torch::full({3}, -90.0f)), images.rot90(-1, {1, 2})));
  EXPECT_TRUE(torch::equal(rotate_images(images, torch::full({3}, 180.0f)), images.flip({1, 2})));
  // per-image angles in one call
  const auto mixed = rotate_images(images, torch::tensor({0.0f, 90.0f, 180.0f}));
  EXPECT_TRUE(torch::equal(mixed[0], images[0]));
  EXPECT_TRUE(torch::equal(mixed[1], images[1].rot90(1, {0, 1})));
  EXPECT_TRUE(torch::equal(mixed[2], images[2].flip({0, 1})));
}

TEST(ImageAugment, RotationBy20DegreesMatchesDirectNearestNeighbourComputation) {
  const auto   images = random_images(1, 8);
  const auto   out    = rotate_images(images, torch::full({1}, 20.0f));
  const auto   in     = images.accessor<uint8_t, 4>();
  const auto   got    = out.accessor<uint8_t, 4>();
  const double a      = 20.0 * M_PI / 180.0;
  int64_t      wrong = 0, zeros = 0;
  for (int i = 0; i < 32; ++i)
    for (int j = 0; j < 32; ++j) {
      // output pixel centre relative to the image centre → source pixel, nearest
      const double x = j - 15.5, y = i - 15.5;
      const double sx = std::cos(a) * x - std::sin(a) * y + 15.5;
      const double sy = std::sin(a) * x + std::cos(a) * y + 15.5;
      const long   c = std::lrint(sx), r = std::lrint(sy);
      const bool   inside = r >= 0 && r < 32 && c >= 0 && c < 32;
      zeros += !inside;
      for (int ch = 0; ch < 3; ++ch) wrong += got[0][i][j][ch] != (inside ? in[0][r][c][ch] : 0);
    }
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(zeros, 50);  // the corners rotated in from outside are black
  // the four pixels around the centre stay within one pixel of it: the rotation is about the centre
  EXPECT_EQ(got[0][15][15][0], in[0][15][15][0]);
  EXPECT_EQ(got[0][16][16][0], in[0][16][16][0]);
}

}  // namespace
