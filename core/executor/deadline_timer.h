// DeadlineTimer: runs callbacks at given times, all on one process-wide
// thread started on first use. The executor schedules one callback per step
// that has a deadline (RunOptions::timeout_ms) and cancels it when the step
// ends; see Note [How a deadline fires] in deadline_timer.cc.
//
// Internal to the executor (not a public header).
//
// Callbacks run on the timer thread, one at a time, in deadline order; they
// should be short and must not block (a late callback delays every later
// deadline). They may call Schedule and Cancel.
//
// Thread-safety: Global() and every method are thread-safe. The timer lives
// until the process exits (it is never destroyed: steps may run during
// static destruction).
#ifndef GRAPHRT_CORE_EXECUTOR_DEADLINE_TIMER_H_
#define GRAPHRT_CORE_EXECUTOR_DEADLINE_TIMER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"

namespace graphrt {

class DeadlineTimer {
 public:
  using Clock = std::chrono::steady_clock;
  using Key = int64_t;

  // The process's timer; its thread starts on the first call.
  static DeadlineTimer& Global();

  // Runs `callback` on the timer thread once `when` has passed (at once if
  // it has). Returns the key that Cancel takes.
  Key Schedule(Clock::time_point when, absl::AnyInvocable<void()> callback);

  // True: the callback was removed and will never run. False: it has run or
  // runs now, and then this waits until it has returned (unless called from
  // the timer thread), so the caller may free what it uses.
  bool Cancel(Key key);

 private:
  DeadlineTimer();
  void Loop();

  // std::mutex rather than graphrt::Mutex: the timer waits on a condition
  // variable, which graphrt::Mutex does not offer (TSan sees both).
  std::mutex mu_;
  std::condition_variable wake_;  // an earlier deadline was scheduled
  std::condition_variable done_;  // a callback returned
  std::map<std::pair<Clock::time_point, Key>, absl::AnyInvocable<void()>> queue_;  // by mu_
  absl::flat_hash_map<Key, Clock::time_point> when_;  // by key, for Cancel; by mu_
  Key next_key_ = 0;   // by mu_
  Key running_ = -1;   // the callback running now; by mu_
  std::thread::id thread_id_;  // the timer thread's; set before it starts
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_DEADLINE_TIMER_H_
