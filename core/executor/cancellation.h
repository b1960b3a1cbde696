// CancellationToken: asks a step (or anything else) to stop, and wakes
// whoever blocks on its behalf.
//
//   CancellationToken token;
//   RunOptions options;
//   options.cancellation = &token;
//   std::thread t([&] { auto out = session->Run(options, feeds, fetches, {}, nullptr); });
//   token.Cancel();  // the step returns CANCELLED, naming the nodes it stopped
//
// Who calls it: callers of Session::Run pass one through
// RunOptions::cancellation (core/executor/run_options.h). Every step also
// has a token of its own that the executor cancels when the step fails,
// passes its deadline or the caller's token is cancelled; kernels reach it
// through OpKernelContext::cancellation() and poll ctx.cancelled() in long
// loops, or register a callback to be woken when they block (a collective
// waiting for its peers). See docs/cancellation.md.
//
// Semantics: Cancel is sticky. The first call marks the token cancelled and
// then runs every registered callback once, on its own thread, in the order
// they were registered; later calls (and calls racing with it) return once
// the callbacks have run. A token cancels every step that runs with it, now
// and later: use a fresh token for each step (or group of steps) that may
// be cancelled on its own.
//
// Callbacks run with no lock of the token held; they should be short and
// must not block (wake a waiter, set a flag). A callback may call
// DeregisterCallback, even its own, and Cancel (which then returns at once).
//
// Thread-safety: every method is thread-safe. The token must outlive every
// step and every registration that uses it.
//
// Memory ordering: everything a thread did before Cancel happens-before a
// callback runs, and before any thread that sees cancelled() == true.
#ifndef GRAPHRT_CORE_EXECUTOR_CANCELLATION_H_
#define GRAPHRT_CORE_EXECUTOR_CANCELLATION_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "core/base/sync.h"

namespace graphrt {

class CancellationToken {
 public:
  using CallbackKey = int64_t;
  // RegisterCallback's answer when the token is already cancelled.
  static constexpr CallbackKey kAlreadyCancelled = -1;

  CancellationToken() = default;
  CancellationToken(const CancellationToken&) = delete;
  CancellationToken& operator=(const CancellationToken&) = delete;

  // Marks the token cancelled and runs the callbacks (see the top of this
  // file); returns after they have run. Thread-safe.
  void Cancel();

  // True once Cancel has begun. Thread-safe; one atomic load (acquire).
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Registers `callback` to run at Cancel and returns its key, or
  // kAlreadyCancelled (without calling it) when the token is already
  // cancelled: the caller then acts as if it had been woken. Thread-safe.
  CallbackKey RegisterCallback(absl::AnyInvocable<void()> callback);

  // Removes a registered callback. True: it was removed and will never run.
  // False: it has run, or runs now on another thread, and then this waits
  // until it has returned (unless called from that very Cancel), so the
  // caller may free what the callback uses. Also false for kAlreadyCancelled
  // and for a key already deregistered. Thread-safe.
  bool DeregisterCallback(CallbackKey key);

 private:
  std::atomic<bool> cancelled_{false};
  // Held by Cancel while its callbacks run: DeregisterCallback waits on it
  // (Note [Deregistering while a callback runs] in cancellation.cc).
  Mutex run_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  Mutex mu_;
  std::map<CallbackKey, absl::AnyInvocable<void()>> callbacks_ ABSL_GUARDED_BY(mu_);
  CallbackKey next_key_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id cancelling_thread_ ABSL_GUARDED_BY(mu_);  // while Cancel runs callbacks
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CANCELLATION_H_
