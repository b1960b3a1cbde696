// The in-process collectives on logical CPU devices (core/graph/ops/
// collective_ops.h): CollectiveReduceV2, CollectiveBcastSendV2/RecvV2 and
// CollectiveGatherV2. Each participant's kernel joins the process's
// CollectiveRendezvous (kernels/common/collective_rendezvous.h) under
// (session, group_key, instance_key, step) and, once all have arrived, does
// its share of the work on its own thread; see Note [In-process
// collectives] there.
//
// With communication_hint "cluster" (or "gloo") a collective runs between
// the processes of a cluster instead, one participant per process, through
// the CollectiveCommunicator the runtime attached to the CPU device
// (core/executor/collective_communicator.h); see docs/collectives.md.
//
// Errors: INVALID_ARGUMENT for keys that are not int32 scalars, an unknown
// merge_op/final_op, or participants that disagree (dtype, shape, kind,
// group_size, no or several broadcast senders), each naming the
// participants; DEADLINE_EXCEEDED / CANCELLED when peers do not arrive.
// Thread-safety: Compute is thread-safe (the kernels keep only attrs).
#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/collective_communicator.h"
#include "core/executor/device.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/collective_call.h"
#include "kernels/common/collective_rendezvous.h"
#include "kernels/common/collective_work.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

using Participants = CollectiveParticipants;

// The attrs and inputs every collective reads.
class CollectiveKernel : public OpKernel {
 public:
  explicit CollectiveKernel(const OpKernelConstruction& c) : OpKernel(c) {
    timeout_seconds_ = c.attr<float>("timeout_seconds").value_or(0.0f);
    const std::string hint = c.attr<std::string>("communication_hint").value_or("auto");
    cluster_ = hint == "cluster" || hint == "gloo";
  }

 protected:
  using Call = RendezvousCall;

  // Reads group_size, group_key and instance_key from inputs first..first+2.
  absl::StatusOr<Call> Prepare(OpKernelContext& ctx, int first) const {
    std::array<int32_t, 3> keys;
    for (int i = 0; i < 3; ++i) {
      const Tensor& t = ctx.input(first + i);
      RETURN_IF_ERROR(CheckCollectiveKey(*this, t, first + i));
      keys[i] = t.data<int32_t>()[0];
    }
    return MakeCollectiveCall(*this, ctx, keys, timeout_seconds_,
                              ctx.device() != nullptr ? ctx.device()->name() : "?");
  }

  // The cluster communicator for a "cluster" collective, checked against
  // the group size (one participant per task).
  absl::StatusOr<CollectiveCommunicator*> Cluster(OpKernelContext& ctx, const Call& call) const {
    CollectiveCommunicator* comm = FindCollectiveCommunicator(ctx.device());
    if (comm == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          op(), " '", name(), "' has communication_hint 'cluster' but its device ",
          ctx.device() != nullptr ? ctx.device()->name() : std::string("(none)"),
          " has no cluster communicator: make the session's runtime with "
          "RuntimeOptions::communicator = CreateGlooCommunicator(spec) "
          "(docs/collectives.md), or use communication_hint 'auto' within one process"));
    }
    if (call.group_size != comm->num_tasks()) {
      return absl::InvalidArgumentError(absl::StrCat(
          op(), " '", name(), "': group_size is ", call.group_size, " but the cluster has ",
          comm->num_tasks(), " tasks; across processes a group has one participant per task "
          "(several participants in one process are not supported yet: reduce them with an "
          "'auto' collective first)"));
    }
    return comm;
  }
  CollectiveCall ClusterCall(const Call& call) const {
    CollectiveCall c{op(), name(), call.key.group_key, call.key.instance_key, {}};
    if (timeout_seconds_ > 0) c.timeout = call.wait.timeout;
    return c;
  }

  float timeout_seconds_ = 0.0f;
  bool cluster_ = false;
};

// All-reduce: Note [All-reduce slices] (kernels/common/collective_work.h).
template <typename T>
class CollectiveReduceOp final : public CollectiveKernel {
 public:
  using CollectiveKernel::CollectiveKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(std::string merge, c.attr<std::string>("merge_op"));
    ASSIGN_OR_RETURN(std::string final_op, c.attr<std::string>("final_op"));
    if (merge != "Add" && merge != "Max") {
      return absl::InvalidArgumentError(absl::StrCat(
          "CollectiveReduceV2 '", name(), "': merge_op '", merge, "' is not supported; use "
          "Add or Max"));
    }
    if (final_op != "Id" && final_op != "Div") {
      return absl::InvalidArgumentError(absl::StrCat(
          "CollectiveReduceV2 '", name(), "': final_op '", final_op, "' is not supported; use "
          "Id or Div"));
    }
    max_ = merge == "Max";
    div_ = final_op == "Div";
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, 1));
    const Tensor& x = ctx.input(0);
    if (cluster_) {
      // In place when nobody else holds x's buffer (a gradient usually).
      ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, x.shape()));
      return ComputeCluster(ctx, call, x, *out);
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
    absl::Status status;
    RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
        call.key, op(), call.group_size, {call.label, &x, out}, call.wait,
        [&](int rank, Participants all) {
          status = CheckCollectiveInputs(x, all, "an all-reduce needs one dtype and shape",
                                         false);
          if (!status.ok()) return;
          AllReduceShare<T>(rank, all, max_, div_, [&](int64_t n, int64_t cost, auto fn) {
            ctx.ParallelFor(n, cost, fn);
          });
        }));
    return status;
  }

 private:
  absl::Status ComputeCluster(OpKernelContext& ctx, const Call& call, const Tensor& x,
                              Tensor& out) const {
    ASSIGN_OR_RETURN(CollectiveCommunicator * comm, Cluster(ctx, call));
    if (x.TotalBytes() > 0 && out.raw_data() != x.raw_data()) {
      std::memcpy(out.raw_data(), x.raw_data(), x.TotalBytes());
    }
    RETURN_IF_ERROR(comm->AllReduce(ClusterCall(call), out,
                                    max_ ? CollectiveCommunicator::Reduction::kMax
                                         : CollectiveCommunicator::Reduction::kSum));
    if (div_) {
      const T size = static_cast<T>(call.group_size);
      T* o = out.data<T>();
      ctx.ParallelFor(out.num_elements(), 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) o[i] /= size;
      });
    }
    return absl::OkStatus();
  }

  bool max_ = false;
  bool div_ = false;
};

// Broadcast: the sender joins with its input, receivers with their output;
// each receiver copies the sender's tensor into its own output.
class CollectiveBcastOp final : public CollectiveKernel {
 public:
  explicit CollectiveBcastOp(const OpKernelConstruction& c)
      : CollectiveKernel(c), send_(c.node().op() == "CollectiveBcastSendV2") {
    if (!send_) shape_ = c.attr<PartialShape>("shape").value_or(PartialShape());
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, send_ ? 1 : 0));
    const Tensor* x = nullptr;
    Tensor* out = nullptr;
    RETURN_IF_ERROR(BroadcastTensors(ctx, send_, shape_, &x, &out));
    if (cluster_) {
      ASSIGN_OR_RETURN(CollectiveCommunicator * comm, Cluster(ctx, call));
      return comm->Broadcast(ClusterCall(call), x, out);
    }
    absl::Status status;
    RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
        call.key, "CollectiveBcastV2", call.group_size, {call.label, x, out}, call.wait,
        [&](int rank, Participants all) { status = BroadcastShare(rank, all); }));
    return status;
  }

 private:
  const bool send_;
  PartialShape shape_;
};

// All-gather: each participant allocates its output once it sees every
// first dimension, then copies every input into it in rank order.
class CollectiveGatherOp final : public CollectiveKernel {
 public:
  using CollectiveKernel::CollectiveKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, 1));
    const Tensor& x = ctx.input(0);
    if (x.shape().rank() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CollectiveGatherV2 '", name(), "' needs an input of rank >= 1; got a scalar "
          "(reshape it to [1])"));
    }
    if (cluster_) {
      ASSIGN_OR_RETURN(CollectiveCommunicator * comm, Cluster(ctx, call));
      std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
      return comm->AllGather(ClusterCall(call), x, [&](int64_t first) {
        dims[0] = first;
        return ctx.allocate_output(0, TensorShape(std::span<const int64_t>(dims)));
      });
    }
    absl::Status status;
    RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
        call.key, op(), call.group_size, {call.label, &x, nullptr}, call.wait,
        [&](int, Participants all) {
          status = CheckCollectiveInputs(x, all, "an all-gather needs one dtype and equal "
                                         "dimensions after the first", true);
          if (!status.ok()) return;
          absl::StatusOr<Tensor*> out = ctx.allocate_output(0, AllGatherShape(x, all));
          if (!out.ok()) {
            status = out.status();
            return;
          }
          AllGatherInto(all, (*out)->raw_data());
        }));
    return status;
  }
};

}  // namespace

void RegisterCollectiveKernels(KernelRegistry& r) {
  RegisterCollectiveTypes<CollectiveReduceOp>(r, "CollectiveReduceV2", kDeviceCpu);
  for (const char* op : {"CollectiveBcastSendV2", "CollectiveBcastRecvV2"}) {
    r.Register<CollectiveBcastOp>(op, kDeviceCpu);
  }
  r.Register<CollectiveGatherOp>("CollectiveGatherV2", kDeviceCpu);
}

}  // namespace graphrt
