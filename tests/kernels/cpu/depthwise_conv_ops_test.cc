// Tests for kernels/cpu/depthwise_conv_ops.h against a direct nested-loop
// depthwise convolution in double (conv_reference.h): multiplier 1 and > 1,
// strides, dilations, SAME with odd sizes, VALID and EXPLICIT padding, with
// 1 and 2 threads (identical results); and shape errors.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

struct DepthwiseCase {
  const char* name;
  TensorShape input, filter;
  RefWindow window;
};

std::vector<DepthwiseCase> Cases() {
  return {
      {"same_m1", {2, 6, 5, 8}, {3, 3, 8, 1}, {}},
      {"same_m3_odd_stride2", {1, 7, 7, 3}, {3, 3, 3, 3}, {.sh = 2, .sw = 2}},
      {"valid_dilated_m2", {2, 9, 8, 4}, {3, 2, 4, 2}, {.dh = 2, .dw = 3, .padding = "VALID"}},
      {"explicit_m2", {1, 5, 6, 3}, {2, 3, 3, 2},
       {.sh = 1, .sw = 2, .padding = "EXPLICIT", .top = 2, .bottom = 0, .left = 1, .right = 1}},
      {"many_pixels", {4, 20, 20, 16}, {3, 3, 16, 1}, {}},
  };
}

class DepthwiseOpTest : public ::testing::TestWithParam<DepthwiseCase> {};

TEST_P(DepthwiseOpTest, ForwardAndGradientsMatchDirectLoops) {
  const DepthwiseCase& c = GetParam();
  const Tensor x = RandomFloats(c.input, -1, 1, 11);
  const Tensor f = RandomFloats(c.filter, -1, 1, 12);
  const Tensor out0 = RefConv(x, f, nullptr, c.window, true).out;
  const Tensor dy = RandomFloats(out0.shape(), -1, 1, 13);
  const testing::RefConvResult ref = RefConv(x, f, &dy, c.window, true);
  const AttrMap attrs = c.window.ConvAttrs();
  const Tensor input_sizes = T_<int32_t>({static_cast<int32_t>(c.input.dim(0)),
                                          static_cast<int32_t>(c.input.dim(1)),
                                          static_cast<int32_t>(c.input.dim(2)),
                                          static_cast<int32_t>(c.input.dim(3))}, {4});
  std::vector<Tensor> first;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(absl::StrCat("threads=", threads));
    testing::KernelRunOptions options;
    options.intra_threads = threads;
    auto out = RunKernel("DepthwiseConv2dNative", {x, f}, attrs, options);
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], ref.out, 1e-5, 1e-5);
    auto dx = RunKernel("DepthwiseConv2dNativeBackpropInput", {input_sizes, f, dy}, attrs,
                        options);
    ASSERT_TRUE(dx.ok()) << dx.status();
    ExpectTensorNear((*dx)[0], ref.dx, 1e-5, 1e-5);
    auto df = RunKernel("DepthwiseConv2dNativeBackpropFilter", {x, f, dy}, attrs, options);
    ASSERT_TRUE(df.ok()) << df.status();
    ExpectTensorNear((*df)[0], ref.df, 1e-6 * dy.num_elements() + 1e-5, 1e-5);
    if (threads == 1) {
      first = {(*out)[0], (*dx)[0], (*df)[0]};
    } else {
      ExpectTensorEq((*out)[0], first[0]);
      ExpectTensorEq((*dx)[0], first[1]);
      ExpectTensorEq((*df)[0], first[2]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, DepthwiseOpTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<DepthwiseCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(DepthwiseOpErrorTest, RefusesMismatchedChannels) {
  auto out = RunKernelUnshaped("DepthwiseConv2dNative",
                               {RandomFloats({1, 4, 4, 3}, -1, 1, 1),
                                RandomFloats({2, 2, 4, 2}, -1, 1, 2)},
                               RefWindow{}.ConvAttrs());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("has 3 channels but filter"));
}

}  // namespace
}  // namespace graphrt
