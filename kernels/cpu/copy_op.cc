// _Copy on the CPU: a copy of the input in a buffer of this device's
// allocator. The partitioner puts one on each edge between devices, so
// logical CPU devices never share a buffer (as GPUs could not).
#include <cstring>

#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

class CopyOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0, in.shape());
    if (!out.ok()) return out.status();
    if (in.TotalBytes() > 0) std::memcpy((*out)->raw_data(), in.raw_data(), in.TotalBytes());
    return absl::OkStatus();
  }
};

}  // namespace

void RegisterCopyKernels(KernelRegistry& r) { r.Register<CopyOp>("_Copy", kDeviceCpu); }

}  // namespace graphrt
