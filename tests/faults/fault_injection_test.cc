// Tests for tests/faults/fault_injection.h: the counter fails exactly the
// armed event, the allocator fails the armed allocation and accounts for
// what went through it, and wrapped kernels fail the armed run before or
// after their Compute while computing the same results as the base's.
#include "tests/faults/fault_injection.h"

#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/memory/allocation_owner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

TEST(FaultCounterTest, FailsOnlyTheArmedEvent) {
  FaultCounter c;
  EXPECT_FALSE(c.Next());  // disarmed: counts only
  c.Arm(3);
  EXPECT_EQ(c.count(), 0);
  std::vector<bool> failed;
  for (int i = 0; i < 5; ++i) failed.push_back(c.Next());
  EXPECT_EQ(failed, (std::vector<bool>{false, false, true, false, false}));
  EXPECT_TRUE(c.fired());
  EXPECT_EQ(c.count(), 5);
  c.Arm(2);
  EXPECT_FALSE(c.fired());
  c.Disarm();
  EXPECT_FALSE(c.Next());
  EXPECT_FALSE(c.Next());
  EXPECT_FALSE(c.fired());
  EXPECT_EQ(c.count(), 2);
}

TEST(FaultInjectingAllocatorTest, FailsTheArmedAllocationAndNamesItsOwner) {
  FaultInjectingAllocator a(HostAllocator());
  EXPECT_EQ(a.Name(), "faulty_" + HostAllocator()->Name());
  a.faults().Arm(2);
  void* first = a.AllocateRaw(64, 100);
  ASSERT_NE(first, nullptr);
  {
    ScopedAllocationOwner owner("matmul_node");
    EXPECT_EQ(a.AllocateRaw(64, 200), nullptr);
  }
  EXPECT_EQ(a.last_fault_owner(), "matmul_node");
  EXPECT_FALSE(a.LastOomReport().has_value());
  void* third = a.AllocateRaw(64, 300);
  ASSERT_NE(third, nullptr);
  AllocatorStats stats = a.GetStats();
  EXPECT_EQ(stats.num_allocs, 2);
  EXPECT_EQ(stats.bytes_in_use, 400);
  EXPECT_EQ(stats.num_live_allocs, 2);
  EXPECT_EQ(stats.largest_alloc_size, 300);
  a.DeallocateRaw(first);
  a.DeallocateRaw(third);
  EXPECT_EQ(a.BytesInUse(), 0);
  EXPECT_EQ(a.GetStats().peak_bytes_in_use, 400);
  EXPECT_EQ(a.bad_frees(), 0);
  EXPECT_EQ(a.faults().count(), 3);
}

TEST(FaultInjectingAllocatorTest, ForeignAndDoubleFreesAreCountedNotPassedOn) {
  FaultInjectingAllocator a(HostAllocator());
  void* mine = a.AllocateRaw(64, 8);
  ASSERT_NE(mine, nullptr);
  a.DeallocateRaw(mine);
  a.DeallocateRaw(mine);  // twice: must not reach the base
  int on_stack = 0;
  a.DeallocateRaw(&on_stack);
  EXPECT_EQ(a.bad_frees(), 2);
}

// y = (x * x) + x.
Graph SquarePlusX() {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {3}, "x");
  ops::Add(ops::Mul(x, x, "square"), x, "y");
  return b.Build().value();
}

TEST(FaultInjectingKernelsTest, FailsTheArmedRunBeforeOrAfterCompute) {
  FaultInjectingKernels kernels;
  SessionOptions o;
  o.inter_op_threads = 1;
  o.kernels = kernels.registry();
  auto session = Session::Create(SquarePlusX(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  const Tensor x = Tensor::FromVector<float>({1, 2, 3});
  kernels.faults().Arm(0);
  auto good = (*session)->Run({{"x", x}}, {"y"});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(kernels.faults().count(), 2);  // square, y (the feed runs no kernel)
  EXPECT_EQ((*good)[0].data<float>()[2], 12.0f);

  for (KernelFaultPoint point : {KernelFaultPoint::kBeforeCompute, KernelFaultPoint::kAfterCompute}) {
    kernels.set_point(point);
    kernels.faults().Arm(2);
    auto bad = (*session)->Run({{"x", x}}, {"y"});
    kernels.faults().Disarm();
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), FaultInjectingKernels::kCode);
    EXPECT_THAT(bad.status().message(), HasSubstr("node 'y' (Add)"));
    EXPECT_THAT(bad.status().message(), HasSubstr("injected fault (kernel run 2)"));
    EXPECT_EQ(kernels.last_fault_node(), "y");
    auto again = (*session)->Run({{"x", x}}, {"y"});
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ((*again)[0].data<float>()[2], 12.0f);
  }
}

TEST(FaultInjectingKernelsTest, OffersTheSameKernelsAsTheBase) {
  FaultInjectingKernels kernels;
  const Graph g = SquarePlusX();
  for (int i = 0; i < g.num_nodes(); ++i) {
    EXPECT_EQ(kernels.registry()->SupportedDeviceTypes(g.node(i)),
              KernelRegistry::Global().SupportedDeviceTypes(g.node(i)));
  }
  EXPECT_EQ(kernels.registry()->ListDefs().size(), KernelRegistry::Global().ListDefs().size());
}

}  // namespace
}  // namespace graphrt
