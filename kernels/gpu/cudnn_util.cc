#include "kernels/gpu/cudnn_util.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/gpu/layout_kernels.h"

namespace graphrt {

absl::Status CudnnStatus(cudnnStatus_t s, const char* call, absl::string_view node,
                         absl::string_view detail) {
  if (s == CUDNN_STATUS_SUCCESS) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("cuDNN error ", cudnnGetErrorString(s), " in ", call,
                                          " for node '", node, "'",
                                          detail.empty() ? "" : absl::StrCat(" (", detail, ")")));
}

absl::StatusOr<CudnnService*> CudnnService::Of(CudaDevice& device, const std::string& node) {
  return device.GetOrCreateService<CudnnService>(
      [&]() -> absl::StatusOr<std::unique_ptr<CudnnService>> {
        cudnnHandle_t handle = nullptr;
        const std::string where = absl::StrCat("making the cuDNN handle of ", device.name());
        // cudnnCreate fails with CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED (or
        // similar) when the machine lacks cuDNN's sub-libraries: say so.
        RETURN_IF_ERROR(CudnnStatus(cudnnCreate(&handle), "cudnnCreate", node,
                                    absl::StrCat(where, "; is cuDNN 9 (libcudnn_cnn, "
                                                 "libcudnn_ops, ...) on the library path?")));
        absl::Status s = CudnnStatus(cudnnSetStream(handle, device.stream()), "cudnnSetStream",
                                     node, where);
        if (!s.ok()) {
          cudnnDestroy(handle);
          return s;
        }
        return std::unique_ptr<CudnnService>(new CudnnService(handle));
      });
}

CudnnService::~CudnnService() {
  // The device destroys its services after draining its stream and before
  // the stream goes (Device::DestroyServices).
  cudnnDestroy(handle_);
}

absl::Status SetNhwc(TensorDescriptor& d, int64_t n, int64_t h, int64_t w, int64_t c,
                     absl::string_view node) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (n > kMax || h > kMax || w > kMax || c > kMax || n * h * w * c > kMax) {
    return absl::UnimplementedError(absl::StrCat(
        "node '", node, "': cuDNN takes tensors of fewer than 2^31 elements; got [", n, ", ", h,
        ", ", w, ", ", c, "]: split the batch"));
  }
  RETURN_IF_ERROR(d.Create("cudnnCreateTensorDescriptor", node));
  const cudnnStatus_t s =
      cudnnSetTensor4dDescriptor(d.get(), CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, static_cast<int>(n),
                                 static_cast<int>(c), static_cast<int>(h), static_cast<int>(w));
  if (s == CUDNN_STATUS_SUCCESS) return absl::OkStatus();  // the detail only on failure
  return CudnnStatus(s, "cudnnSetTensor4dDescriptor", node,
                     absl::StrCat("NHWC [", n, ", ", h, ", ", w, ", ", c, "]"));
}

absl::StatusOr<Tensor> Scratch(OpKernelContext& ctx, const TensorShape& shape) {
  return Tensor::Allocate(ctx.allocator(), DataType::kFloat32, shape);
}

absl::Status CopyNhwcBox(const CudaDevice& device, const float* in, const TensorShape& in_shape,
                         float* out, const TensorShape& out_shape, int64_t top, int64_t left,
                         const float* fill, absl::string_view node) {
  BoxIndex index;
  index.rank = 4;
  for (int d = 0; d < 4; ++d) {
    index.in_dims[d] = in_shape.dim(d);
    index.out_dims[d] = out_shape.dim(d);
  }
  index.offset[1] = top;
  index.offset[2] = left;
  if (out_shape.num_elements() == 0) return absl::OkStatus();
  if (!LaunchBoxCopy(sizeof(float), in, out, out_shape.num_elements(), index, fill,
                     device.stream())) {
    return absl::InternalError(absl::StrCat("node '", node, "': the padding copy was refused"));
  }
  return CheckLaunch("the padding copy of a cuDNN kernel");
}

absl::Status ZeroOnStream(const CudaDevice& device, Tensor& t, const char* what) {
  if (t.TotalBytes() == 0) return absl::OkStatus();
  return CudaStatus(cudaMemsetAsync(t.raw_data(), 0, t.TotalBytes(), device.stream()), what);
}

}  // namespace graphrt
