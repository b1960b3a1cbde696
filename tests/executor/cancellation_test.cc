// CancellationToken: callbacks run once, in order, on the cancelling
// thread; registration after Cancel is refused; deregistration removes a
// callback or waits for it to return; racing threads never lose or repeat
// a callback.
#include "core/executor/cancellation.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace graphrt {
namespace {

TEST(CancellationTokenTest, CancelRunsEachCallbackOnceInRegistrationOrder) {
  CancellationToken token;
  std::vector<int> order;
  std::thread::id ran_on;
  for (int i = 0; i < 3; ++i) {
    ASSERT_GE(token.RegisterCallback([&, i] {
      order.push_back(i);
      ran_on = std::this_thread::get_id();
    }), 0);
  }
  EXPECT_FALSE(token.cancelled());
  EXPECT_TRUE(order.empty());
  token.Cancel();
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  token.Cancel();  // sticky: nothing runs again
  EXPECT_EQ(order.size(), 3u);
}

TEST(CancellationTokenTest, RegisterAfterCancelIsRefusedWithoutCalling) {
  CancellationToken token;
  token.Cancel();
  bool called = false;
  EXPECT_EQ(token.RegisterCallback([&] { called = true; }),
            CancellationToken::kAlreadyCancelled);
  EXPECT_FALSE(called);
  EXPECT_FALSE(token.DeregisterCallback(CancellationToken::kAlreadyCancelled));
}

TEST(CancellationTokenTest, DeregisteredCallbackNeverRuns) {
  CancellationToken token;
  int a = 0, b = 0;
  const auto ka = token.RegisterCallback([&] { ++a; });
  const auto kb = token.RegisterCallback([&] { ++b; });
  EXPECT_TRUE(token.DeregisterCallback(ka));
  EXPECT_FALSE(token.DeregisterCallback(ka));  // already gone
  token.Cancel();
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  EXPECT_FALSE(token.DeregisterCallback(kb));  // it ran
}

TEST(CancellationTokenTest, DeregisterWaitsForTheCallbackRunningOnAnotherThread) {
  CancellationToken token;
  std::atomic<bool> in_callback{false}, release{false}, callback_done{false};
  std::atomic<bool> deregistered{false};
  const auto key = token.RegisterCallback([&] {
    in_callback = true;
    while (!release) std::this_thread::sleep_for(std::chrono::microseconds(50));
    callback_done = true;
  });
  std::thread canceller([&] { token.Cancel(); });
  while (!in_callback) std::this_thread::yield();
  bool removed = true;
  bool done_when_returned = false;
  std::thread deregisterer([&] {
    removed = token.DeregisterCallback(key);
    done_when_returned = callback_done.load();
    deregistered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(deregistered) << "DeregisterCallback returned while the callback still ran";
  release = true;
  deregisterer.join();
  canceller.join();
  EXPECT_FALSE(removed);
  EXPECT_TRUE(done_when_returned);
}

TEST(CancellationTokenTest, CallbackMayDeregisterItselfAndOthers) {
  CancellationToken token;
  CancellationToken::CallbackKey self = -1, later = -1;
  bool later_ran = false;
  bool self_result = true, later_result = true;
  self = token.RegisterCallback([&] {
    self_result = token.DeregisterCallback(self);  // must not wait for itself
    later_result = token.DeregisterCallback(later);
  });
  later = token.RegisterCallback([&] { later_ran = true; });
  token.Cancel();
  EXPECT_FALSE(self_result);
  EXPECT_FALSE(later_result);  // already taken out for running
  EXPECT_TRUE(later_ran);
}

TEST(CancellationTokenTest, CallbackMayCancelItsOwnToken) {
  CancellationToken token;
  int runs = 0;
  token.RegisterCallback([&] {
    ++runs;
    token.Cancel();  // returns at once: no deadlock, no second run
  });
  token.Cancel();
  EXPECT_EQ(runs, 1);
}

// Threads register and deregister while another cancels: every callback
// either runs exactly once or was deregistered before it could, never both.
TEST(CancellationTokenTest, RacingRegistrationsAreNeverLostOrRepeated) {
  for (int round = 0; round < 20; ++round) {
    CancellationToken token;
    constexpr int kThreads = 4, kPerThread = 200;
    std::vector<std::atomic<int>> runs(kThreads * kPerThread);
    std::vector<int> outcome(kThreads * kPerThread, 0);  // 1 removed, 2 refused, 3 ran
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int id = t * kPerThread + i;
          const auto key = token.RegisterCallback([&runs, id] { runs[id].fetch_add(1); });
          if (key == CancellationToken::kAlreadyCancelled) {
            outcome[id] = 2;
          } else if (i % 2 == 0 && token.DeregisterCallback(key)) {
            outcome[id] = 1;
          } else {
            outcome[id] = 3;
          }
        }
      });
    }
    token.Cancel();
    for (std::thread& t : threads) t.join();
    token.Cancel();
    for (size_t id = 0; id < runs.size(); ++id) {
      EXPECT_EQ(runs[id].load(), outcome[id] == 3 ? 1 : 0) << "callback " << id;
    }
  }
}

}  // namespace
}  // namespace graphrt
