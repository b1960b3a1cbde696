// Layout GPU kernels for float32, int32, int64, uint8 and bool, mirroring
// kernels/cpu/pad_concat_ops.cc and kernels/cpu/transpose_op.cc (plans and
// messages shared: kernels/common/layout_shape.h; Squeeze is device-neutral,
// registered in register.cc). PadV2's constant_values stays in device memory:
// the kernel reads it there, so nothing waits on the host. Plans with more
// than kMaxLayoutRank dims after collapsing are UNIMPLEMENTED on the GPU.
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/layout_shape.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/layout_kernels.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

absl::Status CheckRank(const char* op, size_t rank) {
  if (rank > kMaxLayoutRank) {
    return absl::UnimplementedError(absl::StrCat(op, " on the GPU handles up to ", kMaxLayoutRank,
                                                 " dims after merging; this needs ", rank));
  }
  return absl::OkStatus();
}

absl::Status RunBox(OpKernelContext& ctx, const char* op, const BoxPlan& p, const void* fill) {
  RETURN_IF_ERROR(CheckRank(op, p.in_dims.size()));
  BoxIndex index;
  index.rank = static_cast<int>(p.in_dims.size());
  for (int d = 0; d < index.rank; ++d) {
    index.in_dims[d] = p.in_dims[d];
    index.out_dims[d] = p.out_dims[d];
    index.offset[d] = p.offset[d];
  }
  ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, p.output));
  const Tensor& in = ctx.input(0);
  const int bytes = static_cast<int>(DataTypeSize(in.dtype()));
  if (!LaunchBoxCopy(bytes, in.raw_data(), out->raw_data(), p.output.num_elements(), index, fill,
                     device->stream())) {
    return absl::InvalidArgumentError(absl::StrCat(op, " on the GPU does not support ",
                                                   DataTypeName(in.dtype())));
  }
  return CheckLaunch(op);
}

class PadOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(paddings_, c.attr<std::vector<int64_t>>("paddings"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BoxPlan plan, PlanPad(ctx.input(0).shape(), paddings_));
    const void* fill = nullptr;
    if (ctx.num_inputs() > 1) {
      if (ctx.input(1).shape().rank() != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "PadV2: constant_values must be a scalar, got ", ctx.input(1).ShapeString()));
      }
      fill = ctx.input(1).raw_data();
    }
    return RunBox(ctx, op().c_str(), plan, fill);
  }

 private:
  std::vector<int64_t> paddings_;
};

class SliceLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(begin_, c.attr<std::vector<int64_t>>("begin"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BoxPlan plan,
                     PlanSliceLike(ctx.input(0).shape(), ctx.input(1).shape(), begin_));
    return RunBox(ctx, "SliceLike", plan, nullptr);
  }

 private:
  std::vector<int64_t> begin_;
};

// ConcatV2 (to_joined) and SplitLike: one column-copy launch per piece.
absl::Status MovePieces(const ConcatPlan& p, const std::vector<void*>& pieces, void* joined,
                        int bytes, bool to_joined, const CudaDevice& device, const char* op) {
  for (size_t k = 0; k < pieces.size(); ++k) {
    if (!LaunchCopyColumns(bytes, pieces[k], joined, p.outer, p.widths[k], p.total_width,
                           p.starts[k], to_joined, device.stream())) {
      return absl::InvalidArgumentError(absl::StrCat(op, " on the GPU: unsupported element size ",
                                                     bytes));
    }
  }
  return CheckLaunch(op);
}

class ConcatOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    std::vector<TensorShape> shapes;
    std::vector<void*> pieces;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      shapes.push_back(ctx.input(i).shape());
      pieces.push_back(ctx.input(i).raw_data());
    }
    ASSIGN_OR_RETURN(ConcatPlan plan, PlanConcat(shapes, axis_));
    if (ctx.num_inputs() == 1) return ctx.set_output(0, ctx.input(0));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, plan.joined));
    return MovePieces(plan, pieces, out->raw_data(),
                      static_cast<int>(DataTypeSize(out->dtype())), true, *device, "ConcatV2");
  }

 private:
  int64_t axis_ = 0;
};

class SplitLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    std::vector<TensorShape> likes;
    for (int i = 1; i < ctx.num_inputs(); ++i) likes.push_back(ctx.input(i).shape());
    ASSIGN_OR_RETURN(ConcatPlan plan, PlanSplitLike(in.shape(), likes, axis_));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    std::vector<void*> pieces;
    for (size_t k = 0; k < likes.size(); ++k) {
      ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(static_cast<int>(k), plan.pieces[k]));
      pieces.push_back(out->raw_data());
    }
    return MovePieces(plan, pieces, in.raw_data(), static_cast<int>(DataTypeSize(in.dtype())),
                      false, *device, "SplitLike");
  }

 private:
  int64_t axis_ = 0;
};

class TransposeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(perm_, c.attr<std::vector<int64_t>>("perm"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(TransposePlan plan, PlanTranspose(x.shape(), perm_));
    if (plan.in_dims.size() <= 1) {  // only size-1 dims move: the same buffer
      ASSIGN_OR_RETURN(Tensor same, x.Reshaped(plan.output));
      return ctx.set_output(0, std::move(same));
    }
    RETURN_IF_ERROR(CheckRank("Transpose", plan.in_dims.size()));
    TransposeIndex index;
    index.rank = static_cast<int>(plan.in_dims.size());
    std::vector<int64_t> stride(index.rank, 1);
    for (int d = index.rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * plan.in_dims[d + 1];
    for (int i = 0; i < index.rank; ++i) {
      index.out_dims[i] = plan.in_dims[plan.perm[i]];
      index.in_strides[i] = stride[plan.perm[i]];
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, plan.output));
    if (!LaunchTranspose(static_cast<int>(DataTypeSize(x.dtype())), x.raw_data(), y->raw_data(),
                         plan.output.num_elements(), index, device->stream())) {
      return absl::InvalidArgumentError(
          absl::StrCat("Transpose on the GPU does not support ", DataTypeName(x.dtype())));
    }
    return CheckLaunch("Transpose");
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace

void RegisterLayoutGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> any = {{"T", GpuDataTypes()}};
  r.Register<PadOp>("Pad", kDeviceGpu, any);
  r.Register<PadOp>("PadV2", kDeviceGpu, any);
  r.Register<SliceLikeOp>("SliceLike", kDeviceGpu, any);
  r.Register<ConcatOp>("ConcatV2", kDeviceGpu, any);
  r.Register<SplitLikeOp>("SplitLike", kDeviceGpu, any);
  r.Register<TransposeOp>("Transpose", kDeviceGpu, any);
}

}  // namespace graphrt
