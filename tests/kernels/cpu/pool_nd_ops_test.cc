// Tests for MaxPoolNd / AvgPoolNd (kernels/cpu/pool_nd_ops.cc, ONNX MaxPool
// and AveragePool) against a direct 3-D loop nest in the test: 1-D, 2-D and
// 3-D windows, strides, asymmetric pads, dilations, ceil_mode (including the
// window ONNX drops because it would start in the end padding),
// count_include_pad both ways, auto_pad, Indices in row- and column-major
// order, ties; errors.
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/cpu/conv_reference.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::Pad3;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;
using Ints = std::vector<int64_t>;

struct PoolCase {
  const char* name;
  Ints x;       // [N, C, D...]
  Ints kernel;  // one per spatial axis
  Ints strides, dilations, pads;
  bool ceil_mode = false;
  std::string auto_pad = "NOTSET";
  Ints ref_begin, ref_end;  // the padding, by hand
  Ints out;                 // the spatial output, by hand
};

struct Ref {
  Tensor max, indices, indices_col, avg_exclude, avg_include;
};

Ref Reference(const PoolCase& c, const Tensor& x) {
  const size_t r = c.x.size() - 2;
  const Ints in = Pad3(Ints(c.x.begin() + 2, c.x.end()), r, 1), k = Pad3(c.kernel, r, 1);
  const Ints s = Pad3(c.strides, r, 1), d = Pad3(c.dilations, r, 1);
  const Ints pb = Pad3(c.ref_begin, r, 0), pe = Pad3(c.ref_end, r, 0), o = Pad3(c.out, r, 1);
  Ints ydims{c.x[0], c.x[1]};
  ydims.insert(ydims.end(), c.out.begin(), c.out.end());
  const TensorShape shape(ydims);
  Ref ref{Tensor(DataType::kFloat32, shape), Tensor(DataType::kInt64, shape),
          Tensor(DataType::kInt64, shape), Tensor(DataType::kFloat32, shape),
          Tensor(DataType::kFloat32, shape)};
  const float* px = x.data<float>();
  const int64_t plane = in[0] * in[1] * in[2];
  int64_t at = 0;
  for (int64_t p = 0; p < c.x[0] * c.x[1]; ++p)
    for (int64_t z = 0; z < o[0]; ++z)
      for (int64_t y = 0; y < o[1]; ++y)
        for (int64_t w = 0; w < o[2]; ++w) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t arg = -1, arg_col = -1, inside = 0, padded = 0;
          double sum = 0;
          for (int64_t a = 0; a < k[0]; ++a)
            for (int64_t b = 0; b < k[1]; ++b)
              for (int64_t e = 0; e < k[2]; ++e) {
                const int64_t iz = z * s[0] + a * d[0] - pb[0];
                const int64_t iy = y * s[1] + b * d[1] - pb[1];
                const int64_t iw = w * s[2] + e * d[2] - pb[2];
                if (iz >= -pb[0] && iz < in[0] + pe[0] && iy >= -pb[1] && iy < in[1] + pe[1] &&
                    iw >= -pb[2] && iw < in[2] + pe[2])
                  ++padded;
                if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || iw < 0 || iw >= in[2])
                  continue;
                const int64_t off = (iz * in[1] + iy) * in[2] + iw;
                const float v = px[p * plane + off];
                ++inside;
                sum += v;
                if (arg < 0 || v > best) {
                  best = v;
                  arg = p * plane + off;
                  // Column major over the real spatial axes (first fastest).
                  const Ints coords = r == 1 ? Ints{iw} : r == 2 ? Ints{iy, iw} : Ints{iz, iy, iw};
                  const Ints dims(c.x.begin() + 2, c.x.end());
                  int64_t col = 0, stride = 1;
                  for (size_t i = 0; i < r; ++i) {
                    col += coords[i] * stride;
                    stride *= dims[i];
                  }
                  arg_col = p * plane + col;
                }
              }
          ref.max.data<float>()[at] = best;
          ref.indices.data<int64_t>()[at] = arg;
          ref.indices_col.data<int64_t>()[at] = arg_col;
          ref.avg_exclude.data<float>()[at] = static_cast<float>(sum / inside);
          ref.avg_include.data<float>()[at] = static_cast<float>(sum / padded);
          ++at;
        }
  return ref;
}

AttrMap Attrs(const PoolCase& c) {
  return {{"kernel_shape", c.kernel}, {"strides", c.strides}, {"dilations", c.dilations},
          {"pads", c.pads}, {"auto_pad", c.auto_pad}, {"ceil_mode", c.ceil_mode}};
}

class PoolNdTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolNdTest, MatchesDirectLoops) {
  const PoolCase& c = GetParam();
  const Tensor x = RandomFloats(TensorShape(c.x), -1, 1, 7);
  const Ref want = Reference(c, x);
  for (int64_t order : {0, 1}) {
    AttrMap attrs = Attrs(c);
    attrs["storage_order"] = order;
    auto max = RunKernel("MaxPoolNd", {x}, attrs);
    ASSERT_TRUE(max.ok()) << max.status();
    ExpectTensorEq((*max)[0], want.max);
    ExpectTensorEq((*max)[1], order == 0 ? want.indices : want.indices_col);
  }
  for (bool include : {false, true}) {
    AttrMap attrs = Attrs(c);
    attrs["count_include_pad"] = include;
    auto avg = RunKernel("AvgPoolNd", {x}, attrs);
    ASSERT_TRUE(avg.ok()) << avg.status();
    ExpectTensorNear((*avg)[0], include ? want.avg_include : want.avg_exclude, 1e-6, 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PoolNdTest,
    ::testing::Values(
        PoolCase{"pool1d", {2, 3, 9}, {3}, {2}, {}, {}, false, "NOTSET", {0}, {0}, {4}},
        PoolCase{"pool2d_pads", {2, 3, 5, 6}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, false, "NOTSET",
                 {1, 1}, {1, 1}, {3, 3}},
        PoolCase{"pool2d_asymmetric", {1, 2, 6, 5}, {2, 3}, {1, 2}, {}, {0, 2, 1, 0}, false,
                 "NOTSET", {0, 2}, {1, 0}, {6, 3}},
        // 4x4, k 3, s 2: floor gives 1, ceil 2.
        PoolCase{"ceil", {1, 1, 4, 4}, {3, 3}, {2, 2}, {}, {}, true, "NOTSET", {0, 0}, {0, 0},
                 {2, 2}},
        // in 4, k 2, s 2, end pad 1: ceil gives 3 windows; the third starts at
        // 4, in the end padding, and is dropped.
        PoolCase{"ceil_drops_padding_window", {1, 2, 4, 4}, {2, 2}, {2, 2}, {}, {0, 0, 1, 1},
                 true, "NOTSET", {0, 0}, {1, 1}, {2, 2}},
        PoolCase{"ceil_with_pads", {1, 1, 5, 5}, {3, 3}, {2, 2}, {}, {0, 0, 1, 1}, true,
                 "NOTSET", {0, 0}, {1, 1}, {3, 3}},
        PoolCase{"dilations", {1, 2, 6, 7}, {2, 2}, {1, 2}, {2, 2}, {}, false, "NOTSET",
                 {0, 0}, {0, 0}, {4, 3}},
        // in 5, s 2: out 3, total (3-1)*2+3-5 = 2 on each axis; in 6: out 3, total 1.
        PoolCase{"same_upper", {1, 1, 5, 6}, {3, 3}, {2, 2}, {}, {}, false, "SAME_UPPER",
                 {1, 0}, {1, 1}, {3, 3}},
        PoolCase{"same_lower", {1, 1, 5, 6}, {3, 3}, {2, 2}, {}, {}, false, "SAME_LOWER",
                 {1, 1}, {1, 0}, {3, 3}},
        PoolCase{"pool3d", {1, 2, 4, 5, 6}, {2, 3, 2}, {2, 1, 2}, {}, {1, 0, 1, 0, 1, 0}, false,
                 "NOTSET", {1, 0, 1}, {0, 1, 0}, {2, 4, 3}}),
    [](const ::testing::TestParamInfo<PoolCase>& info) { return std::string(info.param.name); });

TEST(PoolNdTest, TiesGoToTheFirstMaximum) {
  const Tensor x = T_<float>({1, 3, 3, 2}, {1, 1, 2, 2});
  auto got = RunKernel("MaxPoolNd", {x}, {{"kernel_shape", Ints{2, 2}}});
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectTensorEq((*got)[0], T_<float>({3}, {1, 1, 1, 1}));
  ExpectTensorEq((*got)[1], T_<int64_t>({1}, {1, 1, 1, 1}));
}

// ONNX MaxPool also takes int8 and uint8 (and float64): the same windows and
// indices as float32 on values that are exact in every type.
TEST(PoolNdTest, IntegerAndDoubleMaxPoolMatchFloat) {
  std::vector<float> values(2 * 3 * 5 * 4);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>((i * 37) % 101);
  const AttrMap attrs{{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 1}},
                      {"pads", Ints{1, 0, 1, 1}}};
  auto want = RunKernel("MaxPoolNd", {T_<float>(values, {2, 3, 5, 4})}, attrs);
  ASSERT_TRUE(want.ok()) << want.status();
  std::vector<uint8_t> u8(values.begin(), values.end());
  std::vector<int8_t> i8;
  for (float v : values) i8.push_back(static_cast<int8_t>(v - 50));
  std::vector<double> f64(values.begin(), values.end());
  auto got_u8 = RunKernel("MaxPoolNd", {T_<uint8_t>(u8, {2, 3, 5, 4})}, attrs);
  auto got_i8 = RunKernel("MaxPoolNd", {T_<int8_t>(i8, {2, 3, 5, 4})}, attrs);
  auto got_f64 = RunKernel("MaxPoolNd", {T_<double>(f64, {2, 3, 5, 4})}, attrs);
  ASSERT_TRUE(got_u8.ok() && got_i8.ok() && got_f64.ok());
  const Tensor& y = (*want)[0];
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    EXPECT_EQ((*got_u8)[0].data<uint8_t>()[i], y.data<float>()[i]);
    EXPECT_EQ((*got_i8)[0].data<int8_t>()[i], y.data<float>()[i] - 50);
    EXPECT_EQ((*got_f64)[0].data<double>()[i], y.data<float>()[i]);
  }
  ExpectTensorEq((*got_u8)[1], (*want)[1]);
  ExpectTensorEq((*got_i8)[1], (*want)[1]);
  ExpectTensorEq((*got_f64)[1], (*want)[1]);
}

TEST(PoolNdTest, KernelShapeMustMatchTheInputRank) {
  const Tensor x = RandomFloats(TensorShape{1, 1, 4, 4}, -1, 1, 1);
  auto got = RunKernel("AvgPoolNd", {x}, {{"kernel_shape", Ints{2}}});
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("kernel_shape has 1 entries"));
  auto bad = RunKernel("MaxPoolNd", {x}, {{"kernel_shape", Ints{2, 2}}, {"auto_pad", std::string("SAME")}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("auto_pad 'SAME'"));
}

}  // namespace
}  // namespace graphrt
