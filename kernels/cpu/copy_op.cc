// _Copy on the CPU: a copy of the input in a buffer of this device's
// allocator, through Device::CopyFrom (core/executor/device.h): a memcpy from
// host memory, the source device's CopyToHost from device memory (which
// waits for the work that made it). The partitioner puts one on each edge
// between devices, so logical CPU devices never share a buffer (as GPUs
// could not).
#include <cstring>

#include "core/executor/device.h"
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
    if (ctx.device() == nullptr) {  // a bare kernel test: host memory on both sides
      std::memcpy((*out)->raw_data(), in.raw_data(), in.TotalBytes());
      return absl::OkStatus();
    }
    return ctx.device()->CopyFrom(*ctx.source_device(), in.raw_data(), (*out)->raw_data(),
                                  in.TotalBytes());
  }
};

}  // namespace

void RegisterCopyKernels(KernelRegistry& r) { r.Register<CopyOp>("_Copy", kDeviceCpu); }

}  // namespace graphrt
