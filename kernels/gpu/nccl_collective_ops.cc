// The in-process collectives between logical GPU devices on NCCL
// (core/graph/ops/collective_ops.h): CollectiveReduceV2 (sum, mean, max),
// CollectiveBcastSendV2/RecvV2 and CollectiveGatherV2, for float32, int32
// and int64, with the CPU kernels' semantics (kernels/cpu/collective_ops.cc,
// docs/collectives.md): ranks are the participants' device names in sorted
// order, an integer mean truncates, an all-gather's first dims may differ.
// Built only with NCCL's header (cmake/graphrt_nccl.cmake).
//
// Note [NCCL collectives through the rendezvous]
// Rationale: the participants must meet, agree and give up exactly as on
// the CPU (same keys, same disagreement errors, same timeout and
// cancellation), and NCCL wants every rank's call, in one order per
// communicator (Note [NCCL communicators per device set]).
// Approach: each participant's kernel joins CollectiveRendezvous::Default()
// under the CPU kernels' key, with a collective name of its own ("... on
// GPUs", so a CPU and a GPU participant never read each other's buffers:
// they meet as a disagreement). In the rendezvous' `work`, every participant
// runs the same checks on the same data (dtypes, shapes, one sender, one
// physical GPU per rank), so all agree, and allocates its output if it
// could not before (all-gather). The last one to be ready launches the
// collective for every rank (LaunchNcclCollective, nccl_launch.h: one
// ncclGroupStart/End over the ranks' communicators, each rank on its own
// device's compute stream) and hands every participant the status before
// anyone leaves `work` (the rendezvous' departure barrier keeps them there).
// Back on its own thread, a participant finishes on its own stream (an
// integer mean's division). The host never waits for the GPUs: the
// collective is ordered after each rank's earlier kernels and before its
// later ones by stream order (Note [GPU stream order]).
// Limitations: a broadcast receiver whose dtype or shape differs from the
// sender's fails the whole group (NCCL needs every rank), where on the CPU
// only that receiver fails. Once launched, a collective runs to its end on
// the GPUs (a peer that never arrives is caught on the host first, by the
// rendezvous' timeout). Cross-process ("cluster") collectives on GPUs are
// refused when the kernel is made: place them on the CPU.
//
// The int32 keys (group_size, group_key, instance_key) reach a GPU kernel
// in device memory; when they are constants (ops::Collective* makes them
// so) they are read from the graph when the kernel is made, else copied to
// the host at each step (a host wait).
//
// Thread-safety: Compute is thread-safe (the kernels keep only attrs).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/device.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/collective_rendezvous.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/nccl_clique.h"
#include "kernels/gpu/nccl_kernels.h"
#include "kernels/gpu/nccl_launch.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

using Participant = CollectiveRendezvous::Participant;
using Participants = std::span<const Participant* const>;

// What a participant shows its peers (Participant::context).
struct GpuPart {
  CudaDevice* device = nullptr;
  OpKernelContext* ctx = nullptr;
  Tensor* output = nullptr;    // once allocated
  absl::Status prepared;       // its checks and allocation, in `work`
  std::atomic<int> ready{0};   // rank 0's only: participants prepared so far
  absl::Status launched;       // the launch's status, set by the launcher
};
using Parts = std::vector<GpuPart*>;

// The first participant whose input differs from `x` in dtype, or in shape
// (all dims, or all but the first when `except_first`); the CPU kernels'
// check and message.
absl::Status CheckInputs(const Tensor& x, Participants all, absl::string_view what,
                         bool except_first) {
  for (const auto* p : all) {
    const Tensor& y = *p->input;
    bool same = y.dtype() == x.dtype() && y.shape().rank() == x.shape().rank();
    for (int d = except_first ? 1 : 0; same && d < x.shape().rank(); ++d) {
      same = y.shape().dim(d) == x.shape().dim(d);
    }
    if (!same) {
      return absl::InvalidArgumentError(absl::StrCat(all[0]->label, " has ",
                                                     all[0]->input->ShapeString(), " but ",
                                                     p->label, " has ", y.ShapeString(), "; ",
                                                     what));
    }
  }
  return absl::OkStatus();
}

class NcclCollectiveKernel : public OpKernel {
 public:
  NcclCollectiveKernel(const OpKernelConstruction& c, int first_key)
      : OpKernel(c), first_key_(first_key) {
    timeout_seconds_ = c.attr<float>("timeout_seconds").value_or(0.0f);
    hint_ = c.attr<std::string>("communication_hint").value_or("auto");
    for (int i = 0; i < 3; ++i) {
      std::optional<Tensor> k = c.ConstantInput(first_key + i);
      if (!k.has_value() || k->dtype() != DataType::kInt32 || k->shape().rank() != 0) {
        constant_keys_ = false;
        break;
      }
      keys_[i] = k->data<int32_t>()[0];
    }
  }

  absl::Status Init(const OpKernelConstruction& c) const {
    if (hint_ != "cluster" && hint_ != "gloo") return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op(), " '", name(), "' has communication_hint '", hint_, "' but is placed on ",
        c.device() != nullptr ? c.device()->name() : std::string("a GPU"),
        ": collectives between processes run on the CPU (Gloo; NCCL across processes is "
        "not supported yet). Place it on the CPU (GraphBuilder::DeviceScope \"/cpu:0\"); "
        "its tensor is copied there and back"));
  }

 protected:
  struct Call {
    CollectiveRendezvous::Key key;
    int group_size = 1;
    CollectiveRendezvous::WaitOptions wait;
    std::string label;
    std::string where;  // names the node in launch errors
  };

  absl::StatusOr<Call> Prepare(OpKernelContext& ctx, CudaDevice& device) const {
    std::array<int32_t, 3> v = keys_;
    if (!constant_keys_) {
      for (int i = 0; i < 3; ++i) {
        const Tensor& t = ctx.input(first_key_ + i);
        if (t.dtype() != DataType::kInt32 || t.num_elements() != 1 || t.shape().rank() != 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              op(), " '", name(), "': group_size, group_key and instance_key must be int32 "
              "scalars; input ", first_key_ + i, " is ", t.ShapeString()));
        }
        RETURN_IF_ERROR(device.CopyToHost(t.raw_data(), &v[i], sizeof(int32_t)));
      }
    }
    Call call;
    call.group_size = v[0];
    call.key = {ctx.resources(), v[1], v[2], ctx.step_id()};
    if (timeout_seconds_ > 0) {
      call.wait.timeout = std::chrono::milliseconds(
          std::max<int64_t>(1, static_cast<int64_t>(timeout_seconds_ * 1000.0f)));
    }
    call.wait.cancellation = ctx.cancellation();
    call.label = absl::StrCat(device.name(), " (node '", name(), "')");
    call.where = absl::StrCat("node '", name(), "' (", op(), ") on ", device.name(),
                              ", launching for its group of ", call.group_size);
    return call;
  }

  // Joins the rendezvous and runs Note [NCCL collectives through the
  // rendezvous]: `check` (on every participant, in `work`) checks the group
  // and allocates what `me` still lacks; `plan` (on the launcher) says what
  // to launch, filling one NcclRank per participant.
  using Check = absl::FunctionRef<absl::Status(Participants all, GpuPart& me)>;
  using Plan = absl::FunctionRef<NcclCollectiveCall(Participants all, const Parts& parts,
                                                    std::vector<NcclRank>& ranks)>;
  absl::Status Meet(const Call& call, const char* kind, GpuPart& me, const Tensor* x,
                    Tensor* out, Check check, Plan plan) const {
    RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
        call.key, kind, call.group_size, {call.label, x, out, &me}, call.wait,
        [&](int, Participants all) {
          Parts parts;
          std::vector<std::string> names;
          std::vector<int> gpus;
          for (const Participant* p : all) {
            parts.push_back(static_cast<GpuPart*>(p->context));
            if (parts.back() == nullptr) {
              me.prepared = absl::InternalError(absl::StrCat(
                  p->label, " joined a GPU collective without a GPU participant's state"));
              return;  // every participant sees it: nobody launches
            }
            names.push_back(parts.back()->device->name());
            gpus.push_back(parts.back()->device->physical_id());
          }
          me.prepared = CheckDistinctGpus(names, gpus);
          if (me.prepared.ok()) me.prepared = check(all, me);
          if (parts[0]->ready.fetch_add(1, std::memory_order_acq_rel) + 1 !=
              static_cast<int>(all.size())) {
            return;  // the last participant to be ready launches
          }
          absl::Status s;
          for (size_t i = 0; i < all.size() && s.ok(); ++i) {
            if (!parts[i]->prepared.ok()) {
              s = absl::Status(parts[i]->prepared.code(),
                               absl::StrCat("not launched: ", all[i]->label, " failed: ",
                                            parts[i]->prepared.message()));
            }
          }
          if (s.ok()) {
            std::vector<NcclRank> ranks;
            NcclCollectiveCall c = plan(all, parts, ranks);
            c.where = call.where;
            s = LaunchNcclCollective(c, ranks);
          }
          for (GpuPart* p : parts) p->launched = s;  // each is still in `work` or waiting
        }));
    RETURN_IF_ERROR(me.prepared);
    RETURN_IF_ERROR(me.launched);
    return me.device->Activate();  // the launcher may have left another device current
  }

 private:
  const int first_key_;
  float timeout_seconds_ = 0.0f;
  std::string hint_;
  bool constant_keys_ = true;
  std::array<int32_t, 3> keys_{};
};

// All-reduce: in place when nobody else holds x's buffer. Mean: ncclAvg
// for float32; ncclSum and a truncating division for integers (the CPU's
// rule; NCCL's integer average is not documented to truncate).
template <typename T>
class NcclReduceOp final : public NcclCollectiveKernel {
 public:
  explicit NcclReduceOp(const OpKernelConstruction& c) : NcclCollectiveKernel(c, 1) {}
  absl::Status Init(const OpKernelConstruction& c) {
    RETURN_IF_ERROR(NcclCollectiveKernel::Init(c));
    ASSIGN_OR_RETURN(std::string merge, c.attr<std::string>("merge_op"));
    ASSIGN_OR_RETURN(std::string final_op, c.attr<std::string>("final_op"));
    if ((merge != "Add" && merge != "Max") || (final_op != "Id" && final_op != "Div")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CollectiveReduceV2 '", name(), "': merge_op '", merge, "' and final_op '", final_op,
          "' are not supported; use merge_op Add or Max and final_op Id or Div"));
    }
    max_ = merge == "Max";
    div_ = final_op == "Div";
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, *device));
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, x.shape()));
    GpuPart me;
    me.device = device;
    me.ctx = &ctx;
    constexpr bool kFloat = std::is_same_v<T, float>;
    RETURN_IF_ERROR(Meet(
        call, "CollectiveReduceV2 on GPUs", me, &x, out,
        [&](Participants all, GpuPart&) {
          return CheckInputs(x, all, "an all-reduce needs one dtype and shape", false);
        },
        [&](Participants all, const Parts& parts, std::vector<NcclRank>& ranks) {
          for (size_t i = 0; i < all.size(); ++i) {
            ranks.push_back({parts[i]->device, all[i]->input->raw_data(),
                             all[i]->output->raw_data(), x.num_elements()});
          }
          NcclCollectiveCall c;
          c.kind = NcclCollective::kAllReduce;
          c.dtype = x.dtype();
          c.reduction = max_ ? ncclMax : (div_ && kFloat) ? ncclAvg : ncclSum;
          return c;
        }));
    if constexpr (!kFloat) {
      if (div_ && call.group_size > 1) {
        LaunchDivideInPlace(out->data<T>(), out->num_elements(), static_cast<T>(call.group_size),
                            device->stream());
        RETURN_IF_ERROR(CheckLaunch("the collective mean's division"));
      }
    }
    return absl::OkStatus();
  }

 private:
  bool max_ = false;
  bool div_ = false;
};

// Broadcast: the sender's output is its input (NCCL's root reads it in
// place); each receiver's is allocated from its shape attr.
class NcclBcastOp final : public NcclCollectiveKernel {
 public:
  explicit NcclBcastOp(const OpKernelConstruction& c)
      : NcclCollectiveKernel(c, c.node().op() == "CollectiveBcastSendV2" ? 1 : 0),
        send_(c.node().op() == "CollectiveBcastSendV2") {
    if (!send_) shape_ = c.attr<PartialShape>("shape").value_or(PartialShape());
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, *device));
    const Tensor* x = nullptr;
    Tensor* out = nullptr;
    if (send_) {
      x = &ctx.input(0);
      RETURN_IF_ERROR(ctx.set_output(0, *x));
    } else {
      ASSIGN_OR_RETURN(TensorShape shape, shape_.ToTensorShape());
      ASSIGN_OR_RETURN(out, ctx.allocate_output(0, shape));
    }
    GpuPart me;
    me.device = device;
    me.ctx = &ctx;
    int root = -1;
    return Meet(
        call, "CollectiveBcastV2 on GPUs", me, x, out,
        [&](Participants all, GpuPart&) { return FindSender(all, root); },
        [&](Participants all, const Parts& parts, std::vector<NcclRank>& ranks) {
          const Tensor& src = *all[root]->input;
          for (size_t i = 0; i < all.size(); ++i) {
            const bool sender = static_cast<int>(i) == root;
            ranks.push_back({parts[i]->device, sender ? src.raw_data() : nullptr,
                             sender ? const_cast<void*>(src.raw_data())  // never written
                                    : all[i]->output->raw_data(),
                             src.num_elements()});
          }
          NcclCollectiveCall c;
          c.kind = NcclCollective::kBroadcast;
          c.dtype = src.dtype();
          c.root = root;
          return c;
        });
  }

 private:
  // The one sender's rank into `root`, every receiver checked against it
  // (all of them: every participant must reach the same verdict).
  static absl::Status FindSender(Participants all, int& root) {
    root = -1;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i]->input == nullptr) continue;
      if (root >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "a broadcast has one sender; ", all[root]->label, " and ", all[i]->label,
            " both send"));
      }
      root = static_cast<int>(i);
    }
    if (root < 0) {
      return absl::InvalidArgumentError(
          "a broadcast needs one CollectiveBcastSendV2; every participant receives");
    }
    const Tensor& src = *all[root]->input;
    for (const Participant* p : all) {
      if (p->output == nullptr) continue;
      if (p->output->dtype() != src.dtype() || p->output->shape() != src.shape()) {
        return absl::InvalidArgumentError(absl::StrCat(
            p->label, " expects ", p->output->ShapeString(), " but ", all[root]->label,
            " sends ", src.ShapeString(), " (on GPUs a receiver that disagrees fails the "
            "whole group)"));
      }
    }
    return absl::OkStatus();
  }

  const bool send_;
  PartialShape shape_;
};

// All-gather: each participant allocates its output once it sees every
// first dimension; NCCL writes every input into it in rank order.
class NcclGatherOp final : public NcclCollectiveKernel {
 public:
  explicit NcclGatherOp(const OpKernelConstruction& c) : NcclCollectiveKernel(c, 1) {}

  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Call call, Prepare(ctx, *device));
    const Tensor& x = ctx.input(0);
    if (x.shape().rank() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CollectiveGatherV2 '", name(), "' needs an input of rank >= 1; got a scalar "
          "(reshape it to [1])"));
    }
    GpuPart me;
    me.device = device;
    me.ctx = &ctx;
    return Meet(
        call, "CollectiveGatherV2 on GPUs", me, &x, nullptr,
        [&](Participants all, GpuPart& self) -> absl::Status {
          RETURN_IF_ERROR(CheckInputs(x, all, "an all-gather needs one dtype and equal "
                                      "dimensions after the first", true));
          std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
          dims[0] = 0;
          for (const auto* p : all) dims[0] += p->input->shape().dim(0);
          const TensorShape shape{std::span<const int64_t>(dims)};
          ASSIGN_OR_RETURN(self.output, self.ctx->allocate_output(0, shape));
          return absl::OkStatus();
        },
        [&](Participants all, const Parts& parts, std::vector<NcclRank>& ranks) {
          for (size_t i = 0; i < all.size(); ++i) {
            ranks.push_back({parts[i]->device, all[i]->input->raw_data(),
                             parts[i]->output->raw_data(), all[i]->input->num_elements()});
          }
          NcclCollectiveCall c;
          c.kind = NcclCollective::kAllGather;
          c.dtype = x.dtype();
          return c;
        });
  }
};

template <template <typename> class K>
void RegisterTyped(KernelRegistry& r, const char* op) {
  r.Register<K<float>>(op, kDeviceGpu, {{"T", {DataType::kFloat32}}});
  r.Register<K<int32_t>>(op, kDeviceGpu, {{"T", {DataType::kInt32}}});
  r.Register<K<int64_t>>(op, kDeviceGpu, {{"T", {DataType::kInt64}}});
}

}  // namespace

void RegisterNcclCollectiveGpuKernels(KernelRegistry& r) {
  RegisterTyped<NcclReduceOp>(r, "CollectiveReduceV2");
  const std::vector<DataType> types = {DataType::kFloat32, DataType::kInt32, DataType::kInt64};
  for (const char* op : {"CollectiveBcastSendV2", "CollectiveBcastRecvV2"}) {
    r.Register<NcclBcastOp>(op, kDeviceGpu, {{"T", types}});
  }
  r.Register<NcclGatherOp>("CollectiveGatherV2", kDeviceGpu, {{"T", types}});
}

}  // namespace graphrt
