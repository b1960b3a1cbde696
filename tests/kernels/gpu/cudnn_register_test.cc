// What the cuDNN kernel families register (kernels/gpu/register.h): float32
// only, and the gradients' sizes input in its float32 form only (TF's int32
// sizes would sit in device memory; those nodes keep the CPU kernel). Reads
// the registry, so it runs without a GPU; skips in builds without cuDNN.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "gtest/gtest.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

#ifdef GRAPHRT_HAVE_CUDNN

// attr -> allowed dtypes of the one GPU def of each op.
using Constraints = std::map<std::string, std::vector<DataType>>;

std::map<std::string, Constraints> CudnnDefs() {
  KernelRegistry r;
  RegisterCudnnConvGpuKernels(r);
  RegisterCudnnPoolGpuKernels(r);
  RegisterCudnnBatchNormGpuKernels(r);
  std::map<std::string, Constraints> out;
  for (const KernelDef* def : r.ListDefs()) {
    EXPECT_EQ(def->device_type, kDeviceGpu) << def->op;
    EXPECT_FALSE(out.contains(def->op)) << def->op << " registered twice";
    for (const TypeConstraint& c : def->constraints) out[def->op][c.attr] = c.allowed;
  }
  return out;
}

TEST(CudnnRegisterTest, EveryOpOfTheFamiliesFloat32Only) {
  const std::map<std::string, Constraints> defs = CudnnDefs();
  const std::vector<DataType> f32 = {DataType::kFloat32};
  for (const char* op : {"Conv2D", "DepthwiseConv2dNative", "MaxPool", "AvgPool", "MaxPoolGrad"}) {
    ASSERT_TRUE(defs.contains(op)) << op;
    EXPECT_EQ(defs.at(op), (Constraints{{"T", f32}})) << op;
  }
  for (const char* op : {"Conv2DBackpropInput", "Conv2DBackpropFilter",
                         "DepthwiseConv2dNativeBackpropInput",
                         "DepthwiseConv2dNativeBackpropFilter", "AvgPoolGrad"}) {
    ASSERT_TRUE(defs.contains(op)) << op;
    EXPECT_EQ(defs.at(op), (Constraints{{"T", f32}, {"Tsizes", f32}})) << op;
  }
  for (const char* op : {"FusedBatchNormV3", "FusedBatchNormGradV3"}) {
    ASSERT_TRUE(defs.contains(op)) << op;
    EXPECT_EQ(defs.at(op), (Constraints{{"T", f32}, {"U", f32}})) << op;
  }
  EXPECT_EQ(defs.size(), 12u);
}

TEST(CudnnRegisterTest, TheGlobalRegistryHasThemForTheGpu) {
  std::vector<std::string> gpu_ops;
  for (const KernelDef* def : KernelRegistry::Global().ListDefs()) {
    if (def->device_type == kDeviceGpu) gpu_ops.push_back(def->op);
  }
  for (const char* op : {"Conv2D", "Conv2DBackpropFilter", "MaxPoolGrad", "FusedBatchNormGradV3"}) {
    EXPECT_NE(std::find(gpu_ops.begin(), gpu_ops.end(), op), gpu_ops.end()) << op;
  }
}

#else

TEST(CudnnRegisterTest, SkippedWithoutCudnn) {
  GTEST_SKIP() << "built without cuDNN: kernels/gpu/cudnn_* are not compiled";
}

#endif

}  // namespace
}  // namespace graphrt
