// MatMul on the GPU, float32, through cuBLAS on the device's handle (bound to
// its compute stream), mirroring kernels/cpu/matmul_op.h: attrs transpose_a
// and transpose_b, the same shape checks and messages
// (kernels/common/matmul_shape.h), a [m, n] output; k = 0
// gives zeros (a memset on the stream). FusedMatMul is the same product,
// then the bias (LaunchBiasAdd) and Relu (LaunchUnary) in place on the
// stream: two more launches, each a pass over the product, so it saves the
// graph two ops but not their memory traffic (a cuBLASLt epilogue would);
// an imported ONNX model placed on a GPU keeps its Gemms there. Written and
// compiled, not yet run on a GPU (the conformance suite's FusedMatMul cases
// check it where one is present).
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
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/matmul_shape.h"
#include "kernels/gpu/bias_kernels.h"
#include "kernels/gpu/cwise_kernels.h"
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
    fused_ = op() == "FusedMatMul";
    if (fused_) {
      ASSIGN_OR_RETURN(std::string activation, c.attr<std::string>("activation"));
      ASSIGN_OR_RETURN(relu_, MatMulActivationIsRelu(activation));
    }
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    ASSIGN_OR_RETURN(MatMulDims d, MatMulShape(a, b, transpose_a_, transpose_b_));
    const int64_t m = d.m, k = d.k, n = d.n;
    if (fused_) RETURN_IF_ERROR(CheckMatMulBias(ctx.input(2), n));
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
      RETURN_IF_ERROR(
          CudaStatus(cudaMemsetAsync(out->raw_data(), 0, out->TotalBytes(), device->stream()),
                     "MatMul (zeroing a product with k = 0)"));
      return Epilogue(ctx, *device, *out);
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
    return Epilogue(ctx, *device, *out);
  }

 private:
  // FusedMatMul's bias and activation, in place on the product.
  absl::Status Epilogue(OpKernelContext& ctx, const CudaDevice& device, Tensor& out) const {
    if (!fused_) return absl::OkStatus();
    float* y = out.device_data<float>();
    const int64_t total = out.num_elements();
    LaunchBiasAdd(y, ctx.input(2).device_data<float>(), y, total, out.dim(1), device.stream());
    if (relu_) LaunchUnary(GpuUnaryOp::kRelu, y, y, total, device.stream());
    return CheckLaunch("FusedMatMul");
  }

  bool transpose_a_ = false;
  bool transpose_b_ = false;
  bool fused_ = false;  // FusedMatMul: input 2 is the bias
  bool relu_ = false;   // FusedMatMul's activation is "Relu"
};

}  // namespace

void RegisterMatMulGpuKernels(KernelRegistry& r) {
  r.Register<MatMulGpuOp>("MatMul", kDeviceGpu, {{"T", {DataType::kFloat32}}});
  r.Register<MatMulGpuOp>("FusedMatMul", kDeviceGpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
