// Tests for the ConvNd kernel (kernels/cpu/conv_nd_ops.cc, ONNX Conv) against
// a direct 3-D loop nest in the test (1-D and 2-D cases are 3-D ones with
// unit leading axes): strides, dilations, asymmetric pads, groups (incl.
// depthwise), bias or none, auto_pad SAME_UPPER / SAME_LOWER / VALID with
// the padding worked out by hand; 1 and 2 threads; shape errors.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/cpu/conv_reference.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::KernelRunOptions;
using ::graphrt::testing::Pad3;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::testing::HasSubstr;
using Ints = std::vector<int64_t>;

struct ConvCase {
  const char* name;
  Ints x;  // [N, C, D...]
  Ints w;  // [M, C/group, K...]
  int64_t group = 1;
  Ints strides, dilations, pads;  // as the attrs (may be empty)
  std::string auto_pad = "NOTSET";
  bool bias = true;
  Ints ref_pad_begin;  // the padding the reference applies (auto_pad by hand)
  Ints out;            // the spatial output, by hand
};

// y[n, m, o...] = b[m] + sum over c in m's group, k... of
//   w[m, c, k...] * x[n, group * C/group + c, o * stride + k * dilation - pad].
Tensor Reference(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  const size_t r = c.x.size() - 2;
  const Ints in = Pad3(Ints(c.x.begin() + 2, c.x.end()), r, 1);
  const Ints k = Pad3(Ints(c.w.begin() + 2, c.w.end()), r, 1);
  const Ints s = Pad3(c.strides, r, 1), d = Pad3(c.dilations, r, 1);
  const Ints p = Pad3(c.ref_pad_begin, r, 0), o = Pad3(c.out, r, 1);
  const int64_t n = c.x[0], ch = c.x[1], m = c.w[0], cg = c.w[1], mg = m / c.group;
  Ints ydims{n, m};
  ydims.insert(ydims.end(), c.out.begin(), c.out.end());
  Tensor y(DataType::kFloat32, TensorShape(ydims));
  float* py = y.data<float>();
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  int64_t at = 0;
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t mi = 0; mi < m; ++mi)
      for (int64_t z = 0; z < o[0]; ++z)
        for (int64_t yy = 0; yy < o[1]; ++yy)
          for (int64_t xx = 0; xx < o[2]; ++xx) {
            double acc = c.bias ? b.data<float>()[mi] : 0.0;
            const int64_t g = mi / mg;
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t kz = 0; kz < k[0]; ++kz)
                for (int64_t ky = 0; ky < k[1]; ++ky)
                  for (int64_t kx = 0; kx < k[2]; ++kx) {
                    const int64_t iz = z * s[0] + kz * d[0] - p[0];
                    const int64_t iy = yy * s[1] + ky * d[1] - p[1];
                    const int64_t ix = xx * s[2] + kx * d[2] - p[2];
                    if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2])
                      continue;
                    const int64_t xc = g * cg + ci;
                    acc += pw[(((mi * cg + ci) * k[0] + kz) * k[1] + ky) * k[2] + kx] *
                           px[(((b0 * ch + xc) * in[0] + iz) * in[1] + iy) * in[2] + ix];
                  }
            py[at++] = static_cast<float>(acc);
          }
  return y;
}

AttrMap Attrs(const ConvCase& c) {
  return {{"strides", c.strides}, {"dilations", c.dilations}, {"pads", c.pads},
          {"auto_pad", c.auto_pad}, {"group", c.group}};
}

class ConvNdTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvNdTest, MatchesDirectLoops) {
  const ConvCase& c = GetParam();
  const Tensor x = RandomFloats(TensorShape(c.x), -1, 1, 1);
  const Tensor w = RandomFloats(TensorShape(c.w), -1, 1, 2);
  const Tensor b = c.bias ? RandomFloats(TensorShape{c.w[0]}, -1, 1, 3)
                          : Tensor(DataType::kFloat32, TensorShape{0});
  const Tensor want = Reference(c, x, w, b);
  for (int threads : {1, 2}) {
    KernelRunOptions options;
    options.intra_threads = threads;
    auto got = RunKernel("ConvNd", {x, w, b}, Attrs(c), options);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorNear((*got)[0], want, 1e-4, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConvNdTest,
    ::testing::Values(
        ConvCase{"conv1d", {2, 3, 9}, {4, 3, 3}, 1, {}, {}, {}, "NOTSET", true, {0}, {7}},
        ConvCase{"conv1d_stride_dilation_pads", {1, 2, 10}, {3, 2, 3}, 1, {2}, {2}, {1, 2},
                 "NOTSET", false, {1}, {5}},
        ConvCase{"conv2d_pads", {2, 3, 7, 6}, {5, 3, 3, 3}, 1, {1, 1}, {}, {1, 1, 1, 1},
                 "NOTSET", true, {1, 1}, {7, 6}},
        ConvCase{"conv2d_asymmetric", {1, 2, 6, 7}, {2, 2, 2, 3}, 1, {2, 1}, {1, 2},
                 {0, 2, 1, 0}, "NOTSET", true, {0, 2}, {3, 5}},
        ConvCase{"conv2d_1x1", {2, 8, 5, 5}, {6, 8, 1, 1}, 1, {}, {}, {}, "NOTSET", true,
                 {0, 0}, {5, 5}},
        ConvCase{"conv2d_groups", {2, 6, 5, 5}, {4, 3, 3, 3}, 2, {}, {}, {}, "NOTSET", true,
                 {0, 0}, {3, 3}},
        ConvCase{"conv2d_depthwise", {1, 4, 6, 6}, {8, 1, 3, 3}, 4, {1, 1}, {}, {1, 1, 1, 1},
                 "NOTSET", true, {1, 1}, {6, 6}},
        // in 6, k 3, stride 2: out 3, total padding (3-1)*2+3-6 = 1.
        ConvCase{"same_upper", {1, 2, 6, 6}, {3, 2, 3, 3}, 1, {2, 2}, {}, {}, "SAME_UPPER",
                 true, {0, 0}, {3, 3}},
        ConvCase{"same_lower", {1, 2, 6, 6}, {3, 2, 3, 3}, 1, {2, 2}, {}, {}, "SAME_LOWER",
                 true, {1, 1}, {3, 3}},
        ConvCase{"valid", {1, 2, 7, 5}, {3, 2, 3, 2}, 1, {2, 2}, {}, {}, "VALID", true,
                 {0, 0}, {3, 2}},
        // Larger than one tile of the kernel's im2col (kColBudgetFloats, 128 Ki
        // floats): 5 of 10 output lines a tile, then 12, 12 and 9 of 33.
        ConvCase{"tiles_strided", {1, 64, 20, 40}, {4, 64, 3, 3}, 1, {2, 1}, {},
                 {1, 1, 1, 1}, "NOTSET", true, {1, 1}, {10, 40}},
        ConvCase{"tiles_uneven", {2, 32, 33, 37}, {6, 32, 3, 3}, 1, {}, {}, {1, 1, 1, 1},
                 "NOTSET", true, {1, 1}, {33, 37}},
        // 1x1 with 900 output positions: two column blocks of 512 per task.
        ConvCase{"pointwise_blocks", {2, 8, 30, 30}, {6, 8, 1, 1}, 1, {}, {}, {}, "NOTSET",
                 true, {0, 0}, {30, 30}},
        ConvCase{"pointwise_groups", {2, 8, 30, 30}, {6, 4, 1, 1}, 2, {}, {}, {}, "NOTSET",
                 false, {0, 0}, {30, 30}},
        // 1x1 with stride 2 is not pointwise: it takes im2col.
        ConvCase{"strided_1x1", {1, 4, 9, 9}, {3, 4, 1, 1}, 1, {2, 2}, {}, {}, "NOTSET", true,
                 {0, 0}, {5, 5}},
        // 2-D 3x3 stride 1, >= 8 channels each way, one group: Winograd
        // (winograd_nchw.cc). Widths under, at and over one group of 16
        // tiles (32 outputs), odd edges, no bias, many tile rows per block.
        ConvCase{"winograd_same", {2, 8, 9, 11}, {9, 8, 3, 3}, 1, {}, {}, {1, 1, 1, 1},
                 "NOTSET", true, {1, 1}, {9, 11}},
        ConvCase{"winograd_valid_wide", {1, 16, 7, 40}, {8, 16, 3, 3}, 1, {}, {}, {}, "NOTSET",
                 false, {0, 0}, {5, 38}},
        ConvCase{"winograd_exact_group", {1, 8, 4, 34}, {8, 8, 3, 3}, 1, {}, {}, {}, "NOTSET",
                 true, {0, 0}, {2, 32}},
        ConvCase{"winograd_asymmetric_pads", {1, 8, 6, 5}, {10, 8, 3, 3}, 1, {}, {},
                 {0, 2, 1, 0}, "NOTSET", true, {0, 2}, {5, 5}},
        ConvCase{"winograd_narrow_tall", {2, 12, 70, 6}, {8, 12, 3, 3}, 1, {1, 1}, {1, 1},
                 {1, 1, 1, 1}, "NOTSET", true, {1, 1}, {70, 6}},
        ConvCase{"winograd_same_upper", {1, 8, 8, 33}, {8, 8, 3, 3}, 1, {}, {}, {},
                 "SAME_UPPER", true, {1, 1}, {8, 33}},
        ConvCase{"conv3d", {1, 2, 4, 5, 6}, {3, 2, 2, 3, 3}, 1, {1, 2, 1}, {1, 1, 2},
                 {1, 0, 2, 0, 1, 2}, "NOTSET", true, {1, 0, 2}, {4, 2, 6}}),
    [](const ::testing::TestParamInfo<ConvCase>& info) { return std::string(info.param.name); });

TEST(ConvNdErrorTest, ChannelsNotMatchingGroupAreNamed) {
  const Tensor x = RandomFloats(TensorShape{1, 6, 4, 4}, -1, 1, 1);
  const Tensor w = RandomFloats(TensorShape{4, 2, 3, 3}, -1, 1, 2);
  const Tensor b(DataType::kFloat32, TensorShape{0});
  auto got = RunKernelUnshaped("ConvNd", {x, w, b},
                               {{"strides", Ints{}}, {"dilations", Ints{}}, {"pads", Ints{}},
                                {"auto_pad", std::string("NOTSET")}, {"group", int64_t{2}}});
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("group 2"));
  // The shape function catches it when shapes are known.
  auto shaped = RunKernel("ConvNd", {x, w, b}, {{"group", int64_t{2}}});
  ASSERT_FALSE(shaped.ok());
  EXPECT_THAT(shaped.status().message(), HasSubstr("channels"));
}

TEST(ConvNdErrorTest, WindowLargerThanInputAndBadBias) {
  const Tensor x = RandomFloats(TensorShape{1, 1, 2, 2}, -1, 1, 1);
  const Tensor w = RandomFloats(TensorShape{1, 1, 3, 3}, -1, 1, 2);
  auto big = RunKernel("ConvNd", {x, w, Tensor(DataType::kFloat32, TensorShape{0})});
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.status().message(), HasSubstr("larger than the padded input"));
  const Tensor w1 = RandomFloats(TensorShape{1, 1, 1, 1}, -1, 1, 2);
  auto bias = RunKernel("ConvNd", {x, w1, RandomFloats(TensorShape{2}, -1, 1, 3)});
  ASSERT_FALSE(bias.ok());
  EXPECT_THAT(bias.status().message(), HasSubstr("bias"));
}

}  // namespace
}  // namespace graphrt
