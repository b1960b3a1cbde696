// DeadlineTimer.
//
// Note [How a deadline fires]
// Rationale: a step past its deadline must stop even when every thread of
// it is busy: the Run caller counts as an inter-op thread and may itself be
// inside a kernel that loops (polling ctx.cancelled()), so no thread of the
// step can be relied on to look at a clock. A thread per step would cost a
// thread start per Run.
// Approach: one process-wide thread, started by the first step that has a
// deadline, sleeps on a condition variable until the earliest deadline in
// an ordered queue. At a deadline it runs the step's callback, which fails
// the step with DEADLINE_EXCEEDED and cancels its token: the executor
// dispatches nothing more and polling kernels return. A step that ends in
// time cancels its entry (one lock, one map erase).
// Limitations: callbacks share one thread, so a slow callback delays later
// deadlines; the executor's callback only scans the step's running marks
// and runs its kernels' wake-up callbacks. Resolution is the OS's timed
// wait (tens of microseconds), far below the milliseconds a timeout is
// given in.
#include "core/executor/deadline_timer.h"

namespace graphrt {

DeadlineTimer& DeadlineTimer::Global() {
  static DeadlineTimer* timer = new DeadlineTimer();  // never destroyed (see the header)
  return *timer;
}

DeadlineTimer::DeadlineTimer() {
  std::thread thread([this] { Loop(); });
  thread_id_ = thread.get_id();
  thread.detach();  // blocked in a wait at exit, never holding a lock
}

DeadlineTimer::Key DeadlineTimer::Schedule(Clock::time_point when,
                                           absl::AnyInvocable<void()> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  const Key key = next_key_++;
  auto it = queue_.emplace(std::make_pair(when, key), std::move(callback)).first;
  when_.emplace(key, when);
  if (it == queue_.begin()) wake_.notify_one();  // earlier than what the thread waits for
  return key;
}

bool DeadlineTimer::Cancel(Key key) {
  std::unique_lock<std::mutex> lock(mu_);
  if (auto it = when_.find(key); it != when_.end()) {
    queue_.erase({it->second, key});
    when_.erase(it);
    return true;
  }
  if (std::this_thread::get_id() != thread_id_) {
    done_.wait(lock, [&] { return running_ != key; });
  }
  return false;
}

void DeadlineTimer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    const Clock::time_point when = first->first.first;
    if (Clock::now() < when) {
      wake_.wait_until(lock, when);
      continue;  // woken early, by a new earlier deadline, or on time: look again
    }
    const Key key = first->first.second;
    absl::AnyInvocable<void()> callback = std::move(first->second);
    queue_.erase(first);
    when_.erase(key);
    running_ = key;
    lock.unlock();
    callback();
    callback = nullptr;  // what it holds goes before Cancel returns
    lock.lock();
    running_ = -1;
    done_.notify_all();
  }
}

}  // namespace graphrt
