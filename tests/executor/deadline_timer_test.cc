// DeadlineTimer: callbacks run after their deadline, in deadline order, on
// one thread; Cancel removes a pending callback or waits for a running one.
#include "core/executor/deadline_timer.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace graphrt {
namespace {

using Clock = DeadlineTimer::Clock;
using std::chrono::milliseconds;

TEST(DeadlineTimerTest, RunsCallbacksAfterTheirDeadlinesInDeadlineOrder) {
  DeadlineTimer& timer = DeadlineTimer::Global();
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  std::atomic<int> done{0};
  const Clock::time_point start = Clock::now();
  std::vector<Clock::time_point> ran_at(3);
  for (int i : {2, 0, 1}) {  // scheduled out of order
    timer.Schedule(start + milliseconds(20 + 15 * i), [&, i] {
      std::lock_guard<std::mutex> l(mu);
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
      ran_at[i] = Clock::now();
      ++done;
    });
  }
  while (done < 3) std::this_thread::sleep_for(milliseconds(1));
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  for (int i = 0; i < 3; ++i) EXPECT_GE(ran_at[i], start + milliseconds(20 + 15 * i)) << i;
  EXPECT_EQ(threads[0], threads[1]);
  EXPECT_EQ(threads[1], threads[2]);
  EXPECT_NE(threads[0], std::this_thread::get_id());
}

TEST(DeadlineTimerTest, CancelledCallbackNeverRuns) {
  DeadlineTimer& timer = DeadlineTimer::Global();
  std::atomic<bool> ran{false}, witness{false};
  const auto key = timer.Schedule(Clock::now() + milliseconds(20), [&] { ran = true; });
  EXPECT_TRUE(timer.Cancel(key));
  EXPECT_FALSE(timer.Cancel(key));  // already gone
  // A later callback runs, so the cancelled one's time has passed.
  timer.Schedule(Clock::now() + milliseconds(40), [&] { witness = true; });
  while (!witness) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_FALSE(ran);
}

TEST(DeadlineTimerTest, CancelWaitsForTheRunningCallback) {
  DeadlineTimer& timer = DeadlineTimer::Global();
  std::atomic<bool> started{false}, finished{false};
  const auto key = timer.Schedule(Clock::now(), [&] {
    started = true;
    std::this_thread::sleep_for(milliseconds(30));
    finished = true;
  });
  while (!started) std::this_thread::yield();
  EXPECT_FALSE(timer.Cancel(key));
  EXPECT_TRUE(finished) << "Cancel returned while the callback still ran";
}

TEST(DeadlineTimerTest, AnEarlierDeadlineWakesTheTimer) {
  DeadlineTimer& timer = DeadlineTimer::Global();
  std::atomic<bool> late_ran{false}, early_ran{false};
  const auto late =
      timer.Schedule(Clock::now() + std::chrono::seconds(60), [&] { late_ran = true; });
  const Clock::time_point start = Clock::now();
  timer.Schedule(start + milliseconds(5), [&] { early_ran = true; });
  while (!early_ran) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));  // not held until the late one
  EXPECT_TRUE(timer.Cancel(late));
  EXPECT_FALSE(late_ran);
}

}  // namespace
}  // namespace graphrt
