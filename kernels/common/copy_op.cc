// _Copy, for any device (kernels/common/register.h): input 0, which lives on
// the source device (OpKernelContext::source_device()), copied into a fresh
// buffer of the node's device through Device::CopyFrom
// (core/executor/device.h): a memcpy between host memories, the source
// device's CopyToHost out of device memory (which waits for the work that
// made it), a device's copy streams into device memory (fenced against its
// compute stream). The partitioner puts one on each edge between devices, so
// logical devices never share a buffer (as GPUs could not). Any dtype;
// zero-byte tensors copy nothing. A resource handle is INVALID_ARGUMENT: its
// users must be placed with it.
#include <cstring>

#include "core/base/status_macros.h"
#include "core/executor/device.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/register.h"

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
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, in.shape()));
    const size_t bytes = in.TotalBytes();
    if (bytes == 0) return absl::OkStatus();
    if (ctx.device() == nullptr) {  // a bare kernel test: host memory on both sides
      std::memcpy(out->raw_data(), in.raw_data(), bytes);
      return absl::OkStatus();
    }
    return ctx.device()->CopyFrom(*ctx.source_device(), in.raw_data(), out->raw_data(), bytes);
  }
};

}  // namespace

void RegisterNeutralCopyKernels(KernelRegistry& r, const std::string& device_type) {
  r.Register<CopyOp>("_Copy", device_type);
}

}  // namespace graphrt
