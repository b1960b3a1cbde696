// _Copy on the CPU: a copy of the input in a buffer of this device's
// allocator. The partitioner puts one on each edge between devices, so
// logical CPU devices never share a buffer (as GPUs could not). An input in
// a GPU's memory comes over with that device's CopyToHost, which waits for
// the kernels that made it.
#include <cstring>

#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

class CopyOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() == DataType::kResource) {
      return absl::InvalidArgumentError(
          "a resource handle cannot be copied between devices; place its users with it");
    }
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0, in.shape());
    if (!out.ok()) return out.status();
    if (in.TotalBytes() == 0) return absl::OkStatus();
    if (ctx.source_gpu() != nullptr) {
      return ctx.source_gpu()->CopyToHost(in.raw_data(), (*out)->raw_data(), in.TotalBytes());
    }
    std::memcpy((*out)->raw_data(), in.raw_data(), in.TotalBytes());
    return absl::OkStatus();
  }
};

}  // namespace

void RegisterCopyKernels(KernelRegistry& r) { r.Register<CopyOp>("_Copy", kDeviceCpu); }

}  // namespace graphrt
