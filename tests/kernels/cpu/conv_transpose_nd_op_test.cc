// Tests for ConvTransposeNd (kernels/cpu/conv_transpose_nd_op.cc, ONNX
// ConvTranspose) against the scatter form written here in a 3-D loop nest
// (1-D and 2-D with unit leading axes): every x[n, c, i] * w[c, m, k] is added
// to y[n, m, i * stride + k * dilation - pad_begin] when inside the output.
// Strides, dilations, pads, output_padding, output_shape, SAME_UPPER and
// SAME_LOWER (padding by hand), groups, 1-D and 3-D.
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
using ::testing::HasSubstr;
using Ints = std::vector<int64_t>;

struct Case {
  const char* name;
  Ints x, w;  // [N, C, I...], [C, M/group, K...]
  int64_t group = 1;
  Ints strides, dilations, pads, output_padding, output_shape;
  std::string auto_pad = "NOTSET";
  Ints ref_begin;  // padding, by hand
  Ints out;        // spatial output, by hand
};

Tensor Reference(const Case& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  const size_t r = c.x.size() - 2;
  const Ints in = Pad3(Ints(c.x.begin() + 2, c.x.end()), r, 1);
  const Ints k = Pad3(Ints(c.w.begin() + 2, c.w.end()), r, 1);
  const Ints s = Pad3(c.strides, r, 1), d = Pad3(c.dilations, r, 1);
  const Ints p = Pad3(c.ref_begin, r, 0), o = Pad3(c.out, r, 1);
  const int64_t n = c.x[0], ch = c.x[1], mg = c.w[1], m = mg * c.group, cg = ch / c.group;
  Ints ydims{n, m};
  ydims.insert(ydims.end(), c.out.begin(), c.out.end());
  std::vector<double> acc(n * m * o[0] * o[1] * o[2], 0.0);
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t ci = 0; ci < ch; ++ci)
      for (int64_t mi = 0; mi < mg; ++mi)
        for (int64_t iz = 0; iz < in[0]; ++iz)
          for (int64_t iy = 0; iy < in[1]; ++iy)
            for (int64_t ix = 0; ix < in[2]; ++ix)
              for (int64_t kz = 0; kz < k[0]; ++kz)
                for (int64_t ky = 0; ky < k[1]; ++ky)
                  for (int64_t kx = 0; kx < k[2]; ++kx) {
                    const int64_t oz = iz * s[0] + kz * d[0] - p[0];
                    const int64_t oy = iy * s[1] + ky * d[1] - p[1];
                    const int64_t ox = ix * s[2] + kx * d[2] - p[2];
                    if (oz < 0 || oz >= o[0] || oy < 0 || oy >= o[1] || ox < 0 || ox >= o[2])
                      continue;
                    const int64_t mo = ci / cg * mg + mi;
                    acc[(((b0 * m + mo) * o[0] + oz) * o[1] + oy) * o[2] + ox] +=
                        px[(((b0 * ch + ci) * in[0] + iz) * in[1] + iy) * in[2] + ix] *
                        pw[(((ci * mg + mi) * k[0] + kz) * k[1] + ky) * k[2] + kx];
                  }
  Tensor y(DataType::kFloat32, TensorShape(ydims));
  const int64_t plane = o[0] * o[1] * o[2];
  for (size_t i = 0; i < acc.size(); ++i) {
    y.data<float>()[i] = static_cast<float>(acc[i] + b.data<float>()[(i / plane) % m]);
  }
  return y;
}

class ConvTransposeNdTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConvTransposeNdTest, MatchesScatterLoops) {
  const Case& c = GetParam();
  const Tensor x = RandomFloats(TensorShape(c.x), -1, 1, 1);
  const Tensor w = RandomFloats(TensorShape(c.w), -1, 1, 2);
  const Tensor b = RandomFloats(TensorShape{c.w[1] * c.group}, -1, 1, 3);
  const AttrMap attrs{{"strides", c.strides},          {"dilations", c.dilations},
                      {"pads", c.pads},                {"auto_pad", c.auto_pad},
                      {"group", c.group},              {"output_padding", c.output_padding},
                      {"output_shape", c.output_shape}};
  for (int threads : {1, 2}) {
    KernelRunOptions options;
    options.intra_threads = threads;
    auto got = RunKernel("ConvTransposeNd", {x, w, b}, attrs, options);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorNear((*got)[0], Reference(c, x, w, b), 1e-4, 1e-4);
  }
}

// out = s * (in - 1) + output_padding + (k - 1) * d + 1 - begin - end.
INSTANTIATE_TEST_SUITE_P(
    Cases, ConvTransposeNdTest,
    ::testing::Values(
        Case{"t1d", {1, 2, 5}, {2, 3, 3}, 1, {}, {}, {}, {}, {}, "NOTSET", {0}, {7}},
        Case{"t2d_strides_pads", {2, 3, 3, 4}, {3, 2, 3, 3}, 1, {2, 2}, {}, {1, 0, 1, 2}, {}, {},
             "NOTSET", {1, 0}, {5, 7}},
        Case{"t2d_output_padding", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {1, 1}, {},
             "NOTSET", {0, 0}, {10, 8}},
        // Full sizes 9 and 7 (s 3 and 2, in 3, k 3); asking 8 and 6 leaves a
        // total padding of 1 each, at the beginning (auto_pad is not UPPER).
        Case{"t2d_output_shape", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {}, {8, 6},
             "NOTSET", {1, 1}, {8, 6}},
        // Asking 10 and 8 (the suite's case): total -1, the extra row and
        // column at the end (ONNX's reference divides with floor).
        Case{"t2d_output_shape_larger", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {},
             {10, 8}, "NOTSET", {0, 0}, {10, 8}},
        // in 3, s 2, k 3: full 7, SAME wants 6: total 1.
        Case{"same_upper", {1, 2, 3, 3}, {2, 2, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "SAME_UPPER",
             {0, 0}, {6, 6}},
        Case{"same_lower", {1, 2, 3, 3}, {2, 2, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "SAME_LOWER",
             {1, 1}, {6, 6}},
        Case{"dilations", {1, 1, 3, 3}, {1, 1, 2, 2}, 1, {}, {2, 2}, {}, {}, {}, "NOTSET",
             {0, 0}, {5, 5}},
        Case{"groups", {2, 4, 3, 3}, {4, 3, 2, 2}, 2, {2, 1}, {}, {}, {}, {}, "NOTSET", {0, 0},
             {6, 4}},
        Case{"t3d", {1, 2, 2, 3, 3}, {2, 2, 2, 2, 3}, 1, {1, 2, 1}, {}, {0, 1, 0, 1, 0, 1}, {},
             {}, "NOTSET", {0, 1, 0}, {2, 5, 4}}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(ConvTransposeNdErrorTest, WeightsMustStartWithTheInputChannels) {
  auto got = RunKernel("ConvTransposeNd",
                       {RandomFloats(TensorShape{1, 3, 4, 4}, -1, 1, 1),
                        RandomFloats(TensorShape{2, 2, 3, 3}, -1, 1, 2),
                        Tensor(DataType::kFloat32, TensorShape{0})});
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("weights dim 0 == C"));
}

}  // namespace
}  // namespace graphrt
