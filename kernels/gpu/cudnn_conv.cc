#include "kernels/gpu/cudnn_conv.h"

#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/gpu/cudnn_padding.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/layout_kernels.h"

namespace graphrt {
namespace {

// A heuristic result as plain data. Tensor-core math (TF32 for float32) is
// refused: results must match the CPU's float32 (cudnn_util.h).
template <typename Perf>
AlgoCandidate ToCandidate(const Perf& p) {
  const bool tensor_op =
      p.mathType == CUDNN_TENSOR_OP_MATH || p.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
  return {static_cast<int>(p.algo), p.status == CUDNN_STATUS_SUCCESS && !tensor_op, p.memory};
}

template <typename Perf>
void AppendCandidates(const Perf* perf, int returned, std::vector<AlgoCandidate>& out) {
  for (int i = 0; i < returned; ++i) out.push_back(ToCandidate(perf[i]));
}

absl::Status Transpose3(const CudaDevice& device, const float* in, float* out,
                        const int64_t (&out_dims)[3], const int64_t (&in_strides)[3]) {
  TransposeIndex index;
  index.rank = 3;
  for (int d = 0; d < 3; ++d) {
    index.out_dims[d] = out_dims[d];
    index.in_strides[d] = in_strides[d];
  }
  const int64_t n = out_dims[0] * out_dims[1] * out_dims[2];
  if (n == 0) return absl::OkStatus();
  if (!LaunchTranspose(sizeof(float), in, out, n, index, device.stream())) {
    return absl::InternalError("the filter transpose of a cuDNN convolution was refused");
  }
  return CheckLaunch("the filter transpose of a cuDNN convolution");
}

}  // namespace

absl::StatusOr<std::unique_ptr<CudnnConv>> CudnnConv::Make(OpKernelContext& ctx,
                                                           const ConvGeometry& g,
                                                           bool depthwise) {
  ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
  ASSIGN_OR_RETURN(CudnnService * service, CudnnService::Of(*device, ctx.node_name()));
  std::unique_ptr<CudnnConv> conv(new CudnnConv(ctx, *device, *service, g, depthwise));
  RETURN_IF_ERROR(conv->Init());
  return conv;
}

std::string CudnnConv::Describe() const {
  return absl::StrCat(depthwise_ ? "depthwise " : "", "input ", g_.input_shape().DebugString(),
                      ", filter ", g_.filter_shape().DebugString(), ", strides ", g_.stride_h,
                      "x", g_.stride_w, ", dilations ", g_.dilation_h, "x", g_.dilation_w,
                      ", cuDNN padding ", pad_h_, "x", pad_w_, " plus explicit (", extra_top_,
                      ", ", extra_bottom_, ", ", extra_left_, ", ", extra_right_, ")");
}

absl::Status CudnnConv::Check(cudnnStatus_t s, const char* call) const {
  if (s == CUDNN_STATUS_SUCCESS) return absl::OkStatus();
  return CudnnStatus(s, call, ctx_.node_name(), Describe());
}

absl::Status CudnnConv::Init() {
  const std::string& node = ctx_.node_name();
  groups_ = depthwise_ ? g_.in_c : 1;
  // Note [Asymmetric padding and filter layout for cuDNN]: cuDNN's
  // symmetric part and the explicit rest.
  const int64_t reach_h = (g_.filter_h - 1) * g_.dilation_h + 1;  // the dilated window
  const int64_t reach_w = (g_.filter_w - 1) * g_.dilation_w + 1;
  const PaddingSplit split_h = SplitPadding(g_.in_h, g_.out_h, reach_h, g_.stride_h, g_.pad_top);
  const PaddingSplit split_w = SplitPadding(g_.in_w, g_.out_w, reach_w, g_.stride_w, g_.pad_left);
  pad_h_ = split_h.symmetric;
  pad_w_ = split_w.symmetric;
  extra_top_ = split_h.extra_before;
  extra_bottom_ = split_h.extra_after;
  extra_left_ = split_w.extra_before;
  extra_right_ = split_w.extra_after;
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  for (int64_t v : {g_.filter_h, g_.filter_w, g_.stride_h, g_.stride_w, g_.dilation_h,
                    g_.dilation_w, pad_h_, pad_w_, groups_}) {
    if (v > kMax) {
      return absl::UnimplementedError(
          absl::StrCat("node '", node, "': cuDNN takes window sizes below 2^31: ", Describe()));
    }
  }
  const TensorShape xs = padded_shape();
  RETURN_IF_ERROR(SetNhwc(x_desc_, xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), node));
  RETURN_IF_ERROR(SetNhwc(y_desc_, g_.batch, g_.out_h, g_.out_w, g_.out_c, node));
  RETURN_IF_ERROR(w_desc_.Create("cudnnCreateFilterDescriptor", node));
  RETURN_IF_ERROR(Check(
      cudnnSetFilter4dDescriptor(w_desc_.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC,
                                 static_cast<int>(g_.out_c), static_cast<int>(g_.in_c / groups_),
                                 static_cast<int>(g_.filter_h), static_cast<int>(g_.filter_w)),
      "cudnnSetFilter4dDescriptor"));
  RETURN_IF_ERROR(conv_desc_.Create("cudnnCreateConvolutionDescriptor", node));
  RETURN_IF_ERROR(Check(cudnnSetConvolution2dDescriptor(
                            conv_desc_.get(), static_cast<int>(pad_h_), static_cast<int>(pad_w_),
                            static_cast<int>(g_.stride_h), static_cast<int>(g_.stride_w),
                            static_cast<int>(g_.dilation_h), static_cast<int>(g_.dilation_w),
                            CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                        "cudnnSetConvolution2dDescriptor"));
  RETURN_IF_ERROR(CudnnStatus(cudnnSetConvolutionMathType(conv_desc_.get(), CUDNN_FMA_MATH),
                              "cudnnSetConvolutionMathType", node));
  RETURN_IF_ERROR(Check(cudnnSetConvolutionGroupCount(conv_desc_.get(), static_cast<int>(groups_)),
                        "cudnnSetConvolutionGroupCount"));
  // cuDNN's own output size must be the geometry's (TF's rules).
  int n = 0, c = 0, h = 0, w = 0;
  RETURN_IF_ERROR(Check(cudnnGetConvolution2dForwardOutputDim(conv_desc_.get(), x_desc_.get(),
                                                              w_desc_.get(), &n, &c, &h, &w),
                        "cudnnGetConvolution2dForwardOutputDim"));
  if (n != g_.batch || c != g_.out_c || h != g_.out_h || w != g_.out_w) {
    return absl::InternalError(absl::StrCat(
        "node '", node, "': cuDNN's output [", n, ", ", h, ", ", w, ", ", c,
        "] differs from the expected ", g_.output_shape().DebugString(), " for ", Describe()));
  }
  return absl::OkStatus();
}

absl::StatusOr<const float*> CudnnConv::PaddedInput(const float* x, Tensor& storage) {
  if (!padded()) return x;
  ASSIGN_OR_RETURN(storage, Scratch(ctx_, padded_shape()));
  RETURN_IF_ERROR(CopyNhwcBox(device_, x, g_.input_shape(), storage.device_data<float>(),
                              padded_shape(), extra_top_, extra_left_, nullptr,
                              ctx_.node_name()));
  return storage.device_data<float>();
}

absl::Status CudnnConv::FilterToCudnn(const float* filter, Tensor& storage) {
  // [FH * FW, IC / groups, OC] -> [OC, FH * FW, IC / groups].
  const int64_t taps = g_.filter_h * g_.filter_w, icg = g_.in_c / groups_, oc = g_.out_c;
  ASSIGN_OR_RETURN(storage, Scratch(ctx_, TensorShape{oc, g_.filter_h, g_.filter_w, icg}));
  return Transpose3(device_, filter, storage.device_data<float>(), {oc, taps, icg},
                    {1, icg * oc, oc});
}

absl::Status CudnnConv::FilterFromCudnn(const float* cudnn_filter, float* filter) {
  // [OC, FH * FW, IC / groups] -> [FH * FW, IC / groups, OC].
  const int64_t taps = g_.filter_h * g_.filter_w, icg = g_.in_c / groups_, oc = g_.out_c;
  return Transpose3(device_, cudnn_filter, filter, {taps, icg, oc}, {icg, 1, taps * icg});
}

absl::StatusOr<ConvAlgo> CudnnConv::Algorithm(ConvPass pass, cudnnHandle_t h) {
  const TensorShape xs = padded_shape();
  const ConvKey key{pass,         xs.dim(0),    xs.dim(1),    xs.dim(2),    xs.dim(3),
                    g_.out_c,     g_.filter_h,  g_.filter_w,  pad_h_,       pad_w_,
                    g_.stride_h,  g_.stride_w,  g_.dilation_h, g_.dilation_w, groups_};
  ConvAlgoCache& cache = service_.algorithms();
  if (std::optional<ConvAlgo> hit = cache.Find(key)) return *hit;
  const std::string& node = ctx_.node_name();
  std::vector<AlgoCandidate> ranked;
  int returned = 0;
  switch (pass) {
    case ConvPass::kForward: {
      cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
      RETURN_IF_ERROR(Check(cudnnGetConvolutionForwardAlgorithm_v7(
                                h, x_desc_.get(), w_desc_.get(), conv_desc_.get(), y_desc_.get(),
                                CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf),
                            "cudnnGetConvolutionForwardAlgorithm_v7"));
      AppendCandidates(perf, returned, ranked);
      break;
    }
    case ConvPass::kBackwardData: {
      cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
      RETURN_IF_ERROR(Check(cudnnGetConvolutionBackwardDataAlgorithm_v7(
                                h, w_desc_.get(), y_desc_.get(), conv_desc_.get(), x_desc_.get(),
                                CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &returned, perf),
                            "cudnnGetConvolutionBackwardDataAlgorithm_v7"));
      AppendCandidates(perf, returned, ranked);
      break;
    }
    case ConvPass::kBackwardFilter: {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
      RETURN_IF_ERROR(Check(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                                h, x_desc_.get(), y_desc_.get(), conv_desc_.get(), w_desc_.get(),
                                CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &returned, perf),
                            "cudnnGetConvolutionBackwardFilterAlgorithm_v7"));
      AppendCandidates(perf, returned, ranked);
      break;
    }
  }
  std::optional<ConvAlgo> chosen = ChooseConvAlgo(ranked, kMaxConvWorkspaceBytes);
  if (!chosen) {
    return absl::UnimplementedError(absl::StrCat(
        "node '", node, "': cuDNN offers no float32 algorithm (without TF32) within a ",
        kMaxConvWorkspaceBytes >> 20, " MiB workspace for ", Describe(),
        "; place the node on the CPU"));
  }
  cache.Insert(key, *chosen);
  return *chosen;
}

absl::Status CudnnConv::Workspace(ConvPass pass, cudnnHandle_t h, ConvAlgo& algo,
                                  Tensor& storage, size_t* bytes) {
  const std::string& node = ctx_.node_name();
  size_t need = 0;
  switch (pass) {
    case ConvPass::kForward:
      RETURN_IF_ERROR(Check(cudnnGetConvolutionForwardWorkspaceSize(
                                h, x_desc_.get(), w_desc_.get(), conv_desc_.get(), y_desc_.get(),
                                static_cast<cudnnConvolutionFwdAlgo_t>(algo.algo), &need),
                            "cudnnGetConvolutionForwardWorkspaceSize"));
      break;
    case ConvPass::kBackwardData:
      RETURN_IF_ERROR(Check(cudnnGetConvolutionBackwardDataWorkspaceSize(
                                h, w_desc_.get(), y_desc_.get(), conv_desc_.get(), x_desc_.get(),
                                static_cast<cudnnConvolutionBwdDataAlgo_t>(algo.algo), &need),
                            "cudnnGetConvolutionBackwardDataWorkspaceSize"));
      break;
    case ConvPass::kBackwardFilter:
      RETURN_IF_ERROR(Check(cudnnGetConvolutionBackwardFilterWorkspaceSize(
                                h, x_desc_.get(), y_desc_.get(), conv_desc_.get(), w_desc_.get(),
                                static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo.algo), &need),
                            "cudnnGetConvolutionBackwardFilterWorkspaceSize"));
      break;
  }
  *bytes = 0;
  if (need == 0) return absl::OkStatus();
  // Note [cuDNN algorithm choice and workspace]: from the device's pool.
  absl::StatusOr<Tensor> ws =
      Tensor::Allocate(ctx_.allocator(), DataType::kUint8, TensorShape{static_cast<int64_t>(need)});
  if (ws.ok()) {
    storage = std::move(*ws);
    *bytes = need;
    return absl::OkStatus();
  }
  if (!algo.fallback) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "node '", node, "': no memory for the ", need, "-byte cuDNN workspace and no algorithm "
        "without one for ", Describe(), ": ", ws.status().message()));
  }
  algo.algo = *algo.fallback;
  return absl::OkStatus();
}

absl::Status CudnnConv::Forward(const float* x, const float* filter, float* y) {
  Tensor padded_x, cudnn_filter, workspace;
  ASSIGN_OR_RETURN(const float* xp, PaddedInput(x, padded_x));
  RETURN_IF_ERROR(FilterToCudnn(filter, cudnn_filter));
  std::unique_ptr<CudnnHandle> handle = service_.Lock();
  ASSIGN_OR_RETURN(ConvAlgo algo, Algorithm(ConvPass::kForward, handle->get()));
  size_t bytes = 0;
  RETURN_IF_ERROR(Workspace(ConvPass::kForward, handle->get(), algo, workspace, &bytes));
  const float alpha = 1.0f, beta = 0.0f;
  return Check(cudnnConvolutionForward(handle->get(), &alpha, x_desc_.get(), xp, w_desc_.get(),
                                       cudnn_filter.device_data<float>(), conv_desc_.get(),
                                       static_cast<cudnnConvolutionFwdAlgo_t>(algo.algo),
                                       bytes > 0 ? workspace.raw_data() : nullptr, bytes, &beta,
                                       y_desc_.get(), y),
               "cudnnConvolutionForward");
}

absl::Status CudnnConv::BackwardData(const float* filter, const float* dy, float* dx) {
  Tensor cudnn_filter, padded_dx, workspace;
  RETURN_IF_ERROR(FilterToCudnn(filter, cudnn_filter));
  float* dxp = dx;
  if (padded()) {
    ASSIGN_OR_RETURN(padded_dx, Scratch(ctx_, padded_shape()));
    dxp = padded_dx.device_data<float>();
  }
  {
    std::unique_ptr<CudnnHandle> handle = service_.Lock();
    ASSIGN_OR_RETURN(ConvAlgo algo, Algorithm(ConvPass::kBackwardData, handle->get()));
    size_t bytes = 0;
    RETURN_IF_ERROR(Workspace(ConvPass::kBackwardData, handle->get(), algo, workspace, &bytes));
    const float alpha = 1.0f, beta = 0.0f;
    RETURN_IF_ERROR(Check(
        cudnnConvolutionBackwardData(
            handle->get(), &alpha, w_desc_.get(), cudnn_filter.device_data<float>(), y_desc_.get(),
            dy, conv_desc_.get(), static_cast<cudnnConvolutionBwdDataAlgo_t>(algo.algo),
            bytes > 0 ? workspace.raw_data() : nullptr, bytes, &beta, x_desc_.get(), dxp),
        "cudnnConvolutionBackwardData"));
  }
  if (!padded()) return absl::OkStatus();
  // Crop the padded gradient to the input (the padding's gradient is dropped).
  return CopyNhwcBox(device_, dxp, padded_shape(), dx, g_.input_shape(), -extra_top_,
                     -extra_left_, nullptr, ctx_.node_name());
}

absl::Status CudnnConv::BackwardFilter(const float* x, const float* dy, float* dfilter) {
  Tensor padded_x, cudnn_dfilter, workspace;
  ASSIGN_OR_RETURN(const float* xp, PaddedInput(x, padded_x));
  const int64_t icg = g_.in_c / groups_;
  ASSIGN_OR_RETURN(cudnn_dfilter,
                   Scratch(ctx_, TensorShape{g_.out_c, g_.filter_h, g_.filter_w, icg}));
  {
    std::unique_ptr<CudnnHandle> handle = service_.Lock();
    ASSIGN_OR_RETURN(ConvAlgo algo, Algorithm(ConvPass::kBackwardFilter, handle->get()));
    size_t bytes = 0;
    RETURN_IF_ERROR(Workspace(ConvPass::kBackwardFilter, handle->get(), algo, workspace, &bytes));
    const float alpha = 1.0f, beta = 0.0f;
    RETURN_IF_ERROR(Check(
        cudnnConvolutionBackwardFilter(handle->get(), &alpha, x_desc_.get(), xp, y_desc_.get(), dy,
                                       conv_desc_.get(),
                                       static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo.algo),
                                       bytes > 0 ? workspace.raw_data() : nullptr, bytes, &beta,
                                       w_desc_.get(), cudnn_dfilter.device_data<float>()),
        "cudnnConvolutionBackwardFilter"));
  }
  return FilterFromCudnn(cudnn_dfilter.device_data<float>(), dfilter);
}

}  // namespace graphrt
