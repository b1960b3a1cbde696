// CPU tensors come from the process-wide host pool by default, and outlive
// the session and runtime that made them.
#include <memory>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

TEST(HostPoolTest, FetchedTensorsComeFromThePoolAndOutliveTheirSession) {
  Tensor kept;
  {
    GraphBuilder b;
    Output x = b.Placeholder(DataType::kFloat32, {1024}, "x");
    Output y = ops::Neg(ops::Exp(x));
    auto session = Session::Create(b.Build().value());
    ASSERT_TRUE(session.ok()) << session.status();
    Tensor feed(DataType::kFloat32, TensorShape{1024});
    for (int i = 0; i < 1024; ++i) feed.data<float>()[i] = 0.0f;
    auto out = (*session)->Run({{x, feed}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    kept = (*out)[0];
  }  // the session and its runtime are gone
  EXPECT_EQ(kept.allocator(), HostPoolAllocator());
  for (int i = 0; i < 1024; ++i) ASSERT_EQ(kept.data<float>()[i], -1.0f) << i;
}

TEST(HostPoolTest, ThePoolKeepsItsRegionsBetweenSteps) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "under AddressSanitizer the host pool is plain host memory";
#else
  Allocator* pool = HostPoolAllocator();
  EXPECT_EQ(pool->Name(), "cpu_pool");
  void* p = pool->AllocateRaw(64, 4 << 20);
  ASSERT_NE(p, nullptr);
  const int64_t reserved = pool->GetStats().bytes_reserved;
  pool->DeallocateRaw(p);
  EXPECT_EQ(pool->GetStats().bytes_reserved, reserved);  // kept for the next step
  void* again = pool->AllocateRaw(64, 4 << 20);
  EXPECT_EQ(pool->GetStats().bytes_reserved, reserved);  // reused, not grown
  pool->DeallocateRaw(again);
#endif
}

}  // namespace
}  // namespace graphrt
