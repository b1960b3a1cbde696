// Tests for kernels/cpu/pad_concat_ops.cc (Pad, PadV2, SliceLike, ConcatV2,
// SplitLike): against naive references that walk coordinates (written here,
// independent of the kernels' collapsed plans), for each element size, with
// 1 and 4 intra-op threads and sizes that make ParallelFor split; edge cases
// (zero pads, empty inputs, negative axis, one input) and the errors.
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::KernelRunOptions;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::graphrt::testing::ValueAt;
using ::testing::HasSubstr;

std::vector<int64_t> Coords(const TensorShape& s, int64_t i) {
  std::vector<int64_t> c(s.rank());
  for (int d = s.rank() - 1; d >= 0; --d) {
    c[d] = i % s.dim(d);
    i /= s.dim(d);
  }
  return c;
}

int64_t Flat(const TensorShape& s, const std::vector<int64_t>& c) {
  int64_t i = 0;
  for (int d = 0; d < s.rank(); ++d) i = i * s.dim(d) + c[d];
  return i;
}

// A tensor of `dtype` whose element i is i (mod 251 for uint8, parity for bool).
Tensor Iota(DataType dtype, const TensorShape& shape) {
  Tensor t(dtype, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (dtype) {
      case DataType::kFloat32: t.data<float>()[i] = static_cast<float>(i) + 0.5f; break;
      case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(i) - 7; break;
      case DataType::kInt64: t.data<int64_t>()[i] = (int64_t{1} << 40) + i; break;
      case DataType::kUint8: t.data<uint8_t>()[i] = static_cast<uint8_t>(i % 251); break;
      case DataType::kBool: t.data<bool>()[i] = i % 3 == 0; break;
      default: break;
    }
  }
  return t;
}

void SetFromDouble(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DataType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
    case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(v); break;
    case DataType::kInt64: t.data<int64_t>()[i] = static_cast<int64_t>(v); break;
    case DataType::kUint8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    case DataType::kBool: t.data<bool>()[i] = v != 0; break;
    default: break;
  }
}

// out[o] = x[o - before] inside, else fill.
Tensor RefPad(const Tensor& x, const std::vector<int64_t>& pads, double fill) {
  std::vector<int64_t> dims;
  for (int d = 0; d < x.shape().rank(); ++d) {
    dims.push_back(x.shape().dim(d) + pads[2 * d] + pads[2 * d + 1]);
  }
  Tensor out(x.dtype(), TensorShape(std::span<const int64_t>(dims)));
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::vector<int64_t> c = Coords(out.shape(), i);
    bool inside = true;
    for (int d = 0; d < x.shape().rank(); ++d) {
      c[d] -= pads[2 * d];
      inside = inside && c[d] >= 0 && c[d] < x.shape().dim(d);
    }
    SetFromDouble(out, i, inside ? ValueAt(x, Flat(x.shape(), c)) : fill);
  }
  return out;
}

constexpr DataType kAllTypes[] = {DataType::kFloat32, DataType::kInt32, DataType::kInt64,
                                  DataType::kUint8, DataType::kBool};

struct PadCase {
  TensorShape shape;
  std::vector<int64_t> pads;
};

const PadCase kPadCases[] = {
    {{}, {}},                                     // a scalar: nothing to pad
    {{5}, {2, 3}},
    {{3, 4}, {0, 0, 0, 0}},                       // zero pads: a copy
    {{3, 4}, {1, 0, 0, 2}},
    {{2, 5, 5, 3}, {0, 0, 1, 1, 2, 2, 0, 0}},     // ZeroPadding2D on NHWC
    {{2, 1, 3}, {1, 1, 0, 0, 1, 1}},
    {{2, 0, 3}, {1, 0, 2, 1, 0, 1}},              // an empty input, padded
    {{64, 130, 9}, {3, 5, 1, 2, 4, 0}},           // large enough to split
};

TEST(PadOpTest, MatchesTheCoordinateReferenceForEveryDtype) {
  for (const PadCase& c : kPadCases) {
    for (DataType dt : kAllTypes) {
      for (int threads : {1, 4}) {
        SCOPED_TRACE(absl::StrCat(c.shape.DebugString(), " ", DataTypeName(dt), " threads ",
                                  threads));
        Tensor x = Iota(dt, c.shape);
        auto out = RunKernel("Pad", {x}, {{"paddings", c.pads}}, {.intra_threads = threads});
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorEq((*out)[0], RefPad(x, c.pads, 0));
      }
    }
  }
}

TEST(PadOpTest, PadV2FillsWithTheConstant) {
  for (const PadCase& c : kPadCases) {
    SCOPED_TRACE(c.shape.DebugString());
    Tensor x = Iota(DataType::kFloat32, c.shape);
    auto out = RunKernel("PadV2", {x, Tensor::Scalar<float>(-2.5f)}, {{"paddings", c.pads}});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], RefPad(x, c.pads, -2.5));
  }
  Tensor xi = Iota(DataType::kInt64, {2, 3});
  auto out = RunKernel("PadV2", {xi, Tensor::Scalar<int64_t>(int64_t{1} << 50)},
                       {{"paddings", std::vector<int64_t>{1, 1, 0, 1}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], RefPad(xi, {1, 1, 0, 1}, static_cast<double>(int64_t{1} << 50)));
}

TEST(PadOpTest, BadPaddingsAreNamed) {
  Tensor x = Iota(DataType::kFloat32, {2, 3});
  auto bad = RunKernelUnshaped("Pad", {x}, {{"paddings", std::vector<int64_t>{1, 1}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("it needs 4"));
  bad = RunKernelUnshaped("Pad", {x}, {{"paddings", std::vector<int64_t>{0, 0, -1, 0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("negative"));
  bad = RunKernelUnshaped("PadV2", {x, Iota(DataType::kFloat32, {2})},
                          {{"paddings", std::vector<int64_t>{0, 0, 1, 0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("constant_values must be a scalar"));
}

TEST(SliceLikeOpTest, CutsTheBoxAndUndoesPad) {
  const std::vector<int64_t> pads = {1, 2, 0, 3, 2, 1};
  Tensor x = Iota(DataType::kInt32, {4, 3, 5});
  Tensor padded = RefPad(x, pads, 99);
  for (int threads : {1, 4}) {
    auto out = RunKernel("SliceLike", {padded, x},
                         {{"begin", std::vector<int64_t>{1, 0, 2}}}, {.intra_threads = threads});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], x);
  }
  auto out = RunKernel("SliceLike", {x, Tensor(DataType::kFloat32, {2, 2, 2})},
                       {{"begin", std::vector<int64_t>{2, 1, 3}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), TensorShape({2, 2, 2}));
  for (int64_t i = 0; i < 8; ++i) {
    std::vector<int64_t> c = Coords({2, 2, 2}, i);
    EXPECT_EQ((*out)[0].data<int32_t>()[i], x.data<int32_t>()[Flat(x.shape(),
                                                                   {c[0] + 2, c[1] + 1, c[2] + 3})]);
  }
  auto bad = RunKernelUnshaped("SliceLike", {x, Tensor(DataType::kFloat32, {2, 2, 2})},
                               {{"begin", std::vector<int64_t>{3, 0, 0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("does not fit"));
}

// Joins along `axis` by coordinates.
Tensor RefConcat(const std::vector<Tensor>& xs, int axis) {
  std::vector<int64_t> dims(xs[0].shape().dims().begin(), xs[0].shape().dims().end());
  dims[axis] = 0;
  for (const Tensor& x : xs) dims[axis] += x.shape().dim(axis);
  Tensor out(xs[0].dtype(), TensorShape(std::span<const int64_t>(dims)));
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::vector<int64_t> c = Coords(out.shape(), i);
    size_t k = 0;
    while (c[axis] >= xs[k].shape().dim(axis)) c[axis] -= xs[k++].shape().dim(axis);
    SetFromDouble(out, i, ValueAt(xs[k], Flat(xs[k].shape(), c)));
  }
  return out;
}

TEST(ConcatOpTest, MatchesTheReferenceOnEveryAxis) {
  for (DataType dt : kAllTypes) {
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      const int a = static_cast<int>(axis < 0 ? axis + 3 : axis);
      std::vector<Tensor> xs;
      for (int64_t n : {2, 0, 5, 1}) {  // an empty piece in the middle
        std::vector<int64_t> dims = {3, 4, 6};
        dims[a] = n;
        xs.push_back(Iota(dt, TensorShape(std::span<const int64_t>(dims))));
      }
      for (int threads : {1, 4}) {
        SCOPED_TRACE(absl::StrCat(DataTypeName(dt), " axis ", axis, " threads ", threads));
        auto out = RunKernel("ConcatV2", xs, {{"axis", axis}}, {.intra_threads = threads});
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorEq((*out)[0], RefConcat(xs, a));
      }
    }
  }
}

TEST(ConcatOpTest, LargeInputsSplitAcrossThreads) {
  std::vector<Tensor> xs = {Iota(DataType::kFloat32, {300, 700}),
                            Iota(DataType::kFloat32, {300, 3}),
                            Iota(DataType::kFloat32, {300, 1000})};
  auto out = RunKernel("ConcatV2", xs, {{"axis", int64_t{1}}}, {.intra_threads = 4});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], RefConcat(xs, 1));
}

TEST(ConcatOpTest, OneInputAndErrors) {
  Tensor x = Iota(DataType::kInt32, {2, 3});
  auto out = RunKernel("ConcatV2", {x}, {{"axis", int64_t{0}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], x);
  auto bad = RunKernelUnshaped("ConcatV2", {x, Iota(DataType::kInt32, {3, 3})},
                               {{"axis", int64_t{1}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("may differ only along axis 1"));
  bad = RunKernelUnshaped("ConcatV2", {x, x}, {{"axis", int64_t{2}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("axis 2 is out of range [-2, 2)"));
  bad = RunKernelUnshaped("ConcatV2", {Tensor::Scalar<int32_t>(1), Tensor::Scalar<int32_t>(2)},
                          {{"axis", int64_t{0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("scalars"));
}

TEST(SplitLikeOpTest, UndoesConcat) {
  for (int64_t axis : {0, 1, -1}) {
    const int a = static_cast<int>(axis < 0 ? axis + 2 : axis);
    std::vector<Tensor> xs;
    for (int64_t n : {3, 0, 4}) {
      std::vector<int64_t> dims = {5, 6};
      dims[a] = n;
      xs.push_back(Iota(DataType::kUint8, TensorShape(std::span<const int64_t>(dims))));
    }
    Tensor joined = RefConcat(xs, a);
    std::vector<Tensor> in = {joined};
    for (const Tensor& x : xs) in.push_back(Tensor(DataType::kUint8, x.shape()));
    auto out = RunKernel("SplitLike", in, {{"axis", axis}}, {.intra_threads = 4});
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(out->size(), 3u);
    for (int k = 0; k < 3; ++k) ExpectTensorEq((*out)[k], xs[k]);
  }
  auto bad = RunKernelUnshaped("SplitLike",
                               {Iota(DataType::kFloat32, {4, 2}), Iota(DataType::kFloat32, {3, 2}),
                                Iota(DataType::kFloat32, {2, 2})},
                               {{"axis", int64_t{0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("add up to 5"));
}

}  // namespace
}  // namespace graphrt
