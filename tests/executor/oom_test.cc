// Out of memory during a step: the status names the node and device and
// carries the allocator's report; the next step works.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/memory/allocation_owner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

TEST(OomTest, OomInAStepExplainsItselfAndTheNextStepRuns) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1, 256}, "x");
  Tensor w(DataType::kFloat32, TensorShape{256, 256});
  for (float& v : w.flat<float>()) v = 1.0f / 256;
  Output y = ops::Tanh(ops::MatMul(x, b.Const(w), {}, "big_matmul"), "y");
  SessionOptions o;
  o.runtime = Runtime::Create({1, 1, nullptr, /*cpu_memory_limit_mb=*/1});
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ((*session)->runtime()->ListLogicalDevices("CPU")[0].memory_limit, 1 << 20);

  Tensor huge(DataType::kFloat32, TensorShape{2048, 256});  // output 2 MiB > 1 MiB
  for (float& v : huge.flat<float>()) v = 1.0f;
  auto oom = (*session)->Run({{x, huge}}, {y});
  ASSERT_FALSE(oom.ok());
  EXPECT_EQ(oom.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(oom.status().message(), HasSubstr("node 'big_matmul'"));
  EXPECT_THAT(oom.status().message(), HasSubstr(FullDeviceName("CPU", 0)));
  EXPECT_THAT(oom.status().message(), HasSubstr("capacity"));
  EXPECT_THAT(oom.status().message(), HasSubstr("limit 1"));
  if (std::getenv("PRINT_OOM")) std::fprintf(stderr, "%s\n", oom.status().ToString().c_str());

  Tensor small(DataType::kFloat32, TensorShape{16, 256});
  for (float& v : small.flat<float>()) v = 1.0f;
  for (int i = 0; i < 3; ++i) {
    auto out = (*session)->Run({{x, small}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_NEAR((*out)[0].data<float>()[0], std::tanh(1.0f), 1e-6);
  }
}

// A session keeps its nodes' owner names: a weight made when the session was
// created is still named in an OOM report after thousands of other names
// came and went (more than kRetainedOwnerNames).
TEST(OomTest, WeightsKeepTheirNamesInReportsOfLargeGraphs) {
  GraphBuilder b;
  Tensor w(DataType::kFloat32, TensorShape{1024, 1024});  // 4 MiB
  for (float& v : w.flat<float>()) v = 0.5f;
  Output weight = b.Const(w, "big_weight");
  for (int i = 0; i < static_cast<int>(kRetainedOwnerNames) + 1000; ++i) {
    b.Scalar<float>(static_cast<float>(i), absl::StrCat("small_", i));
  }
  Output doubled = ops::Add(weight, weight, "doubled");  // 4 MiB more: over the limit
  SessionOptions o;
  o.runtime = Runtime::Create({1, 1, nullptr, /*cpu_memory_limit_mb=*/6});
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  // Churn the released-name table as other sessions of a long-lived process do.
  for (int i = 0; i < 2 * static_cast<int>(kRetainedOwnerNames); ++i) {
    AllocationOwner temporary(absl::StrCat("other_session/node_", i));
  }
  auto oom = (*session)->Run({}, {doubled});
  ASSERT_EQ(oom.status().code(), absl::StatusCode::kResourceExhausted) << oom.status();
  EXPECT_THAT(oom.status().message(), HasSubstr("big_weight"));
  EXPECT_THAT(oom.status().message(), ::testing::Not(HasSubstr("(released owner)")));
  if (std::getenv("PRINT_OOM")) std::fprintf(stderr, "%s\n", oom.status().ToString().c_str());
}

}  // namespace
}  // namespace graphrt
