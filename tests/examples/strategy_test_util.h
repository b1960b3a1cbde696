// What the strategy tests of the examples share (tests/examples/*_strategy_test.cc,
// tests/examples/multi_worker/): a session on N logical CPU devices and the
// relative difference the equivalence checks bound.
#ifndef GRAPHRT_TESTS_EXAMPLES_STRATEGY_TEST_UTIL_H_
#define GRAPHRT_TESTS_EXAMPLES_STRATEGY_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "gtest/gtest.h"

namespace graphrt::testing {

// One inter-op and one intra-op thread, on `devices` logical CPU devices.
inline SessionOptions OnLogicalCpus(int devices) {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = 1;
  o.runtime = Runtime::Create({1, 1, nullptr});
  EXPECT_TRUE(o.runtime
                  ->SetLogicalDeviceConfiguration(o.runtime->ListPhysicalDevices("CPU")[0],
                                                  std::vector<LogicalDeviceConfiguration>(devices))
                  .ok());
  return o;
}

// Max |got - want| over max |want| (the plain max difference when want is
// 0); infinity when the sizes differ.
inline double MaxRelativeDiff(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_EXAMPLES_STRATEGY_TEST_UTIL_H_
