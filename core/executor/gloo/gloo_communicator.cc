// GlooCommunicator: CollectiveCommunicator on Gloo (gloo_communicator.h).
//
// Note [Gloo failures]
// Rationale: Gloo reports a peer that died (connection closed or reset), a
// peer that never answered (a timed-out recv) and misuse (EnforceNotMet) by
// throwing C++ exceptions; graphrt speaks absl::Status and must not let an
// exception cross a module boundary. Approach: every Gloo call runs inside
// Guarded(), which turns gloo::IoException into DEADLINE_EXCEEDED ("Timed
// out") or UNAVAILABLE, anything else into INTERNAL, each naming this task,
// the collective (op, node, keys) and the lost peers (GlooMesh::
// DescribeLostPeers). A Gloo context that threw is in an unknown state (a
// half-done ring, buffers still registered with the transport), so the
// first failure is kept and every later call returns FAILED_PRECONDITION
// quoting it: restart the job. Every Gloo operation has the call's timeout,
// so no call blocks longer than that.
// A peer that dies can also surface as a write to its closed socket: Gloo's
// TCP transport writes without MSG_NOSIGNAL, so SIGPIPE would kill this
// process instead. CreateGlooCommunicator therefore sets SIGPIPE to ignored
// when it is still at its default (a program with its own handler keeps it);
// the write then fails with EPIPE and Gloo throws, as for a read.
// Limitations: a call is not woken by the step's cancellation, only by its
// timeout. Disagreements found by the header exchange (ExchangeHeaders) are
// INVALID_ARGUMENT and leave the mesh usable: every task sees the same
// headers and leaves the call together.
#include "core/executor/gloo/gloo_communicator.h"

#include <signal.h>

#include <array>
#include <cstring>
#include <mutex>

#include <gloo/allgather.h>
#include <gloo/allgatherv.h>
#include <gloo/allreduce.h>
#include <gloo/broadcast.h>
#include <gloo/common/error.h>
#include <gloo/math.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/sync.h"
#include "core/executor/gloo/gloo_mesh.h"

namespace graphrt {
namespace {

// What each task says about a call before it runs (ExchangeHeaders).
enum Field { kKind, kDtype, kGroupKey, kInstanceKey, kSends, kRank, kDims, kHeaderSize = kDims + 8 };
enum Kind : int64_t { kAllReduceSum = 1, kAllReduceMax, kBroadcast, kAllGather };
using Header = std::array<int64_t, kHeaderSize>;

class GlooCommunicator final : public CollectiveCommunicator {
 public:
  explicit GlooCommunicator(const ClusterSpec& spec) : mesh_(spec) {}

  int num_tasks() const override { return mesh_.spec().num_tasks(); }
  int rank() const override { return mesh_.spec().rank(); }
  std::string task_name(int r) const override { return mesh_.spec().task_name(r); }

  absl::Status Connect() override {
    MutexLock lock(&mu_);
    return ConnectLocked();
  }

  absl::Status AllReduce(const CollectiveCall& call, Tensor& data, Reduction red) override {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(Ready(call));
    if (data.dtype() != DataType::kFloat32 && data.dtype() != DataType::kInt32 &&
        data.dtype() != DataType::kInt64) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(call), ": all-reduce takes float32, int32 or int64, not ",
          DataTypeName(data.dtype())));
    }
    const Kind kind = red == Reduction::kMax ? kAllReduceMax : kAllReduceSum;
    ASSIGN_OR_RETURN(std::vector<Header> all, ExchangeHeaders(call, kind, data, false));
    RETURN_IF_ERROR(SameShapes(call, all, false));
    if (data.num_elements() == 0) return absl::OkStatus();
    return Guarded(call, [&] {
      gloo::AllreduceOptions opts(mesh_.context());
      opts.setAlgorithm(gloo::AllreduceOptions::Algorithm::RING);
      opts.setTag(NextTag());
      opts.setTimeout(Timeout(call));
      const size_t n = static_cast<size_t>(data.num_elements());
      switch (data.dtype()) {
        case DataType::kFloat32: Setup<float>(opts, data, n, red); break;
        case DataType::kInt32: Setup<int32_t>(opts, data, n, red); break;
        default: Setup<int64_t>(opts, data, n, red); break;
      }
      gloo::allreduce(opts);
    });
  }

  absl::Status Broadcast(const CollectiveCall& call, const Tensor* send, Tensor* recv) override {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(Ready(call));
    const Tensor& mine = send != nullptr ? *send : *recv;
    ASSIGN_OR_RETURN(std::vector<Header> all, ExchangeHeaders(call, kBroadcast, mine,
                                                              send != nullptr));
    int root = -1;
    for (int r = 0; r < num_tasks(); ++r) {
      if (all[r][kSends] == 0) continue;
      if (root >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            Describe(call), ": a broadcast has one sender; ", task_name(root), " and ",
            task_name(r), " both send"));
      }
      root = r;
    }
    if (root < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(call), ": a broadcast needs one CollectiveBcastSendV2; every task receives"));
    }
    RETURN_IF_ERROR(SameShapes(call, all, false));
    const size_t bytes = mine.TotalBytes();
    if (bytes == 0) return absl::OkStatus();
    return Guarded(call, [&] {
      gloo::BroadcastOptions opts(mesh_.context());
      char* buf = send != nullptr ? static_cast<char*>(const_cast<void*>(send->raw_data()))
                                  : static_cast<char*>(recv->raw_data());
      opts.setOutput(buf, bytes);
      opts.setRoot(root);
      opts.setTag(NextTag());
      opts.setTimeout(Timeout(call));
      gloo::broadcast(opts);
    });
  }

  absl::Status AllGather(
      const CollectiveCall& call, const Tensor& input,
      absl::FunctionRef<absl::StatusOr<Tensor*>(int64_t first_dim)> allocate) override {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(Ready(call));
    ASSIGN_OR_RETURN(std::vector<Header> all, ExchangeHeaders(call, kAllGather, input, false));
    RETURN_IF_ERROR(SameShapes(call, all, true));
    int64_t total = 0;
    for (const Header& h : all) total += h[kDims];
    ASSIGN_OR_RETURN(Tensor * out, allocate(total));
    const int64_t row_bytes =
        input.shape().dim(0) > 0 ? static_cast<int64_t>(input.TotalBytes()) / input.shape().dim(0)
        : total > 0 ? static_cast<int64_t>(out->TotalBytes()) / total : 0;
    if (total == 0 || row_bytes == 0) return absl::OkStatus();
    std::vector<size_t> bytes;
    for (const Header& h : all) bytes.push_back(static_cast<size_t>(h[kDims] * row_bytes));
    return Guarded(call, [&] {
      gloo::AllgathervOptions opts(mesh_.context());
      char empty = 0;  // Gloo wants a buffer even for no bytes
      char* in = input.TotalBytes() > 0
                     ? static_cast<char*>(const_cast<void*>(input.raw_data())) : &empty;
      opts.setInput(in, input.TotalBytes());
      opts.setOutput(static_cast<char*>(out->raw_data()), bytes);
      opts.setTag(NextTag());
      opts.setTimeout(Timeout(call));
      gloo::allgatherv(opts);
    });
  }

 private:
  template <typename T>
  static void Setup(gloo::AllreduceOptions& opts, Tensor& data, size_t n, Reduction red) {
    opts.setOutput(data.data<T>(), n);
    using Fn = void (*)(void*, const void*, const void*, size_t);
    Fn fn = red == Reduction::kMax ? static_cast<Fn>(&gloo::max<T>)
                                   : static_cast<Fn>(&gloo::sum<T>);
    opts.setReduceFunction(fn);
  }

  std::chrono::milliseconds Timeout(const CollectiveCall& call) const {
    return call.timeout.count() > 0 ? call.timeout : mesh_.spec().timeout;
  }
  uint32_t NextTag() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return next_tag_++; }

  std::string Describe(const CollectiveCall& call) const {
    return absl::StrCat(call.op, " '", call.node, "' (group_key ", call.group_key,
                        ", instance_key ", call.instance_key, ") on ", task_name(rank()));
  }

  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!connected_ && failed_.ok()) {
      absl::Status st = mesh_.Connect();
      if (st.ok()) {
        connected_ = true;
      } else {
        failed_ = st;
        return st;
      }
    }
    return connected_ ? absl::OkStatus() : failed_;
  }

  // Connected and not broken (Note [Gloo failures]).
  absl::Status Ready(const CollectiveCall& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!failed_.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          Describe(call), ": the cluster communicator failed earlier and cannot run "
          "collectives any more (", failed_.message(), "); restart every task"));
    }
    RETURN_IF_ERROR(ConnectLocked());
    return absl::OkStatus();
  }

  // Runs `fn` (Gloo calls), catching what Gloo throws (Note [Gloo failures]).
  template <typename F>
  absl::Status Guarded(const CollectiveCall& call, F&& fn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Status st;
    try {
      fn();
      return absl::OkStatus();
    } catch (const gloo::IoException& e) {
      const std::string what = e.what();
      const bool timed_out = what.find("Timed out") != std::string::npos ||
                             what.find("imeout") != std::string::npos;
      const std::string msg = absl::StrCat(
          Describe(call), ": ", timed_out ? "timed out after " : "failed: ",
          timed_out ? absl::StrCat(Timeout(call).count(), " ms; ") : std::string(),
          mesh_.DescribeLostPeers(), " (Gloo: ", what, ")");
      st = timed_out ? absl::DeadlineExceededError(msg) : absl::UnavailableError(msg);
    } catch (const std::exception& e) {
      st = absl::InternalError(absl::StrCat(Describe(call), ": Gloo failed: ", e.what(), "; ",
                                            mesh_.DescribeLostPeers()));
    }
    failed_ = st;
    return st;
  }

  // Every task's header for this call (Note [Gloo failures]: disagreements
  // are found here, before data moves).
  absl::StatusOr<std::vector<Header>> ExchangeHeaders(const CollectiveCall& call, Kind kind,
                                                      const Tensor& t, bool sends)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (t.shape().rank() > 8) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(call), ": tensors of rank ", t.shape().rank(), " are not supported across "
          "processes (at most 8); reshape it"));
    }
    Header mine{};
    mine[kKind] = kind;
    mine[kDtype] = static_cast<int64_t>(t.dtype());
    mine[kGroupKey] = call.group_key;
    mine[kInstanceKey] = call.instance_key;
    mine[kSends] = sends ? 1 : 0;
    mine[kRank] = t.shape().rank();
    for (int d = 0; d < t.shape().rank(); ++d) mine[kDims + d] = t.shape().dim(d);
    std::vector<Header> all(num_tasks());
    RETURN_IF_ERROR(Guarded(call, [&] {
      gloo::AllgatherOptions opts(mesh_.context());
      opts.setInput(mine.data(), mine.size());
      opts.setOutput(all[0].data(), mine.size() * all.size());
      opts.setTag(NextTag());
      opts.setTimeout(Timeout(call));
      gloo::allgather(opts);
    }));
    for (int r = 0; r < num_tasks(); ++r) {
      const Header& h = all[r];
      if (h[kKind] != kind || h[kGroupKey] != call.group_key ||
          h[kInstanceKey] != call.instance_key) {
        return absl::InvalidArgumentError(absl::StrCat(
            Describe(call), " met ", task_name(r), " running another collective (",
            KindName(h[kKind]), ", group_key ", h[kGroupKey], ", instance_key ",
            h[kInstanceKey], "): every task must run the same collectives in the same order "
            "(chain them with control dependencies)"));
      }
    }
    return all;
  }

  static const char* KindName(int64_t kind) {
    switch (kind) {
      case kAllReduceSum: return "all-reduce sum/mean";
      case kAllReduceMax: return "all-reduce max";
      case kBroadcast: return "broadcast";
      case kAllGather: return "all-gather";
    }
    return "?";
  }

  std::string ShapeOf(const Header& h) const {
    std::string s = absl::StrCat(DataTypeName(static_cast<DataType>(h[kDtype])), "[");
    for (int d = 0; d < h[kRank]; ++d) absl::StrAppend(&s, d ? "," : "", h[kDims + d]);
    return s + "]";
  }

  // One dtype and shape everywhere (all dims but the first for a gather).
  absl::Status SameShapes(const CollectiveCall& call, const std::vector<Header>& all,
                          bool except_first) const {
    const Header& a = all[rank()];
    for (int r = 0; r < num_tasks(); ++r) {
      const Header& b = all[r];
      bool same = a[kDtype] == b[kDtype] && a[kRank] == b[kRank];
      for (int d = except_first ? 1 : 0; same && d < a[kRank]; ++d) {
        same = a[kDims + d] == b[kDims + d];
      }
      if (!same) {
        return absl::InvalidArgumentError(absl::StrCat(
            Describe(call), ": ", task_name(rank()), " has ", ShapeOf(a), " but ",
            task_name(r), " has ", ShapeOf(b), "; ",
            except_first ? "an all-gather needs one dtype and equal dimensions after the first"
                         : "every task needs one dtype and shape"));
      }
    }
    if (except_first && a[kRank] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Describe(call), ": an all-gather needs inputs of rank >= 1"));
    }
    return absl::OkStatus();
  }

  GlooMesh mesh_;
  Mutex mu_;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  uint32_t next_tag_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace

absl::StatusOr<std::shared_ptr<CollectiveCommunicator>> CreateGlooCommunicator(
    const ClusterSpec& spec) {
  if (spec.num_tasks() < 1 || spec.rank() < 0 || spec.rank() >= spec.num_tasks()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CreateGlooCommunicator: task ", spec.task_type, ":", spec.task_index,
        " is not in the cluster (", spec.num_tasks(), " tasks); use ParseClusterSpec"));
  }
  if (spec.rendezvous.empty()) {
    return absl::InvalidArgumentError(
        "CreateGlooCommunicator: the spec has no rendezvous directory; use ParseClusterSpec");
  }
  // Note [Gloo failures]: a dead peer must not kill us through SIGPIPE.
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] {
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
  });
  return std::shared_ptr<CollectiveCommunicator>(std::make_shared<GlooCommunicator>(spec));
}

}  // namespace graphrt
