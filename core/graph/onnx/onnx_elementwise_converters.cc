// ONNX converters of the elementwise family: arithmetic, comparison, logic,
// Where, IsNaN/IsInf, unary math and activations (onnx_converter.h).
//
// Most ONNX ops map onto one graphrt op of elementwise_ops.h / math_ops.h
// with the same broadcasting (ONNX's multidirectional broadcast is numpy's).
// The rest become a few ops:
//   - Sum, Mean, Min, Max (any number of inputs): a chain of Add / Minimum /
//     Maximum, Mean then divided by the count; one input is an Identity.
//   - Clip: Maximum with min, then Minimum with max (each only when given),
//     from attrs before opset 11 and from optional inputs after.
//   - Pow with mixed types (opset 12+): an integer exponent of a float base
//     is cast to the base's type; an integer base with a float exponent is
//     raised in the exponent's type and cast back, as ONNX's reference does.
//   - Mod: fmod = 0 is FloorMod (the divisor's sign), fmod = 1 TruncateMod.
//   - BitShift: LeftShift or RightShift by its direction attr.
//   - Add, Sub, Mul, Div, Pow and PRelu before opset 7: Note [Opset-6
//     broadcasting] below.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {
namespace {

// Binds output 0 to `out`, or reports why the builder refused it.
absl::Status Bind(OnnxContext& ctx, Output out) {
  if (!out.valid()) {
    const absl::Status& s = ctx.builder().status();
    return ctx.Error(s.ok() ? "the graph builder gave no output" : s.message());
  }
  return ctx.SetOutput(0, out);
}

absl::StatusOr<std::vector<Output>> Inputs(OnnxContext& ctx) {
  std::vector<Output> in;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.HasInput(i)) continue;
    ASSIGN_OR_RETURN(Output x, ctx.Input(i));
    in.push_back(x);
  }
  return in;
}

// The graphrt op `op` over every input, with `attrs`.
absl::Status Same(OnnxContext& ctx, const char* op, AttrMap attrs = {}) {
  ASSIGN_OR_RETURN(std::vector<Output> in, Inputs(ctx));
  return Bind(ctx, ctx.builder().Op(op, in, std::move(attrs)));
}

// A scalar constant of `dtype` holding `value`.
absl::StatusOr<Output> ScalarOf(OnnxContext& ctx, DataType dtype, double value) {
  GraphBuilder& b = ctx.builder();
  std::optional<Output> out;
  VisitElementType(
      dtype,
      [&]<typename T>() {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
          out = b.Scalar<T>(static_cast<T>(value));
        }
        return 0;
      },
      0);
  if (!out) return ctx.Unsupported("no scalar constant of dtype ", DataTypeName(dtype));
  return *out;
}

// Sum, Mean, Min, Max: `op` folded over the inputs, left to right.
absl::Status Variadic(OnnxContext& ctx, const char* op, bool mean = false) {
  ASSIGN_OR_RETURN(std::vector<Output> in, Inputs(ctx));
  if (in.empty()) return ctx.Error("needs at least one input");
  GraphBuilder& b = ctx.builder();
  Output acc = in[0];
  if (in.size() == 1) {
    const Output only[] = {acc};
    acc = b.Op("Identity", only);
  }
  for (size_t i = 1; i < in.size(); ++i) {
    const Output pair[] = {acc, in[i]};
    acc = b.Op(op, pair);
  }
  if (mean && in.size() > 1 && acc.valid()) {
    ASSIGN_OR_RETURN(Output n, ScalarOf(ctx, acc.dtype(), static_cast<double>(in.size())));
    const Output pair[] = {acc, n};
    acc = b.Op("Div", pair);
  }
  return Bind(ctx, acc);
}

Output Cast(GraphBuilder& b, Output x, DataType to) {
  const Output in[] = {x};
  return b.Op("Cast", in, {{"DstT", to}});
}

absl::Status Pow(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output y, ctx.Input(1));
  GraphBuilder& b = ctx.builder();
  const DataType tx = x.dtype(), ty = y.dtype();
  if (tx != ty) {
    if (IsIntegerType(tx) && IsFloatingType(ty)) {
      const Output pair[] = {Cast(b, x, ty), y};
      return Bind(ctx, Cast(b, b.Op("Pow", pair), tx));
    }
    y = Cast(b, y, tx);
  }
  const Output pair[] = {x, y};
  return Bind(ctx, b.Op("Pow", pair));
}

absl::Status Mod(OnnxContext& ctx) {
  return Same(ctx, ctx.IntAttr("fmod", 0) != 0 ? "TruncateMod" : "FloorMod");
}

absl::Status BitShift(OnnxContext& ctx) {
  const std::string dir = ctx.StringAttr("direction", "");
  if (dir == "LEFT") return Same(ctx, "LeftShift");
  if (dir == "RIGHT") return Same(ctx, "RightShift");
  return ctx.Error("attr 'direction' must be \"LEFT\" or \"RIGHT\", got \"", dir, "\"");
}

absl::Status IsInf(OnnxContext& ctx) {
  return Same(ctx, "IsInf",
              {{"detect_positive", ctx.IntAttr("detect_positive", 1) != 0},
               {"detect_negative", ctx.IntAttr("detect_negative", 1) != 0}});
}

// Clip: lower bound, then upper; an absent bound is no bound.
absl::Status Clip(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  GraphBuilder& b = ctx.builder();
  std::optional<Output> lo, hi;
  if (ctx.opset() < 11) {
    if (ctx.FindAttr("min") != nullptr) {
      ASSIGN_OR_RETURN(lo, ScalarOf(ctx, x.dtype(), ctx.FloatAttr("min", 0)));
    }
    if (ctx.FindAttr("max") != nullptr) {
      ASSIGN_OR_RETURN(hi, ScalarOf(ctx, x.dtype(), ctx.FloatAttr("max", 0)));
    }
  } else {
    if (ctx.HasInput(1)) {
      ASSIGN_OR_RETURN(lo, ctx.Input(1));
    }
    if (ctx.HasInput(2)) {
      ASSIGN_OR_RETURN(hi, ctx.Input(2));
    }
  }
  Output y = x;
  if (lo) {
    const Output pair[] = {y, *lo};
    y = b.Op("Maximum", pair);
  }
  if (hi) {
    const Output pair[] = {y, *hi};
    y = b.Op("Minimum", pair);
  }
  if (!lo && !hi) {
    const Output only[] = {x};
    y = b.Op("Identity", only);
  }
  return Bind(ctx, y);
}

// An activation with float attrs: each read with ONNX's default.
absl::Status Activation(OnnxContext& ctx, const char* op,
                        std::initializer_list<std::pair<const char*, float>> attrs) {
  AttrMap map;
  for (const auto& [name, fallback] : attrs) map[name] = ctx.FloatAttr(name, fallback);
  return Same(ctx, op, std::move(map));
}

// Note [Opset-6 broadcasting]
// Before opset 7, Add, Sub, Mul, Div and Pow broadcast only when the
// `broadcast` attr is 1, B onto A: B's dims match A's from `axis` on (by
// default A's trailing dims, which is numpy's rule). So numpy broadcasting
// gives the same result once B gets a trailing 1 per dim of A after B's
// last; with broadcast 0 the shapes must be equal (numpy agrees). PRelu
// before 7 takes one slope per channel: a [C] slope of an [N, C, D...] x
// is laid along axis 1 (PyTorch's exports rely on it).
absl::Status LegacyBinary(OnnxContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Output a, ctx.Input(0));
  ASSIGN_OR_RETURN(Output b, ctx.Input(1));
  GraphBuilder& gb = ctx.builder();
  const onnx::AttributeProto* axis_attr = ctx.FindAttr("axis");
  if (ctx.IntAttr("broadcast", 0) != 0 && axis_attr != nullptr) {
    const PartialShape sa = a.shape(), sb = b.shape();
    if (!sa.known_rank() || !sb.known_rank()) {
      return ctx.Unsupported("broadcast with axis needs both operands' ranks at import time");
    }
    int64_t axis = axis_attr->i();
    if (axis < 0) axis += sa.rank();
    const int64_t trailing = sa.rank() - axis - sb.rank();
    if (axis < 0 || trailing < 0) {
      return ctx.Error("broadcast axis ", axis_attr->i(), " does not fit B (rank ", sb.rank(),
                       ") into A (rank ", sa.rank(), ")");
    }
    for (int64_t k = 0; k < trailing; ++k) {
      const Output in[] = {b};
      b = gb.Op("ExpandDims", in, {{"axis", int64_t{-1}}});
    }
  }
  const Output pair[] = {a, b};
  return Bind(ctx, gb.Op(op, pair));
}

absl::Status LegacyPRelu(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output slope, ctx.Input(1));
  const PartialShape sx = x.shape(), ss = slope.shape();
  if (sx.known_rank() && sx.rank() > 2 && ss.known_rank() && ss.rank() == 1 && ss.dim(0) != 1) {
    std::vector<int64_t> dims(sx.rank() - 1, 1);
    dims[0] = -1;
    const Output in[] = {slope};
    slope = ctx.builder().Op("Reshape", in, {{"shape", dims}});
  }
  const Output pair[] = {x, slope};
  return Bind(ctx, ctx.builder().Op("PRelu", pair));
}

#define GRAPHRT_SAME(onnx_op, since, graphrt_op) \
  {onnx_op, since, [](OnnxContext& c) { return Same(c, graphrt_op); }}

}  // namespace

void AddElementwiseConverters(std::vector<OnnxConverter>& t) {
  const std::vector<OnnxConverter> entries = {
      // Arithmetic (numpy broadcasting from opset 7).
      // Opsets 1 to 6: the `broadcast` attr (Note [Opset-6 broadcasting]).
      {"Add", 1, [](OnnxContext& c) { return LegacyBinary(c, "Add"); }},
      {"Sub", 1, [](OnnxContext& c) { return LegacyBinary(c, "Sub"); }},
      {"Mul", 1, [](OnnxContext& c) { return LegacyBinary(c, "Mul"); }},
      {"Div", 1, [](OnnxContext& c) { return LegacyBinary(c, "Div"); }},
      {"Pow", 1, [](OnnxContext& c) { return LegacyBinary(c, "Pow"); }},
      {"PRelu", 1, LegacyPRelu},
      GRAPHRT_SAME("Add", 7, "Add"),
      GRAPHRT_SAME("Sub", 7, "Sub"),
      GRAPHRT_SAME("Mul", 7, "Mul"),
      GRAPHRT_SAME("Div", 7, "Div"),
      {"Pow", 7, Pow},
      {"Mod", 10, Mod},
      {"BitShift", 11, BitShift},
      {"Sum", 6, [](OnnxContext& c) { return Variadic(c, "Add"); }},
      {"Mean", 6, [](OnnxContext& c) { return Variadic(c, "Add", /*mean=*/true); }},
      {"Min", 6, [](OnnxContext& c) { return Variadic(c, "Minimum"); }},
      {"Max", 6, [](OnnxContext& c) { return Variadic(c, "Maximum"); }},
      // Comparison and logic.
      GRAPHRT_SAME("Equal", 7, "Equal"),
      GRAPHRT_SAME("Less", 7, "Less"),
      GRAPHRT_SAME("LessOrEqual", 12, "LessEqual"),
      GRAPHRT_SAME("Greater", 7, "Greater"),
      GRAPHRT_SAME("GreaterOrEqual", 12, "GreaterEqual"),
      GRAPHRT_SAME("And", 7, "LogicalAnd"),
      GRAPHRT_SAME("Or", 7, "LogicalOr"),
      GRAPHRT_SAME("Xor", 7, "LogicalXor"),
      GRAPHRT_SAME("Not", 1, "LogicalNot"),
      GRAPHRT_SAME("Where", 9, "SelectV2"),
      GRAPHRT_SAME("IsNaN", 9, "IsNan"),
      {"IsInf", 10, IsInf},
      // Unary math.
      GRAPHRT_SAME("Abs", 6, "Abs"),
      GRAPHRT_SAME("Neg", 6, "Neg"),
      GRAPHRT_SAME("Reciprocal", 6, "Reciprocal"),
      GRAPHRT_SAME("Sqrt", 6, "Sqrt"),
      GRAPHRT_SAME("Exp", 6, "Exp"),
      GRAPHRT_SAME("Log", 6, "Log"),
      GRAPHRT_SAME("Erf", 9, "Erf"),
      GRAPHRT_SAME("Floor", 6, "Floor"),
      GRAPHRT_SAME("Ceil", 6, "Ceil"),
      GRAPHRT_SAME("Round", 11, "Round"),
      GRAPHRT_SAME("Sign", 9, "Sign"),
      GRAPHRT_SAME("Sin", 7, "Sin"),
      GRAPHRT_SAME("Cos", 7, "Cos"),
      GRAPHRT_SAME("Tan", 7, "Tan"),
      GRAPHRT_SAME("Asin", 7, "Asin"),
      GRAPHRT_SAME("Acos", 7, "Acos"),
      GRAPHRT_SAME("Atan", 7, "Atan"),
      GRAPHRT_SAME("Sinh", 9, "Sinh"),
      GRAPHRT_SAME("Cosh", 9, "Cosh"),
      GRAPHRT_SAME("Asinh", 9, "Asinh"),
      GRAPHRT_SAME("Acosh", 9, "Acosh"),
      GRAPHRT_SAME("Atanh", 9, "Atanh"),
      GRAPHRT_SAME("Sigmoid", 6, "Sigmoid"),
      GRAPHRT_SAME("Tanh", 6, "Tanh"),
      GRAPHRT_SAME("Relu", 6, "Relu"),
      // Activations, with ONNX's defaults (LeakyRelu's alpha is 0.01 here, 0.2 in TF).
      {"LeakyRelu", 6, [](OnnxContext& c) { return Activation(c, "LeakyRelu", {{"alpha", 0.01f}}); }},
      {"Elu", 6, [](OnnxContext& c) { return Activation(c, "Elu", {{"alpha", 1.0f}}); }},
      {"Celu", 12, [](OnnxContext& c) { return Activation(c, "Celu", {{"alpha", 1.0f}}); }},
      {"Selu", 6,
       [](OnnxContext& c) {
         return Activation(c, "Selu", {{"alpha", 1.67326319217681884765625f},
                                       {"gamma", 1.05070102214813232421875f}});
       }},
      {"HardSigmoid", 6,
       [](OnnxContext& c) {
         return Activation(c, "HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}});
       }},
      {"ThresholdedRelu", 10,
       [](OnnxContext& c) { return Activation(c, "ThresholdedRelu", {{"alpha", 1.0f}}); }},
      GRAPHRT_SAME("Softplus", 1, "Softplus"),
      GRAPHRT_SAME("Softsign", 1, "Softsign"),
      GRAPHRT_SAME("HardSwish", 14, "HardSwish"),
      GRAPHRT_SAME("PRelu", 7, "PRelu"),
      {"Clip", 6, Clip},
  };
  t.insert(t.end(), entries.begin(), entries.end());
}

#undef GRAPHRT_SAME

}  // namespace graphrt::onnx_import
