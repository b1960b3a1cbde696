// CancellationToken.
//
// Note [Deregistering while a callback runs]
// Rationale: a blocking kernel registers a callback that wakes it, and
// deregisters it when it stops waiting; afterwards it frees the state the
// callback touches. If Cancel is running that callback on another thread at
// that moment, freeing it would be a use after free.
// Approach: Cancel holds run_mu_ from before it marks the token until its
// last callback has returned. DeregisterCallback that finds its key gone
// while the token is cancelled takes run_mu_ once, which waits out the
// callbacks. The thread running the callbacks (a callback deregistering
// itself or another) must not wait for itself: Cancel records its thread.
// Limitations: a deregistration that misses waits for all callbacks of that
// Cancel, not only its own; callbacks are short, so this costs little.
#include "core/executor/cancellation.h"

#include <utility>

namespace graphrt {

void CancellationToken::Cancel() {
  {
    MutexLock lock(&mu_);
    // A callback cancelling its own token: the callbacks are running already.
    if (cancelling_thread_ == std::this_thread::get_id()) return;
  }
  MutexLock run(&run_mu_);
  std::map<CallbackKey, absl::AnyInvocable<void()>> callbacks;
  {
    MutexLock lock(&mu_);
    if (cancelled_.load(std::memory_order_relaxed)) return;  // an earlier Cancel ran them
    cancelled_.store(true, std::memory_order_release);
    callbacks.swap(callbacks_);
    cancelling_thread_ = std::this_thread::get_id();
  }
  for (auto& [key, callback] : callbacks) callback();  // in registration order
  MutexLock lock(&mu_);
  cancelling_thread_ = std::thread::id();
}

CancellationToken::CallbackKey CancellationToken::RegisterCallback(
    absl::AnyInvocable<void()> callback) {
  MutexLock lock(&mu_);
  if (cancelled_.load(std::memory_order_relaxed)) return kAlreadyCancelled;
  const CallbackKey key = next_key_++;
  callbacks_.emplace(key, std::move(callback));
  return key;
}

bool CancellationToken::DeregisterCallback(CallbackKey key) {
  {
    MutexLock lock(&mu_);
    if (callbacks_.erase(key) > 0) return true;
    if (!cancelled_.load(std::memory_order_relaxed)) return false;  // unknown key
    if (cancelling_thread_ == std::this_thread::get_id()) return false;  // called from a callback
  }
  // See Note [Deregistering while a callback runs].
  MutexLock run(&run_mu_);
  return false;
}

}  // namespace graphrt
