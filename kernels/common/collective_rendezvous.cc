#include "kernels/common/collective_rendezvous.h"

#include <algorithm>
#include <condition_variable>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {

// Note [In-process collectives]
// Rationale: logical devices of one process share memory, so a collective
// needs no transport: the participants' kernels meet, read each other's
// inputs and write each other's outputs. What matters is that (a) the work
// is split so every participant's thread does 1/N of it (a reduction over
// N * bytes is memory-bound; one thread doing it all would leave the others
// idle), (b) results are bitwise identical on every participant and do not
// depend on arrival order (mirrored replicas must stay identical), and (c) a
// missing peer never hangs the step.
// Approach: an instance per Key collects the participants' buffer pointers
// under a lock. When the last one arrives, each participant, on its own
// thread, gets a rank (its place in label order) and runs `work`: the
// all-reduce kernel reduces slice `rank` in rank order and writes it into
// every output (reduce-scatter and all-gather in one pass over shared
// memory). A second barrier keeps every participant in Run until all have
// finished, since the others read its input and write its output. Waiting
// for arrival honours a timeout and the step's CancellationToken (a callback
// wakes the waiter); a participant that gives up removes itself under the
// lock first, so nobody touches its buffers afterwards.
// Limitations: the departure barrier is not interruptible (it waits only for
// peers that are already computing). Participants block a thread each: N
// participants of one step need N threads able to run at once, which the
// logical CPU devices give (each has its own inter-op arena). The map is
// process-wide but keyed by session, so it holds nothing between steps.

struct CollectiveRendezvous::Instance {
  Instance(std::string op_name, int size) : op(std::move(op_name)), group_size(size) {}
  const std::string op;
  const int group_size;
  Mutex mu;
  std::vector<const Participant*> arrived ABSL_GUARDED_BY(mu);
  bool complete ABSL_GUARDED_BY(mu) = false;
  int finished ABSL_GUARDED_BY(mu) = 0;
  // Waited on with mu held; notified with mu held, so no wake-up is lost.
  std::condition_variable_any cv;
};

namespace {

// graphrt::Mutex as the BasicLockable std::condition_variable_any takes.
class CvLock {
 public:
  explicit CvLock(Mutex& mu) : mu_(mu) {}
  void lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

 private:
  Mutex& mu_;
};

std::string Describe(const CollectiveRendezvous::Key& key, absl::string_view op) {
  return absl::StrCat(op, " group_key ", key.group_key, " instance_key ", key.instance_key,
                      " (step ", key.step_id, ")");
}

std::vector<std::string> Labels(const std::vector<const CollectiveRendezvous::Participant*>& ps) {
  std::vector<std::string> out;
  for (const auto* p : ps) out.push_back(p->label);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

CollectiveRendezvous& CollectiveRendezvous::Default() {
  static auto* rendezvous = new CollectiveRendezvous();  // never destroyed: kernels may run at exit
  return *rendezvous;
}

int CollectiveRendezvous::pending_instances() const {
  MutexLock lock(&mu_);
  return static_cast<int>(pending_.size());
}

absl::Status CollectiveRendezvous::Run(const Key& key, absl::string_view op, int group_size,
                                       Participant self, const WaitOptions& wait, Work work) {
  if (group_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        Describe(key, op), ": group_size is ", group_size, "; it must be at least 1"));
  }
  if (group_size == 1) {
    const Participant* only = &self;
    work(0, std::span<const Participant* const>(&only, 1));
    return absl::OkStatus();
  }
  std::shared_ptr<Instance> inst;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<Instance>& slot = pending_[key];
    if (slot == nullptr) slot = std::make_shared<Instance>(std::string(op), group_size);
    inst = slot;
    MutexLock ilock(&inst->mu);
    if (inst->op != op || inst->group_size != group_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(key, op), " with group_size ", group_size, " from ", self.label,
          " meets a ", inst->op, " with group_size ", inst->group_size, " from ",
          absl::StrJoin(Labels(inst->arrived), ", "),
          "; every participant of one instance must run the same collective with the same "
          "group_size: give different collectives different instance_keys"));
    }
    for (const Participant* p : inst->arrived) {
      if (p->label == self.label) {
        return absl::InvalidArgumentError(absl::StrCat(
            Describe(key, op), ": ", self.label, " joined twice; each participant of a group "
            "must be a different node (on its own device)"));
      }
    }
    inst->arrived.push_back(&self);
    if (static_cast<int>(inst->arrived.size()) == group_size) {
      inst->complete = true;
      pending_.erase(key);
      inst->cv.notify_all();
    }
  }

  // Arrival: wait for the others, the timeout or the step's cancellation.
  Instance* raw = inst.get();
  CancellationToken::CallbackKey callback = CancellationToken::kAlreadyCancelled;
  bool cancelled = false;
  if (wait.cancellation != nullptr) {
    callback = wait.cancellation->RegisterCallback([raw] {
      MutexLock lock(&raw->mu);
      raw->cv.notify_all();
    });
    cancelled = callback == CancellationToken::kAlreadyCancelled;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  bool complete;
  {
    MutexLock ilock(&inst->mu);
    CvLock cv_lock(inst->mu);
    while (!inst->complete && !cancelled) {
      if (wait.cancellation != nullptr && wait.cancellation->cancelled()) break;
      if (inst->cv.wait_until(cv_lock, deadline) == std::cv_status::timeout) break;
    }
    complete = inst->complete;
  }
  if (wait.cancellation != nullptr && callback != CancellationToken::kAlreadyCancelled) {
    wait.cancellation->DeregisterCallback(callback);  // outside inst->mu: the callback takes it
  }
  if (!complete) {
    // Leave, unless the last participant arrived meanwhile.
    MutexLock lock(&mu_);
    MutexLock ilock(&inst->mu);
    if (!inst->complete) {
      std::erase(inst->arrived, &self);
      const std::vector<std::string> others = Labels(inst->arrived);
      if (inst->arrived.empty()) {
        auto it = pending_.find(key);
        if (it != pending_.end() && it->second == inst) pending_.erase(it);
      }
      const int missing = group_size - 1 - static_cast<int>(others.size());
      const std::string who = absl::StrCat(
          "; arrived: ", self.label, others.empty() ? "" : ", ", absl::StrJoin(others, ", "),
          "; ", missing, " of ", group_size, " participants never arrived");
      if (wait.cancellation != nullptr && wait.cancellation->cancelled()) {
        return absl::CancelledError(absl::StrCat(
            Describe(key, op), ": the step was stopped while waiting for its peers", who));
      }
      return absl::DeadlineExceededError(absl::StrCat(
          Describe(key, op), ": waited ", wait.timeout.count(), " ms for ", group_size,
          " participants", who, ". Every participant must run in the same step with the same "
          "group_key, instance_key and group_size; if a peer is only slow, raise the op's "
          "timeout_seconds"));
    }
  }

  // Work, then departure: stay until every participant has finished with
  // the others' buffers (Note [In-process collectives]).
  std::vector<const Participant*> all;
  {
    MutexLock ilock(&inst->mu);
    all = inst->arrived;
  }
  std::sort(all.begin(), all.end(),
            [](const Participant* a, const Participant* b) { return a->label < b->label; });
  const int rank = static_cast<int>(std::find(all.begin(), all.end(), &self) - all.begin());
  work(rank, all);
  MutexLock ilock(&inst->mu);
  CvLock cv_lock(inst->mu);
  if (++inst->finished == group_size) inst->cv.notify_all();
  while (inst->finished < group_size) inst->cv.wait(cv_lock);
  return absl::OkStatus();
}

}  // namespace graphrt
