// Tests for kernels/cpu/resize_op.cc (Resize, ONNX semantics): values the
// ONNX operator docs print, then every mode x coordinate mode x
// nearest_mode against a naive reference written from ONNX's recursive
// definition (edge-padded neighbours, one axis at a time, outer axis last),
// ranks 1 to 4, scales up and down, sizes; thread-count independence; and
// the errors for bad inputs.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

struct Params {
  std::string mode = "nearest";
  std::string coord = "half_pixel";
  std::string nearest = "round_prefer_floor";
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  float extrapolation = 0.0f;
};

AttrMap Attrs(const Params& p) {
  return {{"mode", p.mode},
          {"coordinate_transformation_mode", p.coord},
          {"nearest_mode", p.nearest},
          {"cubic_coeff_a", p.cubic_a},
          {"exclude_outside", p.exclude_outside},
          {"extrapolation_value", p.extrapolation}};
}

Tensor Empty(DataType t) { return Tensor(t, TensorShape{0}); }

absl::StatusOr<Tensor> RunResize(const Tensor& x, const Params& p, const std::vector<float>& scales,
                           const std::vector<int64_t>& sizes = {},
                           const std::vector<float>& roi = {}, int threads = 2) {
  std::vector<Tensor> in = {
      x, roi.empty() ? Empty(DataType::kFloat32) : Tensor::FromVector(roi),
      scales.empty() ? Empty(DataType::kFloat32) : Tensor::FromVector(scales),
      sizes.empty() ? Empty(DataType::kInt64) : Tensor::FromVector(sizes)};
  auto out = RunKernel("Resize", in, Attrs(p), {.intra_threads = threads});
  if (!out.ok()) return out.status();
  return (*out)[0];
}

// ---- The reference, from ONNX's definition (its resize.py, restated). ----

std::vector<double> Coeffs(const Params& p, double ratio, double scale) {
  if (p.mode == "nearest") {
    if (ratio == 1.0) return {0, 1};  // an integral coordinate is its own index
    if (p.nearest == "round_prefer_floor") return {double(ratio <= 0.5), double(ratio > 0.5)};
    if (p.nearest == "round_prefer_ceil") return {double(ratio < 0.5), double(ratio >= 0.5)};
    if (p.nearest == "floor") return {1, 0};
    if (p.nearest == "ceil") return {0, 1};
    return scale < 1.0 ? std::vector<double>{0, 1} : std::vector<double>{1, 0};  // simple
  }
  if (p.mode == "linear") return {1 - ratio, ratio};
  const double a = p.cubic_a, r = ratio;
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
          ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a};
}

// One output value along one axis of `data` (ONNX's interpolate_1d_with_x).
double Interp1D(const std::vector<double>& data, const Params& p, double scale, int64_t x,
                double roi0, double roi1) {
  const int64_t w = static_cast<int64_t>(data.size());
  const double ow = scale * static_cast<double>(w);
  double xo;
  if (p.coord == "align_corners") {
    xo = ow == 1 ? 0 : x * double(w - 1) / (ow - 1);
  } else if (p.coord == "asymmetric") {
    xo = x / scale;
  } else if (p.coord == "tf_crop_and_resize") {
    xo = ow == 1 ? (roi1 - roi0) * (w - 1) / 2 : x * (roi1 - roi0) * (w - 1) / (ow - 1);
    xo += roi0 * (w - 1);
    if (xo < 0 || xo > w - 1) return p.extrapolation;
  } else if (p.coord == "tf_half_pixel_for_nn") {
    xo = (x + 0.5) / scale;
  } else if (p.coord == "pytorch_half_pixel") {
    xo = ow == 1 ? 0 : (x + 0.5) / scale - 0.5;
  } else {
    xo = (x + 0.5) / scale - 0.5;
  }
  const double fl = std::floor(xo);
  const double ratio = xo == fl ? 1.0 : xo - fl;
  std::vector<double> c = Coeffs(p, ratio, scale);
  const int64_t n = static_cast<int64_t>(c.size());
  // The n indexes of the edge-padded data nearest to xo, ties to the smaller.
  const int64_t pad = (n + 1) / 2;
  std::vector<int64_t> idx(w + 2 * pad);
  std::iota(idx.begin(), idx.end(), -pad);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    const double da = std::abs(xo - double(a)), db = std::abs(xo - double(b));
    return da != db ? da < db : a < b;
  });
  idx.resize(n);
  std::sort(idx.begin(), idx.end());
  if (p.exclude_outside) {
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      if (idx[k] < 0 || idx[k] >= w) c[k] = 0;
      sum += c[k];
    }
    for (double& v : c) v /= sum;
  }
  double out = 0;
  for (int64_t k = 0; k < n; ++k) out += c[k] * data[std::clamp<int64_t>(idx[k], 0, w - 1)];
  return out;
}

// interpolate_nd_with_x: the first axis last, over values of the others.
double InterpND(const std::vector<double>& data, const std::vector<int64_t>& shape,
                const std::vector<double>& scales, const std::vector<int64_t>& x,
                const std::vector<double>& roi, const Params& p) {
  const size_t r = shape.size();
  if (r == 1) return Interp1D(data, p, scales[0], x[0], roi[0], roi[1]);
  const int64_t block = data.size() / shape[0];
  std::vector<int64_t> sub_shape(shape.begin() + 1, shape.end());
  std::vector<double> sub_scales(scales.begin() + 1, scales.end());
  std::vector<int64_t> sub_x(x.begin() + 1, x.end());
  std::vector<double> sub_roi;
  for (size_t i = 1; i < r; ++i) sub_roi.push_back(roi[i]);
  for (size_t i = 1; i < r; ++i) sub_roi.push_back(roi[r + i]);
  std::vector<double> column(shape[0]);
  for (int64_t i = 0; i < shape[0]; ++i) {
    std::vector<double> slice(data.begin() + i * block, data.begin() + (i + 1) * block);
    column[i] = InterpND(slice, sub_shape, sub_scales, sub_x, sub_roi, p);
  }
  return Interp1D(column, p, scales[0], x[0], roi[0], roi[r]);
}

Tensor Reference(const Tensor& x, const Params& p, const std::vector<float>& scales_in,
                 const std::vector<int64_t>& sizes, std::vector<float> roi_in) {
  const int r = x.shape().rank();
  std::vector<int64_t> shape(x.shape().dims().begin(), x.shape().dims().end());
  std::vector<double> scales(r), roi(2 * r);
  std::vector<int64_t> out(r);
  for (int d = 0; d < r; ++d) {
    if (!scales_in.empty()) {
      scales[d] = scales_in[d];
      out[d] = static_cast<int64_t>(scales[d] * shape[d]);
    } else {
      out[d] = sizes[d];
      scales[d] = double(sizes[d]) / double(shape[d]);
    }
    roi[d] = roi_in.empty() ? 0 : roi_in[d];
    roi[r + d] = roi_in.empty() ? 1 : roi_in[r + d];
  }
  std::vector<double> data(x.data<float>(), x.data<float>() + x.num_elements());
  Tensor y(DataType::kFloat32, TensorShape(out));
  std::vector<int64_t> pos(r, 0);
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    int64_t rest = i;
    for (int d = r - 1; d >= 0; --d) {
      pos[d] = rest % out[d];
      rest /= out[d];
    }
    y.data<float>()[i] = static_cast<float>(InterpND(data, shape, scales, pos, roi, p));
  }
  return y;
}

// ---- Values printed in the ONNX operator docs. ----

TEST(ResizeOpTest, NearestUpsampleByIntegerScales) {
  Params p;
  p.coord = "asymmetric";
  p.nearest = "simple";
  auto y = RunResize(T_<float>({1, 2, 3, 4}, {1, 1, 2, 2}), p, {1, 1, 2, 3});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorNear(*y, T_<float>({1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                  3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}, {1, 1, 4, 6}));
}

TEST(ResizeOpTest, LinearHalfPixelUpsample) {
  Params p;
  p.mode = "linear";
  auto y = RunResize(T_<float>({1, 2, 3, 4}, {1, 1, 2, 2}), p, {1, 1, 2, 2});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorNear(*y, T_<float>({1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5,
                                  2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}, {1, 1, 4, 4}));
}

TEST(ResizeOpTest, LinearAlignCornersDownsampleUsesUnflooredLength) {
  // ONNX's test_resize_downsample_scales_linear_align_corners: 2x4 by 0.6 is
  // 1x2, and output 1 reads 1 * 3 / (2.4 - 1) = 2.142857 along the width.
  Params p;
  p.mode = "linear";
  p.coord = "align_corners";
  auto y = RunResize(T_<float>({1, 2, 3, 4, 5, 6, 7, 8}, {1, 1, 2, 4}), p, {1, 1, 0.6f, 0.6f});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorNear(*y, T_<float>({1, 3.142857f}, {1, 1, 1, 2}), 1e-5);
}

TEST(ResizeOpTest, CropAndResizeWritesExtrapolationOutsideTheImage) {
  Params p;
  p.mode = "linear";
  p.coord = "tf_crop_and_resize";
  p.extrapolation = 10;
  // 1-D [0, 10, 20, 30], roi [0.5, 1.5] to 3 outputs: coordinates 1.5, 3, 4.5.
  auto y = RunResize(T_<float>({0, 10, 20, 30}, {4}), p, {}, {3}, {0.5f, 1.5f});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorNear(*y, T_<float>({15, 30, 10}, {3}));
}

TEST(ResizeOpTest, IdentityScalesCopyTheInput) {
  Tensor x = RandomFloats({2, 3, 4}, -1, 1, 3);
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    Params p;
    p.mode = mode;
    auto y = RunResize(x, p, {1, 1, 1});
    ASSERT_TRUE(y.ok()) << y.status();
    ExpectTensorNear(*y, x, 0, 0);
  }
}

// ---- Every combination against the reference. ----

struct Case {
  std::vector<int64_t> shape;
  std::vector<float> scales;
  std::vector<int64_t> sizes;
};

TEST(ResizeOpTest, MatchesReferenceForEveryMode) {
  const std::vector<Case> cases = {
      {{5}, {2.5f}, {}},
      {{7}, {0.6f}, {}},
      {{2, 3, 4}, {1, 1.5f, 0.5f}, {}},
      {{1, 2, 4, 5}, {1, 1, 1.7f, 0.8f}, {}},
      {{1, 1, 4, 4}, {}, {1, 1, 3, 7}},
      {{1, 2, 5, 3}, {}, {1, 2, 1, 6}},
      {{2, 3, 2, 3}, {1, 1, 3, 3}, {}},
  };
  const std::vector<std::string> coords = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                           "asymmetric", "tf_half_pixel_for_nn",
                                           "tf_crop_and_resize"};
  int checked = 0;
  uint32_t seed = 1;
  for (const Case& c : cases) {
    Tensor x = RandomFloats(TensorShape(c.shape), -2, 2, seed++);
    const int r = static_cast<int>(c.shape.size());
    std::vector<float> roi(2 * r);
    for (int d = 0; d < r; ++d) {  // some outside [0, 1], to extrapolate
      roi[d] = d % 2 == 0 ? 0.1f : -0.2f;
      roi[r + d] = d % 2 == 0 ? 0.8f : 1.1f;
    }
    for (const char* mode : {"nearest", "linear", "cubic"}) {
      for (const std::string& coord : coords) {
        std::vector<std::string> nearests = {"round_prefer_floor"};
        if (std::string(mode) == "nearest") {
          nearests = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple"};
        }
        for (const std::string& nearest : nearests) {
          for (bool exclude : {false, true}) {
            if (exclude && std::string(mode) != "cubic") continue;
            Params p;
            p.mode = mode;
            p.coord = coord;
            p.nearest = nearest;
            p.exclude_outside = exclude;
            p.cubic_a = exclude ? -0.5f : -0.75f;
            p.extrapolation = 7.5f;
            const bool crop = coord == "tf_crop_and_resize";
            SCOPED_TRACE(::testing::Message() << "case " << checked << " mode " << mode << " "
                                              << coord << " " << nearest << " exclude "
                                              << exclude << " x " << x.ShapeString());
            auto y = RunResize(x, p, c.scales, c.sizes, crop ? roi : std::vector<float>{});
            ASSERT_TRUE(y.ok()) << y.status();
            ExpectTensorNear(*y, Reference(x, p, c.scales, c.sizes,
                                           crop ? roi : std::vector<float>{}),
                             1e-5, 1e-5);
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 7 * 6 * (5 + 1 + 2));
}

TEST(ResizeOpTest, SameResultForAnyThreadCount) {
  Tensor x = RandomFloats({2, 3, 17, 19}, -1, 1, 9);
  Params p;
  p.mode = "cubic";
  auto one = RunResize(x, p, {1, 1, 2.3f, 0.7f}, {}, {}, 1);
  auto four = RunResize(x, p, {1, 1, 2.3f, 0.7f}, {}, {}, 4);
  ASSERT_TRUE(one.ok() && four.ok());
  ExpectTensorNear(*four, *one, 0, 0);
}

TEST(ResizeOpTest, EmptyOutputIsFine) {
  auto y = RunResize(T_<float>({1, 2, 3}, {3}), Params(), {}, {0});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape{0});
}

// ---- Bad input: a status naming the problem, never a crash. ----

absl::Status RunError(const std::vector<Tensor>& in, const Params& p) {
  auto out = RunKernelUnshaped("Resize", in, Attrs(p));
  return out.ok() ? absl::OkStatus() : out.status();
}

TEST(ResizeOpTest, RejectsBadInputs) {
  const Tensor x = T_<float>({1, 2, 3, 4}, {2, 2});
  const Tensor f0 = Empty(DataType::kFloat32), i0 = Empty(DataType::kInt64);
  const Tensor scales = T_<float>({2, 2}, {2}), sizes = T_<int64_t>({4, 4}, {2});
  EXPECT_THAT(RunError({x, f0, scales, sizes}, Params()).message(),
              HasSubstr("exactly one of scales and sizes"));
  EXPECT_THAT(RunError({x, f0, f0, i0}, Params()).message(),
              HasSubstr("exactly one of scales and sizes"));
  EXPECT_THAT(RunError({x, f0, T_<float>({2}, {1}), i0}, Params()).message(),
              HasSubstr("one value per dim"));
  EXPECT_THAT(RunError({x, f0, f0, T_<int64_t>({4, 4, 4}, {3})}, Params()).message(),
              HasSubstr("one value per dim"));
  EXPECT_THAT(RunError({x, f0, T_<float>({2, -1}, {2}), i0}, Params()).message(),
              HasSubstr("positive"));
  EXPECT_THAT(RunError({x, f0, f0, T_<int64_t>({4, -1}, {2})}, Params()).message(),
              HasSubstr(">= 0"));
  Params crop;
  crop.coord = "tf_crop_and_resize";
  EXPECT_THAT(RunError({x, f0, scales, i0}, crop).message(), HasSubstr("needs roi with 4"));
  Params bad;
  bad.mode = "bicubic";
  EXPECT_THAT(RunError({x, f0, scales, i0}, bad).message(),
              HasSubstr("mode 'bicubic' is not one of"));
  bad = Params();
  bad.coord = "corners";
  EXPECT_THAT(RunError({x, f0, scales, i0}, bad).message(),
              HasSubstr("coordinate_transformation_mode 'corners'"));
  bad = Params();
  bad.nearest = "round";
  EXPECT_THAT(RunError({x, f0, scales, i0}, bad).message(), HasSubstr("nearest_mode 'round'"));
  EXPECT_THAT(RunError({x, f0, scales, i0}, bad).message(), HasSubstr("(Resize)"));
}

}  // namespace
}  // namespace graphrt
