// MatMul on the GPU, float32, through cuBLAS on the device's handle (bound to
// its compute stream), mirroring kernels/cpu/matmul_op.h: attrs transpose_a
// and transpose_b, the same shape checks and messages
// (kernels/common/matmul_shape.h), a [m, n] output; k = 0
// gives zeros (a memset on the stream).
//
// Note [Row-major GEMM through cuBLAS]
// cuBLAS is column-major. A row-major [r, c] matrix is, in the same memory,
// a column-major [c, r] one: its transpose with leading dimension c. So the
// row-major C = op(A) op(B) is computed as the column-major
// C^T = op(B)^T op(A)^T: cublasSgemm(opB, opA, n, m, k, B, ldb, A, lda, C, n)
// with each operand's leading dimension its row-major column count. The
// handle is shared by the device's threads and left in its default
// configuration (host pointer mode), which makes that safe.
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/matmul_shape.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class MatMulGpuOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(transpose_a_, c.attr<bool>("transpose_a"));
    ASSIGN_OR_RETURN(transpose_b_, c.attr<bool>("transpose_b"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    ASSIGN_OR_RETURN(MatMulDims d, MatMulShape(a, b, transpose_a_, transpose_b_));
    const int64_t m = d.m, k = d.k, n = d.n;
    constexpr int64_t kMaxDim = std::numeric_limits<int>::max();
    if (m > kMaxDim || n > kMaxDim || k > kMaxDim) {
      return absl::UnimplementedError(absl::StrCat(
          "MatMul on the GPU takes dims below 2^31; got a ", a.ShapeString(), " and b ",
          b.ShapeString()));
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{m, n}));
    if (m == 0 || n == 0) return absl::OkStatus();
    if (k == 0) {
      return CudaStatus(cudaMemsetAsync(out->raw_data(), 0, out->TotalBytes(), device->stream()),
                        "MatMul (zeroing a product with k = 0)");
    }
    // Note [Row-major GEMM through cuBLAS].
    const float alpha = 1.0f, beta = 0.0f;
    const cublasStatus_t status = cublasSgemm(
        device->cublas(), transpose_b_ ? CUBLAS_OP_T : CUBLAS_OP_N,
        transpose_a_ ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
        static_cast<int>(k), &alpha, b.device_data<float>(), static_cast<int>(b.dim(1)),
        a.device_data<float>(), static_cast<int>(a.dim(1)), &beta, out->device_data<float>(),
        static_cast<int>(n));
    if (status != CUBLAS_STATUS_SUCCESS) {
      return absl::InternalError(absl::StrCat("cuBLAS error ", cublasGetStatusName(status),
                                              " in cublasSgemm for MatMul of a ",
                                              DescribeMatMulOperand(a, transpose_a_), " and b ",
                                              DescribeMatMulOperand(b, transpose_b_), " on ",
                                              device->name()));
    }
    return absl::OkStatus();
  }

 private:
  bool transpose_a_ = false;
  bool transpose_b_ = false;
};

}  // namespace

void RegisterMatMulGpuKernels(KernelRegistry& r) {
  r.Register<MatMulGpuOp>("MatMul", kDeviceGpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
