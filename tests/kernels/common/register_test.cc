// Tests for kernels/common/register.h: what RegisterNeutralKernels registers
// for a device type (listed with KernelRegistry::ListDefs), with and without
// dtype lists and Placeholder, and the neutral kernels in the global
// registry for the CPU (every dtype, Placeholder included) and, in CUDA
// builds, for the GPU (its dtypes, no Placeholder).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/register.h"

namespace graphrt {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kTestDevice[] = "TEST_DEVICE";

// The constraints of each def of `device_type` in `r`'s own defs, by op.
std::map<std::string, std::vector<std::vector<TypeConstraint>>> DefsOf(
    const KernelRegistry& r, const std::string& device_type) {
  std::map<std::string, std::vector<std::vector<TypeConstraint>>> out;
  for (const KernelDef* def : r.ListDefs()) {
    if (def->device_type != device_type) continue;
    EXPECT_TRUE(def->factory) << def->op << " on " << device_type << " is a descriptor only";
    out[def->op].push_back(def->constraints);
  }
  return out;
}

// One def of `op` constrained to attr in dtypes (or unconstrained when dtypes is empty).
void ExpectOneDef(const std::map<std::string, std::vector<std::vector<TypeConstraint>>>& defs,
                  const std::string& op, const std::string& attr,
                  const std::vector<DataType>& dtypes) {
  auto it = defs.find(op);
  ASSERT_NE(it, defs.end()) << op;
  ASSERT_EQ(it->second.size(), 1u) << op;
  const std::vector<TypeConstraint>& c = it->second[0];
  if (dtypes.empty()) {
    EXPECT_THAT(c, IsEmpty()) << op;
    return;
  }
  ASSERT_EQ(c.size(), 1u) << op;
  EXPECT_EQ(c[0].attr, attr) << op;
  EXPECT_EQ(c[0].allowed, dtypes) << op;
}

std::vector<std::string> Ops(
    const std::map<std::string, std::vector<std::vector<TypeConstraint>>>& defs) {
  std::vector<std::string> ops;
  for (const auto& [op, unused] : defs) ops.push_back(op);
  return ops;
}

TEST(RegisterNeutralKernelsTest, DefaultsRegisterEveryKernelButPlaceholderForAnyDType) {
  KernelRegistry r;
  RegisterNeutralKernels(r, kTestDevice, NeutralKernelTypes{});
  const auto defs = DefsOf(r, kTestDevice);
  EXPECT_THAT(Ops(defs), UnorderedElementsAre("Const", "Identity", "NoOp", "_Copy", "Reshape",
                                              "ExpandDims", "Squeeze", "VarHandleOp",
                                              "ReadVariable"));
  for (const auto& [op, constraints] : defs) {
    ASSERT_EQ(constraints.size(), 1u) << op;
    EXPECT_THAT(constraints[0], IsEmpty()) << op;
  }
  EXPECT_EQ(r.ListDefs().size(), defs.size());  // nothing for other device types
}

TEST(RegisterNeutralKernelsTest, DTypeListsConstrainTheirKernelsOnly) {
  KernelRegistry r;
  NeutralKernelTypes types;
  types.constant = std::vector<DataType>{DataType::kFloat32};
  types.data = std::vector<DataType>{DataType::kFloat32, DataType::kInt64};
  types.variable = std::vector<DataType>{DataType::kInt32};
  types.placeholder = true;
  RegisterNeutralKernels(r, kTestDevice, types);
  const auto defs = DefsOf(r, kTestDevice);
  EXPECT_EQ(defs.size(), 10u);
  ExpectOneDef(defs, "Const", "dtype", {DataType::kFloat32});
  ExpectOneDef(defs, "Placeholder", "", {});
  ExpectOneDef(defs, "Identity", "T", {DataType::kFloat32, DataType::kInt64});
  ExpectOneDef(defs, "Reshape", "T", {DataType::kFloat32, DataType::kInt64});
  ExpectOneDef(defs, "ExpandDims", "T", {DataType::kFloat32, DataType::kInt64});
  ExpectOneDef(defs, "Squeeze", "T", {DataType::kFloat32, DataType::kInt64});
  ExpectOneDef(defs, "VarHandleOp", "dtype", {DataType::kInt32});
  ExpectOneDef(defs, "ReadVariable", "dtype", {DataType::kInt32});
  ExpectOneDef(defs, "NoOp", "", {});
  ExpectOneDef(defs, "_Copy", "", {});
}

TEST(RegisterNeutralKernelsTest, AnEmptyListRegistersForNoDType) {
  KernelRegistry r;
  NeutralKernelTypes types;
  types.variable = std::vector<DataType>{};
  RegisterNeutralKernels(r, kTestDevice, types);
  const auto defs = DefsOf(r, kTestDevice);
  const std::vector<TypeConstraint>& c = defs.at("VarHandleOp").at(0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_THAT(c[0].allowed, IsEmpty());
}

const std::vector<std::string> kNeutralOps = {"Const",      "Placeholder", "Identity",
                                              "NoOp",       "_Copy",       "Reshape",
                                              "ExpandDims", "VarHandleOp", "ReadVariable",
                                              "Squeeze"};

// The global registry's defs of the neutral ops for `device_type`.
std::map<std::string, std::vector<std::vector<TypeConstraint>>> GlobalNeutralDefs(
    const std::string& device_type) {
  auto defs = DefsOf(KernelRegistry::Global(), device_type);
  std::map<std::string, std::vector<std::vector<TypeConstraint>>> out;
  for (const std::string& op : kNeutralOps) {
    if (defs.contains(op)) out[op] = defs[op];
  }
  return out;
}

TEST(RegisterNeutralKernelsTest, TheCpuRegistersEveryNeutralKernelForAnyDType) {
  const auto defs = GlobalNeutralDefs(kDeviceCpu);
  EXPECT_EQ(defs.size(), kNeutralOps.size());
  for (const std::string& op : kNeutralOps) ExpectOneDef(defs, op, "", {});
}

TEST(RegisterNeutralKernelsTest, TheGpuRegistersItsDTypesAndNoPlaceholder) {
  const auto defs = GlobalNeutralDefs(kDeviceGpu);
  if (defs.empty()) GTEST_SKIP() << "no GPU kernels in this build (GRAPHRT_CUDA off)";
  const std::vector<DataType> data = {DataType::kFloat32, DataType::kInt32, DataType::kInt64,
                                      DataType::kUint8, DataType::kBool};
  EXPECT_FALSE(defs.contains("Placeholder"));
  ExpectOneDef(defs, "Const", "dtype", {DataType::kFloat32});
  ExpectOneDef(defs, "Identity", "T", data);
  ExpectOneDef(defs, "Reshape", "T", data);
  ExpectOneDef(defs, "ExpandDims", "T", data);
  ExpectOneDef(defs, "Squeeze", "T", data);
  // Int variables stay on the CPU: no GPU kernel updates them.
  ExpectOneDef(defs, "VarHandleOp", "dtype", {DataType::kFloat32});
  ExpectOneDef(defs, "ReadVariable", "dtype", {DataType::kFloat32});
  ExpectOneDef(defs, "NoOp", "", {});
  ExpectOneDef(defs, "_Copy", "", {});
}

}  // namespace
}  // namespace graphrt
