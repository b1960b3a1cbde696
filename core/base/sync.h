// Mutex, MutexLock and ThreadSanitizer hand-off annotations.
//
// Why not absl::Mutex: Debian's Abseil is not built with ThreadSanitizer, so
// its Mutex (a futex inside the library) is invisible to TSan and every
// access it guards is reported as a race. This Mutex wraps std::mutex, whose
// pthread calls TSan intercepts, and carries the same thread-safety
// annotations (ABSL_GUARDED_BY works with it).
//
// oneTBB, also uninstrumented, hands work between threads through its own
// queues; TsanRelease/TsanAcquire state those hand-offs to TSan (spawn
// happens-before the task runs; a task's end happens-before the wait that
// joins it). They compile to nothing outside TSan builds.
//
// Thread-safety: Mutex is what makes other things thread-safe.
#ifndef GRAPHRT_CORE_BASE_SYNC_H_
#define GRAPHRT_CORE_BASE_SYNC_H_

#include <mutex>

#include "absl/base/thread_annotations.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace graphrt {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) { return mu_.try_lock(); }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

// Everything this thread did before TsanRelease(addr) happens-before what a
// thread does after a later TsanAcquire(addr).
inline void TsanRelease(const void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}
inline void TsanAcquire(const void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

}  // namespace graphrt

#endif  // GRAPHRT_CORE_BASE_SYNC_H_
