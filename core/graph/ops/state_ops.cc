#include "core/graph/ops/state_ops.h"

#include "absl/strings/str_cat.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

using DT = DataType;
const std::vector<DataType> kVarTypes = {DT::kFloat32, DT::kInt32, DT::kInt64};

absl::Status HandleShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(Tensor init, c.attr<Tensor>("initial_value"));
  ASSIGN_OR_RETURN(DataType dtype, c.attr<DataType>("dtype"));
  ASSIGN_OR_RETURN(PartialShape shape, c.attr<PartialShape>("shape"));
  if (init.IsInitialized()) {
    if (init.dtype() != dtype) {
      return c.Error(absl::StrCat("initial value is ", DataTypeName(init.dtype()),
                                  " but the variable is ", DataTypeName(dtype)));
    }
    if (!shape.IsCompatibleWith(init.shape())) {
      return c.Error(absl::StrCat("initial value ", init.shape().DebugString(),
                                  " does not match the variable's shape ",
                                  shape.DebugString()));
    }
  }
  c.set_output(0, PartialShape::Scalar());
  return absl::OkStatus();
}

absl::Status ReadShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(PartialShape shape, c.attr<PartialShape>("shape"));
  c.set_output(0, shape);
  return absl::OkStatus();
}

}  // namespace

void RegisterStateOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("VarHandleOp")
                       .Cheap()
                       .Output("resource: resource")
                       .TypeAttr("dtype", kVarTypes)
                       .Attr("shape", AttrType::kShape, PartialShape())
                       .Attr("initial_value", AttrType::kTensor, Tensor())
                       .Stateful()
                       .Shape(HandleShape)
                       .Doc("The handle of the variable named like the node."));
  (void)r.Register(OpDefBuilder("ReadVariable")
                       .Cheap()
                       .Input("resource: resource")
                       .Output("value: dtype")
                       .TypeAttr("dtype", kVarTypes)
                       .Attr("shape", AttrType::kShape, PartialShape())
                       .Stateful()
                       .Shape(ReadShape));
  (void)r.Register(OpDefBuilder("AssignVariable")
                       .Input("resource: resource")
                       .Input("value: dtype")
                       .TypeAttr("dtype", kVarTypes)
                       .Stateful());
  (void)r.Register(OpDefBuilder("AssignAddVariable")
                       .Input("resource: resource")
                       .Input("value: dtype")
                       .TypeAttr("dtype", kVarTypes)
                       .Stateful());
  (void)r.Register(OpDefBuilder("ApplyGradientDescent")
                       .Input("var: resource")
                       .Input("alpha: T")
                       .Input("delta: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Stateful()
                       .Doc("var -= alpha * delta"));
}

}  // namespace graphrt
