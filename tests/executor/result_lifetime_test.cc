// Tensors a user receives stay valid after their session and runtime are
// gone, from every kind of CPU pool (Note [Retired allocators] in
// core/memory/allocator.cc). Run under ASan, a read of freed pool memory or a
// leaked pool fails these tests.
#include <memory>
#include <utility>
#include <vector>

#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

Tensor Filled(std::vector<float> values) {
  Tensor t(DataType::kFloat32, TensorShape{static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.flat<float>()[i] = values[i];
  return t;
}

// The reproduction: the CPU split into {} and {memory_limit_mb = 1},
// y = x * 2 on /cpu:1, the fetched tensor kept past session and runtime.
Tensor FetchFromLimitedCpu(std::vector<float> x_values) {
  auto runtime = Runtime::Create({1, 1, nullptr});
  LogicalDeviceConfiguration limited;
  limited.memory_limit_mb = 1;
  EXPECT_TRUE(runtime
                  ->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0],
                                                  {LogicalDeviceConfiguration{}, limited})
                  .ok());
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1}, "x");
  Output y;
  {
    GraphBuilder::DeviceScope on_cpu1(b, "/cpu:1");
    y = ops::Mul(x, b.Const(Filled({2.0f})), "y");
  }
  SessionOptions options;
  options.runtime = std::move(runtime);
  auto session = Session::Create(b.Build().value(), options);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return Tensor();
  auto out = (*session)->Run({{x, Filled(x_values)}}, {y});
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return Tensor();
  EXPECT_EQ(out->at(0).allocator()->GetStats().bytes_limit, 1 << 20)
      << "the fetch must come from the limited pool for this test to mean anything";
  return out->at(0);
  // The session, then the options' last reference to the runtime, die here.
}

TEST(ResultLifetimeTest, FetchFromALimitedCpuPoolOutlivesItsRuntime) {
  Tensor y = FetchFromLimitedCpu({1.0f, 2.0f, 3.0f});
  ASSERT_EQ(y.num_elements(), 3);
  EXPECT_EQ(y.flat<float>()[0], 2.0f);
  EXPECT_EQ(y.flat<float>()[1], 4.0f);
  EXPECT_EQ(y.flat<float>()[2], 6.0f);
  // Writing to it is allowed too: the buffer is the user's now.
  y.flat<float>()[0] = 7.0f;
  EXPECT_EQ(y.flat<float>()[0], 7.0f);
  // Destroying y deletes the retired pool (ASan reports a leak otherwise).
}

TEST(ResultLifetimeTest, ManyResultsOfOneRetiredPoolAreFreedInAnyOrder) {
  std::vector<std::pair<Tensor, float>> kept;  // result, its expected value
  {
    auto runtime = Runtime::Create({1, 1, nullptr, /*cpu_memory_limit_mb=*/1});
    GraphBuilder b;
    Output x = b.Placeholder(DataType::kFloat32, {-1}, "x");
    Output y = ops::Mul(x, b.Const(Filled({3.0f})), "y");
    Output z = ops::Add(y, b.Const(Filled({1.0f})), "z");
    SessionOptions options;
    options.runtime = runtime;
    auto session = Session::Create(b.Build().value(), options);
    ASSERT_TRUE(session.ok()) << session.status();
    for (int i = 0; i < 4; ++i) {
      auto out = (*session)->Run({{x, Filled({static_cast<float>(i)})}}, {y, z});
      ASSERT_TRUE(out.ok()) << out.status();
      kept.emplace_back(out->at(0), 3.0f * i);
      kept.emplace_back(out->at(1), 3.0f * i + 1.0f);
    }
    ASSERT_EQ(kept[0].first.allocator()->GetStats().bytes_limit, 1 << 20);
  }
  // Free from the middle outwards; every value stays readable until its turn.
  while (!kept.empty()) {
    for (const auto& [tensor, expect] : kept) {
      ASSERT_EQ(tensor.num_elements(), 1);
      EXPECT_EQ(tensor.flat<float>()[0], expect);
    }
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(kept.size() / 2));
  }
}

}  // namespace
}  // namespace graphrt
