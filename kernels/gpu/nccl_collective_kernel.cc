#include "kernels/gpu/nccl_collective_kernel.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/device.h"
#include "core/memory/allocator.h"
#include "kernels/gpu/nccl_library.h"

namespace graphrt {

// Note [NCCL collectives through the rendezvous]
// Rationale: the participants must meet, agree and give up exactly as on
// the CPU (same keys, same disagreement errors, same timeout and
// cancellation), and NCCL wants every rank's call, in one order per
// communicator (Note [NCCL communicators per device set]).
// Approach: each participant's kernel joins CollectiveRendezvous::Default()
// under the CPU kernels' key, with a collective name of its own ("... on
// GPUs", so a CPU and a GPU participant never read each other's buffers:
// they meet as a disagreement). In the rendezvous' `work`, every participant
// runs the same checks on the same data (dtypes, shapes, one sender), so
// all agree, decides the same way whether the group goes through the host
// (CollectiveThroughHost), and allocates its output if it could not before
// (all-gather). For an NCCL group, the last one to be ready launches the
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
// Note [GPU collectives through the host]
// Rationale: NCCL cannot put two ranks on one physical GPU, and logical
// GPUs split from one card (docs/gpu.md) are how multi-GPU code is tested
// on a one-GPU machine; before the NCCL kernels such a group fell back to
// the CPU kernels under soft placement and worked. A process without
// libnccl.so.2 is served the same way rather than failing.
// Approach: after the first meeting has checked the group (the same checks,
// the same errors as an NCCL group) and found it cannot use NCCL, each
// participant copies its input device -> host on its own device and waits
// for the copy; the participants meet a second time under the same key
// (the first instance is gone once complete) and a kind of their own ("...
// through the host"), and run the CPU kernels' work over the host copies
// (kernels/common/collective_work.h: ranks are sorted labels, slices are
// reduced in rank order, an integer mean truncates), so results are
// bitwise those of the CPU kernels; then each copies its host result into
// its output, ordered before later work on its stream. The host copies live
// on each participant's stack until the second meeting's departure barrier
// lets it go, i.e. until every peer is done reading them (Note [In-process
// collectives]). A participant whose copy failed still joins, carrying the
// failure, so every participant fails at once instead of timing out.
// Limitations: two device <-> host copies and a host wait per participant,
// and the host does the arithmetic: meant for testing on one card, not for
// speed. The second meeting has the step's timeout and cancellation again
// (everyone has already arrived once). Not yet run on a GPU.

bool CollectiveThroughHost(std::span<const int> physical_ids,
                           absl::FunctionRef<bool()> nccl_loadable) {
  std::vector<int> ids(physical_ids.begin(), physical_ids.end());
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) return true;
  return ids.size() > 1 && !nccl_loadable();
}

NcclCollectiveKernel::NcclCollectiveKernel(const OpKernelConstruction& c, int first_key)
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

absl::Status NcclCollectiveKernel::Init(const OpKernelConstruction& c) const {
  if (hint_ != "cluster" && hint_ != "gloo") return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      op(), " '", name(), "' has communication_hint '", hint_, "' but is placed on ",
      c.device() != nullptr ? c.device()->name() : std::string("a GPU"),
      ": collectives between processes run on the CPU (Gloo; NCCL across processes is "
      "not supported yet). Place it on the CPU (GraphBuilder::DeviceScope \"/cpu:0\"); "
      "its tensor is copied there and back"));
}

// The int32 keys (group_size, group_key, instance_key) reach a GPU kernel
// in device memory; when they are constants (ops::Collective* makes them
// so) they are read from the graph when the kernel is made, else copied to
// the host at each step (a host wait).
absl::StatusOr<NcclCollectiveKernel::Call> NcclCollectiveKernel::Prepare(
    OpKernelContext& ctx, CudaDevice& device) const {
  std::array<int32_t, 3> v = keys_;
  if (!constant_keys_) {
    for (int i = 0; i < 3; ++i) {
      const Tensor& t = ctx.input(first_key_ + i);
      RETURN_IF_ERROR(CheckCollectiveKey(*this, t, first_key_ + i));
      RETURN_IF_ERROR(device.CopyToHost(t.raw_data(), &v[i], sizeof(int32_t)));
    }
  }
  Call call;
  static_cast<RendezvousCall&>(call) =
      MakeCollectiveCall(*this, ctx, v, timeout_seconds_, device.name());
  call.where = absl::StrCat("node '", name(), "' (", op(), ") on ", device.name(),
                            ", launching for its group of ", call.group_size);
  return call;
}

absl::Status NcclCollectiveKernel::Meet(const Call& call, const char* kind, GpuPart& me,
                                        const Tensor* x, Tensor* out, Check check,
                                        Plan plan) const {
  RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
      call.key, kind, call.group_size, {call.label, x, out, &me}, call.wait,
      [&](int, CollectiveParticipants all) {
        std::vector<GpuPart*> parts;
        std::vector<int> gpus;
        for (const CollectiveRendezvous::Participant* p : all) {
          parts.push_back(static_cast<GpuPart*>(p->context));
          if (parts.back() == nullptr) {
            me.prepared = absl::InternalError(absl::StrCat(
                p->label, " joined a GPU collective without a GPU participant's state"));
            return;  // every participant sees it: nobody launches
          }
          gpus.push_back(parts.back()->device->physical_id());
        }
        me.through_host =
            CollectiveThroughHost(gpus, [] { return NcclLibrary::Get().ok(); });
        me.prepared = check(all, me);
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
        if (s.ok() && !me.through_host) {
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

absl::Status NcclCollectiveKernel::RunThroughHost(const Call& call, const char* kind,
                                                  CudaDevice& device, const Tensor* x,
                                                  Tensor* out, HostWork work) const {
  // Both copies and this participant's status live until the second
  // meeting's departure barrier: peers read and write them in `work`.
  absl::Status staged;
  Tensor host_in, host_out;
  if (x != nullptr) {
    absl::StatusOr<Tensor> in = Tensor::Allocate(HostAllocator(), x->dtype(), x->shape());
    if (in.ok()) {
      host_in = *std::move(in);
      staged = device.CopyToHost(x->raw_data(), host_in.raw_data(), x->TotalBytes());
    } else {
      staged = in.status();
    }
  }
  if (out != nullptr && staged.ok()) {
    absl::StatusOr<Tensor> o = Tensor::Allocate(HostAllocator(), out->dtype(), out->shape());
    if (o.ok()) {
      host_out = *std::move(o);
    } else {
      staged = o.status();
    }
  }
  absl::Status result;
  RETURN_IF_ERROR(CollectiveRendezvous::Default().Run(
      call.key, kind, call.group_size,
      {call.label, x != nullptr ? &host_in : nullptr, out != nullptr ? &host_out : nullptr,
       &staged},
      call.wait, [&](int rank, CollectiveParticipants all) {
        for (const CollectiveRendezvous::Participant* p : all) {
          const auto* s = static_cast<const absl::Status*>(p->context);
          if (s != nullptr && !s->ok()) {
            result = absl::Status(s->code(), absl::StrCat("not run through the host: ",
                                                          p->label, " failed: ",
                                                          s->message()));
            return;  // every participant sees it: nobody reads the copies
          }
        }
        result = work(rank, all);
      }));
  RETURN_IF_ERROR(result);
  if (out == nullptr || out->TotalBytes() == 0) return absl::OkStatus();
  return device.CopyFromHost(host_out.raw_data(), out->raw_data(), out->TotalBytes());
}

}  // namespace graphrt
