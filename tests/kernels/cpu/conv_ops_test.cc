// Tests for kernels/cpu/conv_ops.h: Conv2D, FusedConv2D (+ bias, Relu or
// none), Conv2DBackpropInput and Conv2DBackpropFilter against a direct nested-loop convolution in double
// (conv_reference.h) over strides, dilations, SAME padding with odd sizes,
// VALID, EXPLICIT padding, 1x1 filters and shapes spanning several tiles,
// one input channel (the transposed im2col), on every GEMM ISA path the CPU
// supports, with 1 and 2 threads (results must be identical); both forms of the sizes
// input; and the errors bad input gets.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/ops/conv_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/cpu/gemm.h"
#include "tests/kernels/cpu/conv_reference.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RefConv;
using ::graphrt::testing::RefWindow;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

struct ConvCase {
  const char* name;
  TensorShape input, filter;
  RefWindow window;
};

std::vector<ConvCase> Cases() {
  RefWindow explicit_pad{.sh = 2, .sw = 1, .padding = "EXPLICIT", .top = 1, .bottom = 2,
                         .left = 0, .right = 3};
  // Stride 1 with more padding than the filter spans: the input gradient's
  // flipped convolution gets a negative padding (Note [Stride-1 input
  // gradient as a forward convolution] in conv_ops.cc).
  RefWindow wide_pad{.padding = "EXPLICIT", .top = 3, .bottom = 0, .left = 1, .right = 4};
  return {
      {"same_stride1", {2, 5, 5, 3}, {3, 3, 3, 4}, {}},
      {"same_odd_stride2", {1, 7, 6, 2}, {3, 2, 2, 5}, {.sh = 2, .sw = 2}},
      {"same_stride3_even_filter", {2, 8, 7, 3}, {4, 2, 3, 2}, {.sh = 3, .sw = 2}},
      {"valid_dilated", {2, 9, 8, 3}, {3, 3, 3, 2}, {.dh = 2, .dw = 2, .padding = "VALID"}},
      {"same_dilated_strided", {1, 10, 9, 2}, {3, 3, 2, 3}, {.sh = 2, .sw = 2, .dh = 2, .dw = 3}},
      {"explicit", {1, 6, 7, 2}, {2, 3, 2, 3}, explicit_pad},
      {"pointwise", {2, 4, 4, 8}, {1, 1, 8, 16}, {.padding = "VALID"}},
      {"recipe_layer1_tiles", {3, 28, 28, 1}, {3, 3, 1, 32}, {}},
      {"recipe_layer2_tiles", {2, 14, 14, 32}, {3, 3, 32, 64}, {}},
      // One input channel takes the transposed im2col (im2col.h).
      {"one_channel_strided_dilated", {2, 9, 11, 1}, {3, 2, 1, 4}, {.sh = 2, .sw = 2, .dw = 2}},
      {"one_channel_valid_dilated", {2, 8, 9, 1}, {3, 3, 1, 2},
       {.dh = 2, .dw = 2, .padding = "VALID"}},
      {"one_channel_explicit", {1, 5, 6, 1}, {2, 4, 1, 3}, explicit_pad},
      {"one_channel_pointwise", {2, 4, 4, 1}, {1, 1, 1, 3}, {.padding = "VALID"}},
      // Stride 1: the input gradient is a forward convolution of dy with the
      // flipped filter; asymmetric SAME padding, dilation, padding wider
      // than the filter, and one output channel (its flipped form has one
      // input channel: the transposed im2col).
      {"stride1_even_filter", {2, 6, 7, 3}, {2, 4, 3, 5}, {}},
      {"stride1_dilated", {1, 9, 8, 2}, {3, 2, 2, 3}, {.dh = 2, .dw = 3}},
      {"stride1_wide_explicit_pad", {1, 5, 6, 2}, {2, 3, 2, 3}, wide_pad},
      {"stride1_one_output_channel", {2, 6, 5, 3}, {3, 3, 3, 1}, {}},
      // 3x3, stride 1, >= 8 channels each way: the Winograd path (winograd.h)
      // for the forward pass and the input gradient; odd outputs (2x2 tiles
      // hanging over the edge), VALID, and asymmetric and wide padding.
      {"winograd_odd_same", {3, 7, 9, 8}, {3, 3, 8, 9}, {}},
      {"winograd_valid", {2, 8, 11, 12}, {3, 3, 12, 10}, {.padding = "VALID"}},
      {"winograd_explicit", {1, 6, 5, 8}, {3, 3, 8, 8},
       {.padding = "EXPLICIT", .top = 2, .bottom = 0, .left = 1, .right = 3}},
      {"winograd_wide_pad", {1, 5, 6, 9}, {3, 3, 9, 8}, wide_pad},
      {"winograd_many_tiles", {2, 20, 19, 16}, {3, 3, 16, 24}, {}},
  };
}

class ConvOpTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvOpTest, ForwardAndGradientsMatchDirectLoops) {
  const ConvCase& c = GetParam();
  const Tensor x = RandomFloats(c.input, -1, 1, 1);
  const Tensor f = RandomFloats(c.filter, -1, 1, 2);
  const Tensor out0 = testing::RefConv(x, f, nullptr, c.window, false).out;
  const Tensor dy = RandomFloats(out0.shape(), -1, 1, 3);
  const testing::RefConvResult ref = RefConv(x, f, &dy, c.window, false);
  const AttrMap attrs = c.window.ConvAttrs();
  // FusedConv2D's references: ref.out (double loops) + bias, then max(0, .).
  const int64_t oc = c.filter.dim(3);
  const Tensor bias = RandomFloats({oc}, -1, 1, 4);
  Tensor ref_biased(DataType::kFloat32, ref.out.shape()), ref_relu(DataType::kFloat32,
                                                                   ref.out.shape());
  for (int64_t i = 0; i < ref.out.num_elements(); ++i) {
    const double z = static_cast<double>(ref.out.data<float>()[i]) + bias.data<float>()[i % oc];
    ref_biased.data<float>()[i] = static_cast<float>(z);
    ref_relu.data<float>()[i] = static_cast<float>(z > 0 ? z : 0.0);
  }
  const int64_t terms = c.filter.dim(0) * c.filter.dim(1) * c.filter.dim(2);
  const double tol = 2e-6 * terms + 1e-5;
  const Tensor input_sizes = T_<int32_t>({static_cast<int32_t>(c.input.dim(0)),
                                          static_cast<int32_t>(c.input.dim(1)),
                                          static_cast<int32_t>(c.input.dim(2)),
                                          static_cast<int32_t>(c.input.dim(3))}, {4});
  const Tensor filter_sizes = T_<int32_t>({static_cast<int32_t>(c.filter.dim(0)),
                                           static_cast<int32_t>(c.filter.dim(1)),
                                           static_cast<int32_t>(c.filter.dim(2)),
                                           static_cast<int32_t>(c.filter.dim(3))}, {4});
  // Every GEMM path this CPU supports (gemm.h), then the default again.
  const CpuIsa default_isa = GemmIsa();
  for (CpuIsa isa : {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric}) {
  if (!SetGemmIsa(isa).ok()) continue;
  SCOPED_TRACE(absl::StrCat("gemm isa ", CpuIsaName(isa)));
  std::vector<Tensor> first;  // 1-thread results, to compare 2 threads with
  for (int threads : {1, 2}) {
    SCOPED_TRACE(absl::StrCat("threads=", threads));
    testing::KernelRunOptions options;
    options.intra_threads = threads;
    auto out = RunKernel("Conv2D", {x, f}, attrs, options);
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], ref.out, tol, 1e-5);
    // FusedConv2D: the same convolution, then + bias and Relu (or not).
    for (const char* activation : {"Relu", "None"}) {
      SCOPED_TRACE(activation);
      AttrMap fused_attrs = attrs;
      fused_attrs["activation"] = std::string(activation);
      auto fused = RunKernel("FusedConv2D", {x, f, bias}, fused_attrs, options);
      ASSERT_TRUE(fused.ok()) << fused.status();
      ExpectTensorNear((*fused)[0], std::string(activation) == "Relu" ? ref_relu : ref_biased,
                       tol, 1e-5);
    }
    // The input gradient from int32 sizes and from the input itself.
    auto dx = RunKernel("Conv2DBackpropInput", {input_sizes, f, dy}, attrs, options);
    ASSERT_TRUE(dx.ok()) << dx.status();
    ExpectTensorNear((*dx)[0], ref.dx, tol, 1e-5);
    auto dx_like = RunKernel("Conv2DBackpropInput", {x, f, dy}, attrs, options);
    ASSERT_TRUE(dx_like.ok()) << dx_like.status();
    ExpectTensorEq((*dx_like)[0], (*dx)[0]);
    // Filter gradients sum over every output pixel.
    const double ftol = 2e-6 * dy.num_elements() / c.filter.dim(3) + 1e-4;
    auto df = RunKernel("Conv2DBackpropFilter", {x, filter_sizes, dy}, attrs, options);
    ASSERT_TRUE(df.ok()) << df.status();
    ExpectTensorNear((*df)[0], ref.df, ftol, 1e-5);
    auto df_like = RunKernel("Conv2DBackpropFilter", {x, f, dy}, attrs, options);
    ASSERT_TRUE(df_like.ok()) << df_like.status();
    ExpectTensorEq((*df_like)[0], (*df)[0]);
    if (threads == 1) {
      first = {(*out)[0], (*dx)[0], (*df)[0]};
    } else {
      ExpectTensorEq((*out)[0], first[0]);
      ExpectTensorEq((*dx)[0], first[1]);
      ExpectTensorEq((*df)[0], first[2]);
    }
  }
  }
  ASSERT_TRUE(SetGemmIsa(default_isa).ok());
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvOpTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ConvOpErrorTest, SmallByHand) {
  // 1x3x3x1 input, 2x2 filter of ones, VALID: sums of 2x2 blocks.
  auto out = RunKernel("Conv2D", {T_<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3, 1}),
                                  T_<float>({1, 1, 1, 1}, {2, 2, 1, 1})},
                       RefWindow{.padding = "VALID"}.ConvAttrs());
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<float>({12, 16, 24, 28}, {1, 2, 2, 1}), 0, 0);
}

TEST(ConvOpErrorTest, KernelRefusesBadShapes) {
  const AttrMap attrs = RefWindow{.padding = "VALID"}.ConvAttrs();
  auto channels = RunKernelUnshaped(
      "Conv2D", {RandomFloats({1, 4, 4, 3}, -1, 1, 1), RandomFloats({2, 2, 2, 4}, -1, 1, 2)},
      attrs);
  EXPECT_EQ(channels.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channels.status().message(), HasSubstr("has 3 channels but filter"));
  auto rank = RunKernelUnshaped(
      "Conv2D", {RandomFloats({4, 4, 3}, -1, 1, 1), RandomFloats({2, 2, 3, 4}, -1, 1, 2)}, attrs);
  EXPECT_THAT(rank.status().message(), HasSubstr("rank 4"));
  auto too_big = RunKernelUnshaped(
      "Conv2D", {RandomFloats({1, 2, 4, 1}, -1, 1, 1), RandomFloats({3, 3, 1, 1}, -1, 1, 2)},
      attrs);
  EXPECT_THAT(too_big.status().message(), HasSubstr("larger than the input"));
  auto dy = RunKernelUnshaped("Conv2DBackpropInput",
                              {T_<int32_t>({1, 4, 4, 1}, {4}), RandomFloats({3, 3, 1, 1}, -1, 1, 2),
                               RandomFloats({1, 3, 3, 1}, -1, 1, 3)},
                              attrs);
  EXPECT_THAT(dy.status().message(), HasSubstr("does not match the forward output [1,2,2,1]"));
  auto sizes = RunKernelUnshaped("Conv2DBackpropFilter",
                                 {RandomFloats({1, 4, 4, 1}, -1, 1, 1), T_<int32_t>({3, 3}, {2}),
                                  RandomFloats({1, 2, 2, 1}, -1, 1, 3)},
                                 attrs);
  EXPECT_THAT(sizes.status().message(), HasSubstr("int32 vector of 4"));
}

TEST(ConvOpErrorTest, FusedConv2DRefusesBadBiasAndActivation) {
  const Tensor x = RandomFloats({1, 4, 4, 2}, -1, 1, 1);
  const Tensor f = RandomFloats({3, 3, 2, 3}, -1, 1, 2);
  AttrMap attrs = RefWindow{}.ConvAttrs();
  attrs["activation"] = std::string("Relu");
  auto bias = RunKernelUnshaped("FusedConv2D", {x, f, RandomFloats({4}, -1, 1, 3)}, attrs);
  EXPECT_EQ(bias.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bias.status().message(), HasSubstr("3 output channels"));
  attrs["activation"] = std::string("Tanh");
  auto activation = RunKernelUnshaped("FusedConv2D", {x, f, RandomFloats({3}, -1, 1, 3)}, attrs);
  EXPECT_THAT(activation.status().message(), HasSubstr("use \"None\" or \"Relu\""));
  // The shape function refuses both when the graph is built, naming the node.
  GraphBuilder g;
  Output in = g.Placeholder(DataType::kFloat32, {1, 4, 4, 2}, "x");
  Output filter = g.Const(f, "f");
  ops::FusedConv2D(in, filter, g.Const(RandomFloats({2}, -1, 1, 3)), "Relu", {}, "my_fused");
  EXPECT_THAT(g.status().message(), HasSubstr("my_fused"));
  EXPECT_THAT(g.status().message(), HasSubstr("output channels (3)"));
  GraphBuilder g2;
  Output in2 = g2.Placeholder(DataType::kFloat32, {1, 4, 4, 2}, "x");
  ops::FusedConv2D(in2, g2.Const(f), g2.Const(RandomFloats({3}, -1, 1, 3)), "Gelu", {},
                   "odd_activation");
  EXPECT_THAT(g2.status().message(), HasSubstr("odd_activation"));
  EXPECT_THAT(g2.status().message(), HasSubstr("\"Gelu\" is not supported"));
}

TEST(ConvOpErrorTest, AttrsRefusedNamingTheNode) {
  struct Bad {
    ops::Conv2DAttrs attrs;
    const char* message;
  };
  const std::vector<Bad> bad = {
      {{.strides = {1, 0, 1, 1}}, "must be positive"},
      {{.strides = {2, 1, 1, 1}}, "batch and channel"},
      {{.strides = {1, 1}}, "4 elements"},
      {{.padding = "FULL"}, "SAME, VALID or EXPLICIT"},
      {{.padding = "EXPLICIT", .explicit_paddings = {0, 0, 1, 1}}, "8 values"},
      {{.dilations = {1, 0, 1, 1}}, "must be positive"},
      {{.data_format = "NCHW"}, "NHWC only"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.message);
    GraphBuilder g;
    Output x = g.Placeholder(DataType::kFloat32, {1, 8, 8, 3}, "x");
    Output f = g.Const(RandomFloats({3, 3, 3, 4}, -1, 1, 1), "f");
    ops::Conv2D(x, f, b.attrs, "my_conv");
    EXPECT_THAT(g.status().message(), HasSubstr("my_conv"));
    EXPECT_THAT(g.status().message(), HasSubstr(b.message));
  }
  GraphBuilder g;
  Output x = g.Placeholder(DataType::kFloat32, {1, 8, 8, 3}, "x");
  ops::Conv2D(x, g.Const(RandomFloats({3, 3, 2, 4}, -1, 1, 1)), {}, "mismatch");
  EXPECT_THAT(g.status().message(), HasSubstr("mismatch"));
  EXPECT_THAT(g.status().message(), HasSubstr("has 3 channels"));
}

TEST(ConvOpErrorTest, ShapeFunctionInfersOutputs) {
  GraphBuilder g;
  Output x = g.Placeholder(DataType::kFloat32, {-1, 28, 28, 1}, "x");
  Output f = g.Placeholder(DataType::kFloat32, {3, 3, 1, 32}, "f");
  EXPECT_EQ(ops::Conv2D(x, f).shape(), (PartialShape{-1, 28, 28, 32}));
  EXPECT_EQ(ops::Conv2D(x, f, {.strides = {1, 2, 2, 1}, .padding = "VALID"}).shape(),
            (PartialShape{-1, 13, 13, 32}));
  Output dy = g.Placeholder(DataType::kFloat32, {-1, 28, 28, 32}, "dy");
  EXPECT_EQ(ops::Conv2DBackpropInput(x, f, dy).shape(), (PartialShape{-1, 28, 28, 1}));
  EXPECT_EQ(ops::Conv2DBackpropFilter(x, f, dy).shape(), (PartialShape{3, 3, 1, 32}));
  ASSERT_TRUE(g.status().ok()) << g.status();
}

}  // namespace
}  // namespace graphrt
