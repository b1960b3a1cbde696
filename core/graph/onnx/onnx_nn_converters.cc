// The ONNX NN family (onnx_converter.h): Gemm, MatMul, Conv, ConvTranspose,
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, LpPool,
// GlobalLpPool, LpNormalization, BatchNormalization
// (inference), InstanceNormalization, LayerNormalization, LRN, Softmax,
// LogSoftmax, Hardmax, NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss.
//
// Note [ONNX NN ops in graphrt]
// Rationale: reuse graphrt ops where ONNX's op is one of them in other
// clothes, and add channels-first ops only where a layout change would cost
// more than the op (core/graph/ops/conv_nd_ops.h, nn_ext_ops.h).
// Approach: Gemm is MatMul (or BatchMatMulV2 for float64) then Mul/Add, a
// constant transB operand transposed at import, or FusedMatMul when the
// fusion rewrite marked it and it qualifies (Note [Gemm fusion at import],
// onnx_fuse.h);
// MatMul is BatchMatMulV2 with 1-D operands expanded and squeezed as numpy
// does; Conv, ConvTranspose and the pools are ConvNd, ConvTransposeNd,
// MaxPoolNd, AvgPoolNd; the global pools are Mean / Max over the spatial
// axes; BatchNormalization folds into the op before it when it can
// (onnx_fold.h), else becomes x * a + b with a and b per channel (computed
// at import when its parameters are constant);
// Instance- and LayerNormalization are Standardize times scale plus bias;
// LRN is LRNChannelsFirst; the softmax family is SoftmaxNd; the losses are
// NegativeLogLikelihoodLoss (after a log-softmax over the classes for
// SoftmaxCrossEntropyLoss).
// Limitations: BatchNormalization in training mode, and the global pools and
// 1-D MatMul operands of unknown rank, are refused as UNIMPLEMENTED.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_fuse.h"

namespace graphrt::onnx_import {
namespace {

using Ints = std::vector<int64_t>;

std::string Name(OnnxContext& ctx, absl::string_view part = {}) {
  const std::string base = ctx.node().name().empty() ? ctx.node().op_type() : ctx.node().name();
  return part.empty() ? base : absl::StrCat(base, "/", part);
}

// The builder's first error (shape inference names the node), or OK.
absl::Status Built(OnnxContext& ctx) { return ctx.builder().status(); }

Output Op(OnnxContext& ctx, absl::string_view op, std::vector<Output> inputs, AttrMap attrs,
          absl::string_view part = {}) {
  return ctx.builder().Op(op, inputs, std::move(attrs), Name(ctx, part));
}

// A scalar constant of `like`'s float type.
Output ScalarLike(OnnxContext& ctx, const Output& like, double value, absl::string_view part) {
  Tensor t = like.dtype() == DataType::kFloat64 ? Tensor::Scalar<double>(value)
                                                : Tensor::Scalar<float>(static_cast<float>(value));
  return ctx.builder().Const(std::move(t), Name(ctx, part));
}

absl::StatusOr<int> KnownRank(OnnxContext& ctx, const Output& x, const char* what) {
  const PartialShape s = x.shape();
  if (!s.known_rank()) {
    return ctx.Unsupported(what, " needs the input's rank at import time, and it is unknown");
  }
  return s.rank();
}

// [rows, cols] float32 -> [cols, rows].
Tensor TransposedMatrix(const Tensor& w) {
  const int64_t rows = w.dim(0), cols = w.dim(1);
  Tensor t(DataType::kFloat32, TensorShape{cols, rows});
  const float* src = w.data<float>();
  float* dst = t.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
  }
  return t;
}

// FusedMatMul's bias for a Gemm marked by the fusion rewrite, or nullopt
// when this Gemm cannot fuse (Note [Gemm fusion at import], onnx_fuse.h):
// C as a [n] vector (beta applied), or zeros for a fused Relu without C.
absl::StatusOr<std::optional<Output>> FusedGemmBias(OnnxContext& ctx, const Output& a,
                                                    const Output& b, bool tb, bool relu) {
  const float alpha = ctx.FloatAttr("alpha", 1.0f), beta = ctx.FloatAttr("beta", 1.0f);
  const PartialShape bs = b.shape();
  const int64_t n = bs.known_rank() && bs.rank() == 2 ? bs.dim(tb ? 0 : 1) : -1;
  if (a.dtype() != DataType::kFloat32 || alpha != 1.0f || n < 0) return std::nullopt;
  if (!ctx.HasInput(2) || beta == 0.0f) {
    if (!relu) return std::nullopt;  // a plain MatMul is as fast
    Tensor zeros(DataType::kFloat32, TensorShape{n});
    std::fill_n(zeros.data<float>(), n, 0.0f);
    return ctx.builder().Const(std::move(zeros), Name(ctx, "zero_bias"));
  }
  if (absl::StatusOr<Tensor> c = ctx.ConstantInput(2); c.ok()) {
    const bool shape_ok = c->rank() <= 1 || (c->rank() == 2 && c->dim(0) == 1);
    if (c->dtype() != DataType::kFloat32 || !shape_ok ||
        (c->num_elements() != n && c->num_elements() != 1)) {
      return std::nullopt;
    }
    if (c->rank() == 1 && c->dim(0) == n && beta == 1.0f) {
      ASSIGN_OR_RETURN(Output as_is, ctx.Input(2));
      return as_is;
    }
    Tensor bias(DataType::kFloat32, TensorShape{n});
    const float* src = c->data<float>();
    const bool one = c->num_elements() == 1;
    for (int64_t j = 0; j < n; ++j) bias.data<float>()[j] = beta * src[one ? 0 : j];
    return ctx.builder().Const(std::move(bias), Name(ctx, "bias"));
  }
  ASSIGN_OR_RETURN(Output c, ctx.Input(2));
  const PartialShape cs = c.shape();
  if (beta != 1.0f || !cs.known_rank() || cs.rank() != 1 || cs.dim(0) != n) return std::nullopt;
  return c;
}

absl::Status Gemm(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output a, ctx.Input(0));
  const bool ta = ctx.IntAttr("transA", 0) != 0;
  bool tb = ctx.IntAttr("transB", 0) != 0;
  const float alpha = ctx.FloatAttr("alpha", 1.0f), beta = ctx.FloatAttr("beta", 1.0f);
  // PyTorch exports Linear as Gemm(x, W, transB=1) with W an initializer
  // [out, in]. The GEMM would transpose W while packing it on every run;
  // transposed once here, it is read as stored.
  std::optional<Output> b;
  if (tb && a.dtype() == DataType::kFloat32) {
    absl::StatusOr<Tensor> w = ctx.ConstantInput(1);
    if (w.ok() && w->dtype() == DataType::kFloat32 && w->rank() == 2) {
      b = ctx.builder().Const(TransposedMatrix(*w), Name(ctx, "B_transposed"));
      tb = false;
    }
  }
  if (!b.has_value()) {
    ASSIGN_OR_RETURN(b, ctx.Input(1));
  }
  // Note [Gemm fusion at import]: set only by FuseGemms (onnx_fuse.h).
  const std::string fused = ctx.StringAttr(onnx_import::kFusedActivationAttr, "");
  if (!fused.empty() && fused != "None" && fused != "Relu") {
    return ctx.Error("unknown fused activation \"", fused, "\"");
  }
  const bool relu = fused == "Relu";
  if (!fused.empty()) {
    ASSIGN_OR_RETURN(std::optional<Output> bias, FusedGemmBias(ctx, a, *b, tb, relu));
    if (bias.has_value()) {
      Output y = Op(ctx, "FusedMatMul", {a, *b, *bias},
                    {{"transpose_a", ta}, {"transpose_b", tb}, {"activation", fused}});
      RETURN_IF_ERROR(Built(ctx));
      return ctx.SetOutput(0, y);
    }
  }
  Output y = a.dtype() == DataType::kFloat32
                 ? Op(ctx, "MatMul", {a, *b}, {{"transpose_a", ta}, {"transpose_b", tb}})
                 : Op(ctx, "BatchMatMulV2", {a, *b}, {{"adj_x", ta}, {"adj_y", tb}});
  if (alpha != 1.0f) y = Op(ctx, "Mul", {y, ScalarLike(ctx, a, alpha, "alpha")}, {}, "scaled");
  if (ctx.HasInput(2) && beta != 0.0f) {
    ASSIGN_OR_RETURN(Output c, ctx.Input(2));
    if (beta != 1.0f) c = Op(ctx, "Mul", {c, ScalarLike(ctx, a, beta, "beta")}, {}, "beta_c");
    y = Op(ctx, "Add", {y, c}, {}, "plus_c");  // C broadcasts (unidirectionally)
  }
  if (relu) y = Op(ctx, "Relu", {y}, {}, "relu");  // absorbed, but not fused here
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

// numpy matmul: a 1-D left operand is a row, a 1-D right one a column, and
// the added axis is removed from the product.
absl::Status MatMul(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output a, ctx.Input(0));
  ASSIGN_OR_RETURN(Output b, ctx.Input(1));
  ASSIGN_OR_RETURN(int ra, KnownRank(ctx, a, "MatMul"));
  ASSIGN_OR_RETURN(int rb, KnownRank(ctx, b, "MatMul"));
  if (ra == 0 || rb == 0) return ctx.Error("MatMul operands must not be scalars");
  Ints squeeze;
  if (ra == 1) {
    a = Op(ctx, "ExpandDims", {a}, {{"axis", int64_t{0}}}, "a_row");
    squeeze.push_back(-2);
  }
  if (rb == 1) {
    b = Op(ctx, "ExpandDims", {b}, {{"axis", int64_t{-1}}}, "b_column");
    squeeze = ra == 1 ? Ints{-2, -1} : Ints{-1};
  }
  // Plain float32 matrices take MatMul's GEMM (kernels/cpu/gemm_avx2.h).
  Output y = ra == 2 && rb == 2 && a.dtype() == DataType::kFloat32
                 ? Op(ctx, "MatMul", {a, b}, {})
                 : Op(ctx, "BatchMatMulV2", {a, b}, {});
  if (!squeeze.empty()) y = Op(ctx, "Squeeze", {y}, {{"squeeze_dims", squeeze}}, "squeeze");
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

AttrMap WindowAttrs(OnnxContext& ctx) {
  std::string auto_pad = ctx.StringAttr("auto_pad", "NOTSET");
  return {{"strides", ctx.IntsAttr("strides")},
          {"dilations", ctx.IntsAttr("dilations")},
          {"pads", ctx.IntsAttr("pads")},
          {"auto_pad", auto_pad.empty() ? std::string("NOTSET") : auto_pad}};
}

// Conv and ConvTranspose: X, W and the optional bias B (left out: an empty
// [0] tensor, which ConvNd and ConvTransposeNd read as no bias).
absl::StatusOr<std::vector<Output>> ConvInputs(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output w, ctx.Input(1));
  Output b;
  if (ctx.HasInput(2)) {
    ASSIGN_OR_RETURN(b, ctx.Input(2));
  } else {
    b = ctx.builder().Const(Tensor(DataType::kFloat32, TensorShape{0}), Name(ctx, "no_bias"));
  }
  return std::vector<Output>{x, w, b};
}

absl::Status Conv(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<Output> in, ConvInputs(ctx));
  AttrMap attrs = WindowAttrs(ctx);
  attrs["group"] = ctx.IntAttr("group", 1);
  Output y = Op(ctx, "ConvNd", std::move(in), std::move(attrs));
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status ConvTranspose(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<Output> in, ConvInputs(ctx));
  AttrMap attrs = WindowAttrs(ctx);
  attrs["group"] = ctx.IntAttr("group", 1);
  attrs["output_padding"] = ctx.IntsAttr("output_padding");
  attrs["output_shape"] = ctx.IntsAttr("output_shape");
  Output y = Op(ctx, "ConvTransposeNd", std::move(in), std::move(attrs));
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status Pool(OnnxContext& ctx, bool max) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  AttrMap attrs = WindowAttrs(ctx);
  const Ints kernel = ctx.IntsAttr("kernel_shape");
  if (kernel.empty()) return ctx.Error("kernel_shape is required");
  attrs["kernel_shape"] = kernel;
  attrs["ceil_mode"] = ctx.IntAttr("ceil_mode", 0) != 0;
  if (max) {
    attrs["storage_order"] = ctx.IntAttr("storage_order", 0);
  } else {
    attrs["count_include_pad"] = ctx.IntAttr("count_include_pad", 0) != 0;
  }
  const int id = ctx.builder().AddNode(max ? "MaxPoolNd" : "AvgPoolNd", std::vector<Output>{x},
                                       std::move(attrs), Name(ctx));
  RETURN_IF_ERROR(Built(ctx));
  RETURN_IF_ERROR(ctx.SetOutput(0, Output(&ctx.builder(), id, 0)));
  if (max && ctx.num_outputs() > 1) RETURN_IF_ERROR(ctx.SetOutput(1, Output(&ctx.builder(), id, 1)));
  return absl::OkStatus();
}

absl::Status MaxPool(OnnxContext& ctx) { return Pool(ctx, true); }
absl::Status AveragePool(OnnxContext& ctx) { return Pool(ctx, false); }

absl::Status GlobalPool(OnnxContext& ctx, const char* reduction) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(int rank, KnownRank(ctx, x, ctx.node().op_type().c_str()));
  if (rank < 3) return ctx.Error("input must be [N, C, D...], got rank ", rank);
  Ints axes;
  for (int i = 2; i < rank; ++i) axes.push_back(i);
  Output y = Op(ctx, reduction, {x}, {{"axis", axes}, {"keep_dims", true}});
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

// |x|^p for LpNormalization and the Lp pools (p = 1: |x|; p = 2: x * x).
absl::StatusOr<Output> AbsPow(OnnxContext& ctx, Output x, int64_t p) {
  if (p < 1) return ctx.Error("p must be >= 1, got ", p);
  if (p == 2) return Op(ctx, "Mul", {x, x}, {}, "x_sq");
  Output a = Op(ctx, "Abs", {x}, {}, "abs");
  if (p == 1) return a;
  return Op(ctx, "Pow", {a, ScalarLike(ctx, x, static_cast<double>(p), "p")}, {}, "abs_p");
}

// sum^(1/p): the inverse of AbsPow's power.
Output Root(OnnxContext& ctx, Output sum, int64_t p) {
  if (p == 1) return sum;
  if (p == 2) return Op(ctx, "Sqrt", {sum}, {});
  return Op(ctx, "Pow", {sum, ScalarLike(ctx, sum, 1.0 / static_cast<double>(p), "inv_p")}, {});
}

// x / ||x||_p along `axis` (p 1 or 2, as ONNX allows).
absl::Status LpNormalization(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const int64_t p = ctx.IntAttr("p", 2);
  if (p != 1 && p != 2) return ctx.Error("p must be 1 or 2, got ", p);
  ASSIGN_OR_RETURN(Output ap, AbsPow(ctx, x, p));
  Output sum = Op(ctx, "Sum", {ap}, {{"axis", Ints{ctx.IntAttr("axis", -1)}}, {"keep_dims", true}},
                  "sum");
  Output y = Op(ctx, "Div", {x, Root(ctx, sum, p)}, {}, "y");
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

// (sum over the window of |x|^p)^(1/p): the window sum is AvgPoolNd with
// padding counted (pads hold 0, whose |0|^p adds nothing) times the window
// size.
absl::Status LpPool(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const Ints kernel = ctx.IntsAttr("kernel_shape");
  if (kernel.empty()) return ctx.Error("kernel_shape is required");
  ASSIGN_OR_RETURN(Output ap, AbsPow(ctx, x, ctx.IntAttr("p", 2)));
  AttrMap attrs = WindowAttrs(ctx);
  attrs["kernel_shape"] = kernel;
  attrs["ceil_mode"] = false;
  attrs["count_include_pad"] = true;
  int64_t size = 1;
  for (int64_t k : kernel) size *= k;
  Output avg = Op(ctx, "AvgPoolNd", {ap}, std::move(attrs), "window_mean");
  Output sum = Op(ctx, "Mul", {avg, ScalarLike(ctx, x, static_cast<double>(size), "size")}, {},
                  "window_sum");
  Output y = Root(ctx, sum, ctx.IntAttr("p", 2));
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status GlobalLpPool(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(int rank, KnownRank(ctx, x, "GlobalLpPool"));
  if (rank < 3) return ctx.Error("input must be [N, C, D...], got rank ", rank);
  Ints axes;
  for (int i = 2; i < rank; ++i) axes.push_back(i);
  const int64_t p = ctx.IntAttr("p", 2);
  ASSIGN_OR_RETURN(Output ap, AbsPow(ctx, x, p));
  Output y = Root(ctx, Op(ctx, "Sum", {ap}, {{"axis", axes}, {"keep_dims", true}}, "sum"), p);
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status GlobalAveragePool(OnnxContext& ctx) { return GlobalPool(ctx, "Mean"); }
absl::Status GlobalMaxPool(OnnxContext& ctx) { return GlobalPool(ctx, "Max"); }

// A per-channel [C] value as [C, 1, ..., 1], to broadcast over [N, C, D...].
Output PerChannel(OnnxContext& ctx, Output v, int rank, absl::string_view part) {
  Ints shape(std::max(rank - 1, 1), 1);
  shape[0] = -1;
  return Op(ctx, "Reshape", {v}, {{"shape", shape}}, part);
}

// BatchNormalization's a = scale / sqrt(var + epsilon) and b = bias - mean * a
// as [C, 1, ..., 1] constants of `dtype` (float32/64), when its four
// parameters are known at import time and are [C] vectors; else nullopt.
std::optional<std::pair<Tensor, Tensor>> ConstantBatchNorm(OnnxContext& ctx, DataType dtype,
                                                           int rank, float eps) {
  if (dtype != DataType::kFloat32 && dtype != DataType::kFloat64) return std::nullopt;
  std::vector<std::vector<double>> p;
  for (int i = 1; i < 5; ++i) {
    absl::StatusOr<Tensor> t = ctx.ConstantInput(i);
    if (!t.ok() || t->dtype() != dtype || t->rank() != 1) return std::nullopt;
    std::vector<double> v;
    if (dtype == DataType::kFloat32) {
      for (float f : t->flat<float>()) v.push_back(f);
    } else {
      for (double d : t->flat<double>()) v.push_back(d);
    }
    if (!p.empty() && v.size() != p[0].size()) return std::nullopt;
    p.push_back(std::move(v));
  }
  const int64_t c = static_cast<int64_t>(p[0].size());
  std::vector<int64_t> dims(std::max(rank - 1, 1), 1);
  dims[0] = c;
  Tensor a(dtype, TensorShape(dims)), b(dtype, TensorShape(dims));
  for (int64_t k = 0; k < c; ++k) {
    const double ak = p[0][k] / std::sqrt(p[3][k] + static_cast<double>(eps));
    const double bk = p[1][k] - p[2][k] * ak;
    if (dtype == DataType::kFloat32) {
      a.flat<float>()[k] = static_cast<float>(ak);
      b.flat<float>()[k] = static_cast<float>(bk);
    } else {
      a.flat<double>()[k] = ak;
      b.flat<double>()[k] = bk;
    }
  }
  return std::make_pair(std::move(a), std::move(b));
}

// Inference: y = x * a + b, a = scale / sqrt(var + epsilon), b = bias - mean * a.
absl::Status BatchNormalization(OnnxContext& ctx) {
  if (ctx.IntAttr("training_mode", 0) != 0 || ctx.HasOutput(1) || ctx.HasOutput(2)) {
    return ctx.Unsupported("training mode (running statistics as outputs); graphrt imports "
                           "BatchNormalization for inference only");
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(int rank, KnownRank(ctx, x, "BatchNormalization"));
  const float eps = ctx.FloatAttr("epsilon", 1e-5f);
  // Constant parameters (the usual case when the BN was not folded into the
  // op before it, onnx_fold.h): a and b computed here in double, so the run
  // costs one Mul and one Add.
  if (std::optional<std::pair<Tensor, Tensor>> ab = ConstantBatchNorm(ctx, x.dtype(), rank, eps)) {
    Output y = Op(ctx, "Mul", {x, ctx.builder().Const(ab->first, Name(ctx, "a"))}, {}, "x_a");
    y = Op(ctx, "Add", {y, ctx.builder().Const(ab->second, Name(ctx, "b"))}, {});
    RETURN_IF_ERROR(Built(ctx));
    return ctx.SetOutput(0, y);
  }
  std::vector<Output> in;
  for (int i = 1; i < 5; ++i) {
    ASSIGN_OR_RETURN(Output v, ctx.Input(i));
    in.push_back(v);
  }
  Output var_eps = Op(ctx, "Add", {in[3], ScalarLike(ctx, x, eps, "epsilon")}, {}, "var_eps");
  Output a = Op(ctx, "Mul", {in[0], Op(ctx, "Rsqrt", {var_eps}, {}, "inv_std")}, {}, "a");
  Output b = Op(ctx, "Sub", {in[1], Op(ctx, "Mul", {in[2], a}, {}, "mean_a")}, {}, "b");
  Output y = Op(ctx, "Mul", {x, PerChannel(ctx, a, rank, "a_c")}, {}, "x_a");
  y = Op(ctx, "Add", {y, PerChannel(ctx, b, rank, "b_c")}, {});
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status InstanceNormalization(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output scale, ctx.Input(1));
  ASSIGN_OR_RETURN(Output bias, ctx.Input(2));
  ASSIGN_OR_RETURN(int rank, KnownRank(ctx, x, "InstanceNormalization"));
  Output z = Op(ctx, "Standardize", {x},
                {{"axis", int64_t{2}}, {"epsilon", ctx.FloatAttr("epsilon", 1e-5f)}}, "z");
  Output y = Op(ctx, "Mul", {z, PerChannel(ctx, scale, rank, "scale_c")}, {}, "scaled");
  y = Op(ctx, "Add", {y, PerChannel(ctx, bias, rank, "bias_c")}, {});
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status LayerNormalization(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output scale, ctx.Input(1));
  const int id = ctx.builder().AddNode(
      "Standardize", std::vector<Output>{x},
      {{"axis", ctx.IntAttr("axis", -1)}, {"epsilon", ctx.FloatAttr("epsilon", 1e-5f)}},
      Name(ctx, "z"));
  RETURN_IF_ERROR(Built(ctx));
  Output y = Op(ctx, "Mul", {Output(&ctx.builder(), id, 0), scale}, {}, "scaled");
  if (ctx.HasInput(2)) {
    ASSIGN_OR_RETURN(Output bias, ctx.Input(2));
    y = Op(ctx, "Add", {y, bias}, {});
  }
  RETURN_IF_ERROR(Built(ctx));
  RETURN_IF_ERROR(ctx.SetOutput(0, y));
  if (ctx.num_outputs() > 1) RETURN_IF_ERROR(ctx.SetOutput(1, Output(&ctx.builder(), id, 1)));
  if (ctx.num_outputs() > 2) RETURN_IF_ERROR(ctx.SetOutput(2, Output(&ctx.builder(), id, 2)));
  return absl::OkStatus();
}

absl::Status Lrn(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  Output y = Op(ctx, "LRNChannelsFirst", {x},
                {{"size", ctx.IntAttr("size", 1)},
                 {"alpha", ctx.FloatAttr("alpha", 1e-4f)},
                 {"beta", ctx.FloatAttr("beta", 0.75f)},
                 {"bias", ctx.FloatAttr("bias", 1.0f)}});
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

// Before opset 13 the three flatten the input to 2-D at `axis` (default 1);
// from 13 on they work along the one axis (default -1).
absl::Status SoftmaxFamily(OnnxContext& ctx, const char* mode) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const bool coerce = ctx.opset() < 13;
  Output y = Op(ctx, "SoftmaxNd", {x},
                {{"axis", ctx.IntAttr("axis", coerce ? 1 : -1)},
                 {"mode", std::string(mode)},
                 {"coerce_2d", coerce}});
  RETURN_IF_ERROR(Built(ctx));
  return ctx.SetOutput(0, y);
}

absl::Status Softmax(OnnxContext& ctx) { return SoftmaxFamily(ctx, "softmax"); }
absl::Status LogSoftmax(OnnxContext& ctx) { return SoftmaxFamily(ctx, "log_softmax"); }
absl::Status Hardmax(OnnxContext& ctx) { return SoftmaxFamily(ctx, "hardmax"); }

absl::StatusOr<Output> Nll(OnnxContext& ctx, Output log_prob) {
  ASSIGN_OR_RETURN(Output target, ctx.Input(1));
  Output weight;
  if (ctx.HasInput(2)) {
    ASSIGN_OR_RETURN(weight, ctx.Input(2));
  } else {
    weight = ctx.builder().Const(Tensor(DataType::kFloat32, TensorShape{0}), Name(ctx, "no_weight"));
  }
  AttrMap attrs{{"reduction", ctx.StringAttr("reduction", "mean")},
                {"has_ignore_index", ctx.FindAttr("ignore_index") != nullptr},
                {"ignore_index", ctx.IntAttr("ignore_index", 0)}};
  Output loss = Op(ctx, "NegativeLogLikelihoodLoss", {log_prob, target, weight}, std::move(attrs));
  RETURN_IF_ERROR(Built(ctx));
  return loss;
}

absl::Status NegativeLogLikelihoodLoss(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output input, ctx.Input(0));
  ASSIGN_OR_RETURN(Output loss, Nll(ctx, input));
  return ctx.SetOutput(0, loss);
}

absl::Status SoftmaxCrossEntropyLoss(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output scores, ctx.Input(0));
  Output log_prob = Op(ctx, "SoftmaxNd", {scores},
                       {{"axis", int64_t{1}}, {"mode", std::string("log_softmax")}}, "log_prob");
  ASSIGN_OR_RETURN(Output loss, Nll(ctx, log_prob));
  RETURN_IF_ERROR(ctx.SetOutput(0, loss));
  if (ctx.num_outputs() > 1) RETURN_IF_ERROR(ctx.SetOutput(1, log_prob));
  return absl::OkStatus();
}

}  // namespace

void AddNnConverters(std::vector<OnnxConverter>& table) {
  table.insert(table.end(), {
                                {"Gemm", 1, Gemm},
                                {"MatMul", 1, MatMul},
                                {"Conv", 1, Conv},
                                {"ConvTranspose", 1, ConvTranspose},
                                {"MaxPool", 1, MaxPool},
                                {"AveragePool", 1, AveragePool},
                                {"GlobalAveragePool", 1, GlobalAveragePool},
                                {"GlobalMaxPool", 1, GlobalMaxPool},
                                {"LpNormalization", 1, LpNormalization},
                                {"LpPool", 2, LpPool},
                                {"GlobalLpPool", 2, GlobalLpPool},
                                {"BatchNormalization", 1, BatchNormalization},
                                {"InstanceNormalization", 1, InstanceNormalization},
                                {"LayerNormalization", 17, LayerNormalization},
                                {"LRN", 1, Lrn},
                                {"Softmax", 1, Softmax},
                                {"LogSoftmax", 1, LogSoftmax},
                                {"Hardmax", 1, Hardmax},
                                {"NegativeLogLikelihoodLoss", 12, NegativeLogLikelihoodLoss},
                                {"SoftmaxCrossEntropyLoss", 12, SoftmaxCrossEntropyLoss},
                            });
}

}  // namespace graphrt::onnx_import
