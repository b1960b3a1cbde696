#include "kernels/gpu/gpu_op_util.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {

absl::StatusOr<CudaDevice*> ActiveDevice(const OpKernelContext& ctx) {
  ASSIGN_OR_RETURN(CudaDevice * device, CudaDevice::Of(ctx.device(), ctx.node_name()));
  RETURN_IF_ERROR(device->Activate());
  return device;
}

absl::Status CopyOnStream(const CudaDevice& device, void* dst, const void* src, size_t bytes,
                          const char* what) {
  if (bytes == 0 || dst == src) return absl::OkStatus();
  return CudaStatus(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, device.stream()), what);
}

absl::StatusOr<Tensor*> ForwardInputOrAllocate(OpKernelContext& ctx,
                                               std::initializer_list<int> candidates,
                                               const TensorShape& shape) {
  int fallback = -1;
  for (int i : candidates) {
    // The context checks the dtype and the allocator before forwarding.
    const Tensor& in = ctx.input(i);
    if (in.num_elements() != shape.num_elements()) continue;
    if (in.RefCountIsOne()) return ctx.forward_input_or_allocate_output(i, 0, shape);
    if (fallback < 0) fallback = i;
  }
  if (fallback >= 0) return ctx.forward_input_or_allocate_output(fallback, 0, shape);
  return ctx.allocate_output(0, shape);
}

absl::StatusOr<BroadcastIndex> ToBroadcastIndex(const BroadcastPlan& plan) {
  using Kind = BroadcastPlan::Kind;
  BroadcastIndex index;
  const int64_t n = plan.out_shape.num_elements();
  auto flat = [&](int64_t xs, int64_t ys) {
    index.rank = 1;
    index.dims[0] = n;
    index.x_strides[0] = xs;
    index.y_strides[0] = ys;
  };
  // [n / period, period]: the full input at i, the repeating one at i % period.
  auto repeat = [&](bool x_repeats) {
    index.rank = 2;
    index.dims[0] = n / plan.period;
    index.dims[1] = plan.period;
    index.x_strides[0] = x_repeats ? 0 : plan.period;
    index.y_strides[0] = x_repeats ? plan.period : 0;
    index.x_strides[1] = index.y_strides[1] = 1;
  };
  switch (plan.kind) {
    case Kind::kEmpty: return index;
    case Kind::kSame: flat(1, 1); return index;
    case Kind::kScalarX: flat(0, 1); return index;
    case Kind::kScalarY: flat(1, 0); return index;
    case Kind::kRepeatX: repeat(true); return index;
    case Kind::kRepeatY: repeat(false); return index;
    case Kind::kGeneral: break;
  }
  const int rank = static_cast<int>(plan.dims.size());
  if (rank > kMaxBroadcastRank) {
    return absl::UnimplementedError(absl::StrCat(
        "the GPU broadcast of ", plan.out_shape.DebugString(), " needs ", rank,
        " strided dims after merging; at most ", kMaxBroadcastRank, " are supported"));
  }
  index.rank = rank;
  for (int i = 0; i < rank; ++i) {
    index.dims[i] = plan.dims[i];
    index.x_strides[i] = plan.x_strides[i];
    index.y_strides[i] = plan.y_strides[i];
  }
  return index;
}

}  // namespace graphrt
