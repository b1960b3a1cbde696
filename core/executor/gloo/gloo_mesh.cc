// GlooMesh (gloo_mesh.h): joining a cluster through Gloo's FileStore and
// connecting the full mesh.
//
// Note [Joining]
// Rationale: Gloo's connectFullMesh waits for every rank's address key and,
// on timeout, says only that a key is missing. A task that never started
// should be named ("/job:worker/task:1 did not join"). Approach: each task
// first writes "join/<rank>" (its host name and pid) into the rendezvous
// directory, then polls for every other task's key until the timeout, then
// connects the mesh under the prefix "mesh" (gloo::rendezvous::PrefixStore).
// The announced pids let a survivor of a failed collective say which peer
// process has exited when it ran on the same host. A directory that already
// holds this rank's key is a previous run's: refused, since its stale
// addresses would connect to nobody.
// Limitations: the directory must be fresh for each run (scripts/launch-workers
// makes one); across machines it must be on a shared file system.
#include "core/executor/gloo/gloo_mesh.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gloo/common/error.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace graphrt {
namespace {

// FileStore with its key check made public (Note [Joining]).
class RendezvousStore final : public gloo::rendezvous::FileStore {
 public:
  using FileStore::FileStore;
  bool Has(const std::string& key) { return check({key}); }
};

std::string JoinKey(int rank) { return absl::StrCat("join_", rank); }

std::string Seconds(std::chrono::milliseconds ms) {
  return absl::StrCat(static_cast<double>(ms.count()) / 1000.0, " s");
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "?";
  return buf;
}

}  // namespace

absl::Status GlooMesh::Connect() {
  const int n = spec_.num_tasks(), me = spec_.rank();
  const std::string& dir = spec_.rendezvous;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cluster rendezvous: cannot make the directory '", dir, "': ", ec.message(),
        "; set \"rendezvous\" in GRAPHRT_CONFIG to a directory every task can write"));
  }
  try {
    RendezvousStore store(dir);
    if (store.Has(JoinKey(me))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cluster rendezvous: '", dir, "' already holds ", spec_.task_name(me),
          "'s key from an earlier run; give every run a fresh, empty directory "
          "(scripts/launch-workers does) or empty this one"));
    }
    const std::string self = absl::StrCat(HostName(), "\n", getpid());
    store.set(JoinKey(me), std::vector<char>(self.begin(), self.end()));

    // Wait for everyone, then name who is missing.
    const auto deadline = std::chrono::steady_clock::now() + spec_.timeout;
    std::vector<int> missing;
    while (true) {
      missing.clear();
      for (int r = 0; r < n; ++r) {
        if (r != me && !store.Has(JoinKey(r))) missing.push_back(r);
      }
      if (missing.empty() || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!missing.empty()) {
      std::vector<std::string> absent, joined;
      for (int r = 0; r < n; ++r) {
        const bool gone = std::find(missing.begin(), missing.end(), r) != missing.end();
        (gone ? absent : joined).push_back(spec_.task_name(r));
      }
      return absl::DeadlineExceededError(absl::StrCat(
          "cluster rendezvous in '", dir, "': ", absl::StrJoin(absent, ", "),
          " did not join within ", Seconds(spec_.timeout),
          " (joined: ", absl::StrJoin(joined, ", "), "). Start every task with the same "
          "GRAPHRT_CONFIG cluster and rendezvous directory, or raise timeout_seconds"));
    }
    hostnames_.assign(n, "");
    pids_.assign(n, 0);
    for (int r = 0; r < n; ++r) {
      std::vector<char> v = store.get(JoinKey(r));
      std::vector<std::string> parts = absl::StrSplit(std::string(v.begin(), v.end()), '\n');
      hostnames_[r] = parts[0];
      if (parts.size() > 1) (void)absl::SimpleAtoi(parts[1], &pids_[r]);
    }

    gloo::transport::tcp::attr attr;
    attr.hostname = spec_.host(me);
    std::shared_ptr<gloo::transport::Device> device = gloo::transport::tcp::CreateDevice(attr);
    gloo::rendezvous::PrefixStore mesh_store("mesh", store);
    auto context = std::make_shared<gloo::rendezvous::Context>(me, n);
    context->setTimeout(spec_.timeout);
    context->connectFullMesh(mesh_store, device);
    context_ = std::move(context);
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat(
        "cluster: ", spec_.task_name(me), " could not connect to the other ", n - 1,
        " task(s) through '", dir, "' within ", Seconds(spec_.timeout), ": Gloo says: ",
        e.what()));
  }
}

std::string GlooMesh::DescribeLostPeers() const {
  const int me = spec_.rank();
  std::vector<std::string> exited, others;
  for (int r = 0; r < spec_.num_tasks(); ++r) {
    if (r == me) continue;
    const bool local = r < static_cast<int>(hostnames_.size()) && hostnames_[r] == hostnames_[me];
    if (local && pids_[r] > 0 && kill(static_cast<pid_t>(pids_[r]), 0) != 0 && errno == ESRCH) {
      exited.push_back(absl::StrCat(spec_.task_name(r), " (process ", pids_[r], " on ",
                                    hostnames_[r], " has exited)"));
    } else {
      others.push_back(spec_.task_name(r));
    }
  }
  if (!exited.empty()) return absl::StrCat("lost ", absl::StrJoin(exited, ", "));
  return absl::StrCat("no peer is known to have exited; the task(s) that failed or did not "
                      "take part in time are among: ", absl::StrJoin(others, ", "));
}

}  // namespace graphrt
