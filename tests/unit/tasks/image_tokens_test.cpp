// Image tokenisation against hand-computed tokens: patch order (row-major patches; inside a patch
// row, column, channel), MNIST's [0, 1] pixels and pad_to 32, CIFAR-10's per-channel
// normalisation, and the grayscale weights of cifar10-gray.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpt/tasks/image_tokens.h"
#include "image_test_files.h"

namespace {

using fpt::tasks::image_tokens;
using fpt::tasks::ImageKind;
using fpt::tasks::patchify;

TEST(ImageTokens, PatchOrderIsRowMajorThenRowColumnChannelInsideAPatch) {
  // 8x8 single channel, value = 8y + x, patch 4: token 1 is the top-right patch
  auto image  = torch::arange(64, torch::kFloat32).view({1, 8, 8, 1});
  auto tokens = patchify(image, 4);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 4, 16}));
  EXPECT_EQ(tokens[0][0][0].item<float>(), 0);   // (0, 0)
  EXPECT_EQ(tokens[0][0][1].item<float>(), 1);   // (0, 1): the column moves first in a patch row
  EXPECT_EQ(tokens[0][0][4].item<float>(), 8);   // (1, 0)
  EXPECT_EQ(tokens[0][1][0].item<float>(), 4);   // patch (0, 1) starts at (0, 4)
  EXPECT_EQ(tokens[0][2][0].item<float>(), 32);  // patch (1, 0) starts at (4, 0)
  EXPECT_EQ(tokens[0][3][15].item<float>(), 63);
  for (int t = 0; t < 4; ++t)
    for (int f = 0; f < 16; ++f) {
      const int y = (t / 2) * 4 + f / 4, x = (t % 2) * 4 + f % 4;
      EXPECT_EQ(tokens[0][t][f].item<float>(), 8 * y + x) << t << "," << f;
    }
}

TEST(ImageTokens, ChannelIsFastestInsideAToken) {
  // 4x4x3, value = 100c + 4y + x, patch 2: feature (py*2 + px)*3 + c
  auto image = torch::empty({1, 4, 4, 3}, torch::kFloat32);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) image[0][y][x][c] = 100 * c + 4 * y + x;
  auto tokens = patchify(image, 2);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 4, 12}));
  // token 3 = patch (1, 1) = pixels (2..3, 2..3)
  const float expected[12] = {10, 110, 210, 11, 111, 211, 14, 114, 214, 15, 115, 215};
  for (int f = 0; f < 12; ++f) EXPECT_EQ(tokens[0][3][f].item<float>(), expected[f]) << f;
}

torch::Tensor mnist_image() {
  auto image = torch::empty({1, 28, 28, 1}, torch::kUInt8);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) image[0][y][x][0] = (y * 28 + x) % 256;
  return image;
}

TEST(ImageTokens, MnistIs49TokensOf16PixelsIn01) {
  auto tokens = image_tokens(mnist_image(), ImageKind::mnist);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 49, 16}));
  ASSERT_EQ(tokens.scalar_type(), torch::kFloat32);
  for (int t = 0; t < 49; ++t)
    for (int f = 0; f < 16; ++f) {
      const int y = (t / 7) * 4 + f / 4, x = (t % 7) * 4 + f % 4;
      ASSERT_FLOAT_EQ(tokens[0][t][f].item<float>(), ((y * 28 + x) % 256) / 255.0f)
          << t << "," << f;
    }
  EXPECT_EQ(image_tokens(mnist_image(), ImageKind::mnist, 28).sizes(), tokens.sizes());
}

TEST(ImageTokens, MnistPadTo32AddsTwoZeroPixelsEachSide) {
  auto tokens = image_tokens(mnist_image(), ImageKind::mnist, 32);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 64, 16}));
  EXPECT_EQ(tokens[0][0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(tokens[0][0][10].item<float>(), 0.0f);        // pixel (0, 0) of the image is 0
  EXPECT_FLOAT_EQ(tokens[0][0][11].item<float>(), 1 / 255.0f);  // pixel (0, 1)
  for (int t = 0; t < 64; ++t)
    for (int f = 0; f < 16; ++f) {
      const int   y = (t / 8) * 4 + f / 4 - 2, x = (t % 8) * 4 + f % 4 - 2;
      const bool  inside   = y >= 0 && y < 28 && x >= 0 && x < 28;
      const float expected = inside ? ((y * 28 + x) % 256) / 255.0f : 0.0f;
      ASSERT_FLOAT_EQ(tokens[0][t][f].item<float>(), expected) << t << "," << f;
    }
  auto error = fpt_test::error_of([] { image_tokens(mnist_image(), ImageKind::mnist, 31); });
  EXPECT_NE(error.find("cannot pad"), std::string::npos) << error;
}

TEST(ImageTokens, Cifar10Is64TokensOf48NormalisedPerChannel) {
  auto image = torch::zeros({1, 32, 32, 3}, torch::kUInt8);
  // pixel (5, 6) — patch (1, 1) = token 9, position (1, 2) inside it → features 18, 19, 20
  image[0][5][6][0] = 255;
  image[0][5][6][1] = 51;
  image[0][5][6][2] = 0;
  auto tokens       = image_tokens(image, ImageKind::cifar10);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 64, 48}));
  // hand-computed: (1 - 0.4914) / 0.2023, (0.2 - 0.4822) / 0.1994, (0 - 0.4465) / 0.2010
  EXPECT_NEAR(tokens[0][9][18].item<float>(), 2.514088, 1e-5);
  EXPECT_NEAR(tokens[0][9][19].item<float>(), -1.415246, 1e-5);
  EXPECT_NEAR(tokens[0][9][20].item<float>(), -2.221393, 1e-5);
  // a black pixel elsewhere: -mean / std per channel
  EXPECT_NEAR(tokens[0][0][0].item<float>(), -2.429066, 1e-5);
  EXPECT_NEAR(tokens[0][0][1].item<float>(), -2.418255, 1e-5);
  EXPECT_NEAR(tokens[0][0][2].item<float>(), -2.221393, 1e-5);
}

TEST(ImageTokens, Cifar10GrayIs1024TokensOfOneWeightedLuminance) {
  auto image        = torch::zeros({1, 32, 32, 3}, torch::kUInt8);
  image[0][0][1][0] = 255;                                   // pure red
  image[0][0][2][1] = 255;                                   // pure green
  image[0][0][3][2] = 255;                                   // pure blue
  image[0][1][0]    = torch::full({3}, 255, torch::kUInt8);  // white
  image[0][31][31]  = torch::tensor({10, 200, 30}, torch::kUInt8);
  auto tokens       = image_tokens(image, ImageKind::cifar10_gray);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{1, 1024, 1}));
  EXPECT_NEAR(tokens[0][0][0].item<float>(), -1.0, 1e-6);     // black: (0 - 0.5) / 0.5
  EXPECT_NEAR(tokens[0][1][0].item<float>(), -0.4022, 1e-6);  // 2 * 0.2989 - 1
  EXPECT_NEAR(tokens[0][2][0].item<float>(), 0.174, 1e-6);    // 2 * 0.587 - 1
  EXPECT_NEAR(tokens[0][3][0].item<float>(), -0.772, 1e-6);   // 2 * 0.114 - 1
  EXPECT_NEAR(tokens[0][32][0].item<float>(), 0.9998, 1e-6);  // row 1, column 0: white
  // (0.2989*10 + 0.587*200 + 0.114*30) / 255 = 0.485525..., then 2L - 1
  EXPECT_NEAR(tokens[0][1023][0].item<float>(), -0.028949, 1e-5);
}

TEST(ImageTokens, WrongChannelsOrTypeAreErrors) {
  using fpt_test::error_of;
  auto gray = torch::zeros({1, 32, 32, 1}, torch::kUInt8);
  EXPECT_NE(error_of([&] { image_tokens(gray, ImageKind::cifar10); }).find("1 channels"),
            std::string::npos);
  auto floats = torch::zeros({1, 28, 28, 1});
  EXPECT_NE(error_of([&] { image_tokens(floats, ImageKind::mnist); }).find("uint8"),
            std::string::npos);
  EXPECT_NE(error_of([] { fpt::tasks::image_kind_from_task("svhn"); }).find("not an image task"),
            std::string::npos);
}

}  // namespace
