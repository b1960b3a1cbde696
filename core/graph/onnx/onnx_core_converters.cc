// ONNX converters of the core family: Constant, Identity, Cast, CastLike,
// Dropout (inference). Constant inputs fold at import time where that keeps
// shape arguments of later nodes known (see ConstantInput).
#include <type_traits>
#include <vector>

#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/ops/array_ops.h"

namespace graphrt::onnx_import {
namespace {

absl::Status ConvertConstant(OnnxContext& ctx) {
  const onnx::NodeProto& n = ctx.node();
  if (n.attribute_size() != 1) {
    return ctx.Error("needs exactly one value attribute (value, value_float, value_floats, "
                     "value_int, value_ints), has ", n.attribute_size());
  }
  const onnx::AttributeProto& a = n.attribute(0);
  const std::string& name = a.name();
  if (name == "value") {
    ASSIGN_OR_RETURN(Tensor t, ctx.TensorAttr("value"));
    return ctx.SetConstantOutput(0, std::move(t));
  }
  if (name == "value_float") return ctx.SetConstantOutput(0, Tensor::Scalar<float>(a.f()));
  if (name == "value_int") return ctx.SetConstantOutput(0, Tensor::Scalar<int64_t>(a.i()));
  if (name == "value_floats") {
    return ctx.SetConstantOutput(
        0, Tensor::FromVector(std::vector<float>(a.floats().begin(), a.floats().end())));
  }
  if (name == "value_ints") {
    return ctx.SetConstantOutput(
        0, Tensor::FromVector(std::vector<int64_t>(a.ints().begin(), a.ints().end())));
  }
  if (name == "sparse_value") return ctx.Unsupported("sparse constants are not imported");
  if (name == "value_string" || name == "value_strings") {
    return ctx.Unsupported("string constants are not imported (graphrt has no string dtype)");
  }
  return ctx.Error("unknown attribute '", name, "'");
}

absl::Status ConvertIdentity(OnnxContext& ctx) {
  if (absl::StatusOr<Tensor> c = ctx.ConstantInput(0); c.ok()) {
    return ctx.SetConstantOutput(0, *std::move(c));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::Identity(x, ctx.node().name()));
}

// Integer and bool constants cast at import time, so a Cast in a shape
// computation (Reshape(x, Cast(Constant))) keeps the shape known. Floats
// are left to the kernel: out-of-range float-to-int casts are undefined in
// C++ and the kernel owns that rule.
std::optional<Tensor> FoldIntegerCast(const Tensor& in, DataType to) {
  if (!(IsIntegerType(in.dtype()) || in.dtype() == DataType::kBool)) return std::nullopt;
  if (!(IsIntegerType(to) || to == DataType::kBool || to == DataType::kFloat32 ||
        to == DataType::kFloat64)) {
    return std::nullopt;
  }
  Tensor out(to, in.shape());
  bool ok = VisitElementType(in.dtype(), [&]<typename From>() {
    if constexpr (!std::is_arithmetic_v<From>) {
      return false;  // float16: left to the kernel
    } else {
      return VisitElementType(to, [&]<typename To>() {
        if constexpr (!std::is_arithmetic_v<To>) {
          return false;
        } else {
          const From* src = in.data<From>();
          To* dst = out.data<To>();
          for (int64_t i = 0; i < in.num_elements(); ++i) {
            if constexpr (std::is_same_v<To, bool>) {
              dst[i] = src[i] != 0;
            } else {
              dst[i] = static_cast<To>(src[i]);
            }
          }
          return true;
        }
      }, false);
    }
  }, false);
  if (!ok) return std::nullopt;
  return out;
}

absl::Status CastTo(OnnxContext& ctx, DataType to) {
  if (absl::StatusOr<Tensor> c = ctx.ConstantInput(0); c.ok()) {
    if (std::optional<Tensor> folded = FoldIntegerCast(*c, to)) {
      return ctx.SetConstantOutput(0, *std::move(folded));
    }
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::Cast(x, to, ctx.node().name()));
}

absl::Status ConvertCast(OnnxContext& ctx) {
  const onnx::AttributeProto* to = ctx.FindAttr("to");
  if (to == nullptr) return ctx.Error("attr 'to' is not set");
  absl::StatusOr<DataType> dtype = DataTypeFromOnnx(static_cast<int32_t>(to->i()));
  if (!dtype.ok()) {
    return dtype.status().code() == absl::StatusCode::kUnimplemented
               ? ctx.Unsupported("cast to ", dtype.status().message())
               : ctx.Error("attr 'to': ", dtype.status().message());
  }
  return CastTo(ctx, *dtype);
}

absl::Status ConvertCastLike(OnnxContext& ctx) {
  // Only the target's dtype matters: read it without making a node for it.
  DataType to = DataType::kInvalid;
  if (absl::StatusOr<Tensor> c = ctx.ConstantInput(1); c.ok()) {
    to = c->dtype();
  } else {
    ASSIGN_OR_RETURN(Output like, ctx.Input(1));
    to = like.dtype();
  }
  return CastTo(ctx, to);
}

// Dropout at inference is the identity; its optional mask is all true
// (opsets 10+: bool; opsets 7 to 9: the input's dtype, all ones). Training
// mode with a non-zero ratio is random and refused.
absl::Status ConvertDropout(OnnxContext& ctx) {
  if (ctx.opset() >= 12 && ctx.HasInput(2)) {
    float ratio = 0.5f;
    if (ctx.HasInput(1)) {
      absl::StatusOr<Tensor> r = ctx.ConstantInput(1);
      if (!r.ok()) return ctx.Unsupported("ratio must be known at import time in training mode");
      if (r->num_elements() != 1) return ctx.Error("ratio must be a scalar, got ", r->ShapeString());
      if (r->dtype() == DataType::kFloat32) ratio = r->data<float>()[0];
      else if (r->dtype() == DataType::kFloat64) ratio = static_cast<float>(r->data<double>()[0]);
      else if (r->dtype() == DataType::kFloat16) ratio = HalfToFloat(r->data<Float16>()[0]);
    }
    // A zero ratio keeps every element whatever the mode.
    if (ratio != 0.0f) {
      absl::StatusOr<Tensor> training = ctx.ConstantInput(2);
      if (!training.ok()) {
        return ctx.Unsupported("training_mode must be known at import time (training-mode "
                               "dropout is random)");
      }
      if (training->num_elements() != 1 || training->dtype() != DataType::kBool) {
        return ctx.Error("training_mode must be a bool scalar, got ", training->ShapeString());
      }
      if (training->data<bool>()[0]) {
        return ctx.Unsupported("training mode (random masks) is not imported; export the "
                               "model for inference");
      }
    }
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  RETURN_IF_ERROR(ctx.SetOutput(0, x));
  if (!ctx.HasOutput(1)) return absl::OkStatus();
  GraphBuilder& b = ctx.builder();
  Output mask = ops::BroadcastLike(b.Scalar<bool>(true), x, ctx.node().name() + "/mask");
  if (ctx.opset() < 10) mask = ops::Cast(mask, x.dtype());
  return ctx.SetOutput(1, mask);
}

}  // namespace

void AddCoreConverters(std::vector<OnnxConverter>& table) {
  table.push_back({"Constant", 1, ConvertConstant});
  table.push_back({"Identity", 1, ConvertIdentity});
  table.push_back({"Cast", 1, ConvertCast});
  table.push_back({"CastLike", 15, ConvertCastLike});
  table.push_back({"Dropout", 1, ConvertDropout});
}

}  // namespace graphrt::onnx_import
