// The in-process collectives between logical GPU devices
// (core/graph/ops/collective_ops.h): CollectiveReduceV2 (sum, mean, max),
// CollectiveBcastSendV2/RecvV2 and CollectiveGatherV2, for float32, int32
// and int64, with the CPU kernels' semantics (kernels/cpu/collective_ops.cc,
// docs/collectives.md): ranks are the participants' device names in sorted
// order, an integer mean truncates, an all-gather's first dims may differ.
// On NCCL when the group's devices are on distinct physical GPUs (Note
// [NCCL collectives through the rendezvous]), else through host memory
// with the CPU kernels' code (Note [GPU collectives through the host]);
// both in nccl_collective_kernel.cc. Built only with NCCL's header
// (cmake/graphrt_nccl.cmake).
//
// Thread-safety: Compute is thread-safe (the kernels keep only attrs).
#include <algorithm>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/collective_work.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/nccl_collective_kernel.h"
#include "kernels/gpu/nccl_kernels.h"
#include "kernels/gpu/nccl_launch.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

using Participants = CollectiveParticipants;
using Parts = std::vector<GpuPart*>;

// All-reduce: in place when nobody else holds x's buffer. Mean on NCCL:
// ncclAvg for float32; ncclSum and a truncating division for integers (the
// CPU's rule; NCCL's integer average is not documented to truncate).
// Through the host: the CPU kernels' reduction (AllReduceShare).
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
          return CheckCollectiveInputs(x, all, "an all-reduce needs one dtype and shape", false);
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
    if (me.through_host) {
      return RunThroughHost(call, "CollectiveReduceV2 on GPUs through the host", *device, &x, out,
                            [&](int rank, Participants all) {
                              AllReduceShare<T>(rank, all, max_, div_,
                                                [&](int64_t n, int64_t cost, auto fn) {
                                                  ctx.ParallelFor(n, cost, fn);
                                                });
                              return absl::OkStatus();
                            });
    }
    if constexpr (!kFloat) {
      if (div_ && call.group_size > 1) {
        LaunchDivideInPlace(out->device_data<T>(), out->num_elements(),
                            static_cast<T>(call.group_size), device->stream());
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
    RETURN_IF_ERROR(BroadcastTensors(ctx, send_, shape_, &x, &out));
    GpuPart me;
    me.device = device;
    me.ctx = &ctx;
    int root = -1;
    RETURN_IF_ERROR(Meet(
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
        }));
    if (!me.through_host) return absl::OkStatus();
    return RunThroughHost(call, "CollectiveBcastV2 on GPUs through the host", *device, x, out,
                          [](int rank, Participants all) { return BroadcastShare(rank, all); });
  }

 private:
  // The one sender's rank into `root`, every receiver checked against it
  // (all of them: every participant must reach the same verdict).
  static absl::Status FindSender(Participants all, int& root) {
    ASSIGN_OR_RETURN(const CollectiveRendezvous::Participant* sender, FindBroadcastSender(all));
    root = static_cast<int>(std::find(all.begin(), all.end(), sender) - all.begin());
    for (const CollectiveRendezvous::Participant* p : all) {
      if (p->output == nullptr) continue;
      absl::Status s = CheckBroadcastReceiver(*p, *sender);
      if (!s.ok()) {
        return absl::Status(s.code(), absl::StrCat(s.message(), " (on GPUs a receiver that "
                                                   "disagrees fails the whole group)"));
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
    RETURN_IF_ERROR(Meet(
        call, "CollectiveGatherV2 on GPUs", me, &x, nullptr,
        [&](Participants all, GpuPart& self) -> absl::Status {
          RETURN_IF_ERROR(CheckCollectiveInputs(x, all, "an all-gather needs one dtype and "
                                                "equal dimensions after the first", true));
          ASSIGN_OR_RETURN(self.output, self.ctx->allocate_output(0, AllGatherShape(x, all)));
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
        }));
    if (!me.through_host) return absl::OkStatus();
    return RunThroughHost(call, "CollectiveGatherV2 on GPUs through the host", *device, &x,
                          me.output, [](int rank, Participants all) {
                            AllGatherInto(all, all[rank]->output->raw_data());
                            return absl::OkStatus();
                          });
  }
};

}  // namespace

void RegisterNcclCollectiveGpuKernels(KernelRegistry& r) {
  RegisterCollectiveTypes<NcclReduceOp>(r, "CollectiveReduceV2", kDeviceGpu);
  const std::vector<DataType> types = {DataType::kFloat32, DataType::kInt32, DataType::kInt64};
  for (const char* op : {"CollectiveBcastSendV2", "CollectiveBcastRecvV2"}) {
    r.Register<NcclBcastOp>(op, kDeviceGpu, {{"T", types}});
  }
  r.Register<NcclGatherOp>("CollectiveGatherV2", kDeviceGpu, {{"T", types}});
}

}  // namespace graphrt
