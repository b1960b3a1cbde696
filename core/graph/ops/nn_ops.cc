#include "core/graph/ops/nn_ops.h"

#include "absl/strings/str_cat.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

using DT = DataType;

absl::Status BiasAddShape(ShapeContext& c) {
  const PartialShape& value = c.input(0);
  const PartialShape& bias = c.input(1);
  if (value.known_rank() && value.rank() < 1) return c.Error("value must have rank >= 1");
  if (bias.known_rank() && bias.rank() != 1) {
    return c.Error(absl::StrCat("bias must be a vector, got ", bias.DebugString()));
  }
  if (value.known_rank() && bias.known_rank()) {
    const int64_t channels = value.dim(value.rank() - 1), b = bias.dim(0);
    if (channels >= 0 && b >= 0 && channels != b) {
      return c.Error(absl::StrCat("bias ", bias.DebugString(),
                                  " does not match the last dimension of ",
                                  value.DebugString()));
    }
  }
  c.set_output(0, value);
  return absl::OkStatus();
}

absl::Status LastAxisShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  if (in.known_rank() && in.rank() < 1) return c.Error("logits must have rank >= 1");
  c.set_output(0, in);
  return absl::OkStatus();
}

absl::Status XentShape(ShapeContext& c) {
  const PartialShape& features = c.input(0);
  const PartialShape& labels = c.input(1);
  if (features.known_rank() && features.rank() != 2) {
    return c.Error(absl::StrCat("features must be [batch, classes], got ",
                                features.DebugString()));
  }
  if (labels.known_rank() && labels.rank() != 1) {
    return c.Error(absl::StrCat("labels must be [batch], got ", labels.DebugString()));
  }
  int64_t batch = features.known_rank() ? features.dim(0) : -1;
  const int64_t classes = features.known_rank() ? features.dim(1) : -1;
  if (labels.known_rank()) {
    if (batch >= 0 && labels.dim(0) >= 0 && labels.dim(0) != batch) {
      return c.Error(absl::StrCat("labels ", labels.DebugString(),
                                  " and features ", features.DebugString(),
                                  " differ in batch size"));
    }
    if (batch < 0) batch = labels.dim(0);
  }
  c.set_output(0, PartialShape{batch});
  c.set_output(1, PartialShape{batch, classes});
  return absl::OkStatus();
}

absl::Status BiasAddGradShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  if (in.known_rank() && in.rank() < 1) return c.Error("out_backprop must have rank >= 1");
  c.set_output(0, PartialShape{in.known_rank() ? in.dim(in.rank() - 1) : -1});
  return absl::OkStatus();
}

}  // namespace

void RegisterNnOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Relu")
                       .Input("features: T")
                       .Output("activations: T")
                       .TypeAttr("T", {DT::kFloat32, DT::kInt32, DT::kInt64, DT::kFloat64,
                                       DT::kInt8, DT::kInt16})
                       .Shape(UnchangedShape));
  (void)r.Register(OpDefBuilder("BiasAdd")
                       .Input("value: T")
                       .Input("bias: T")
                       .Output("output: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Shape(BiasAddShape));
  (void)r.Register(OpDefBuilder("ReluGrad")
                       .Input("gradients: T")
                       .Input("features: T")
                       .Output("backprops: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Shape(BroadcastShapeFn)
                       .Doc("gradients where features > 0, else 0 (features may be Relu's "
                            "input or its output)."));
  (void)r.Register(OpDefBuilder("BiasAddGrad")
                       .Input("out_backprop: T")
                       .Output("output: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Shape(BiasAddGradShape)
                       .Doc("The bias gradient of BiasAdd: out_backprop summed over every "
                            "axis but the last."));
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    (void)r.Register(OpDefBuilder(op)
                         .Input("logits: T")
                         .Output("output: T")
                         .TypeAttr("T", {DT::kFloat32})
                         .Shape(LastAxisShape));
  }
  (void)r.Register(OpDefBuilder("SparseSoftmaxCrossEntropyWithLogits")
                       .Input("features: T")
                       .Input("labels: Tlabels")
                       .Output("loss: T")
                       .Output("backprop: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .TypeAttr("Tlabels", {DT::kInt32, DT::kInt64})
                       .Shape(XentShape));
}

namespace ops {

Output Relu(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Relu", in, {}, name);
}

Output BiasAdd(Output value, Output bias, absl::string_view name) {
  if (!value.valid() || !bias.valid()) return Output();
  Output in[] = {value, bias};
  return value.builder()->Op("BiasAdd", in, {}, name);
}

Output ReluGrad(Output gradients, Output features, absl::string_view name) {
  if (!gradients.valid() || !features.valid()) return Output();
  Output in[] = {gradients, features};
  return gradients.builder()->Op("ReluGrad", in, {}, name);
}

Output BiasAddGrad(Output out_backprop, absl::string_view name) {
  if (!out_backprop.valid()) return Output();
  Output in[] = {out_backprop};
  return out_backprop.builder()->Op("BiasAddGrad", in, {}, name);
}

Output Softmax(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Softmax", in, {}, name);
}

Output LogSoftmax(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("LogSoftmax", in, {}, name);
}

SoftmaxCrossEntropy SparseSoftmaxCrossEntropyWithLogits(Output features, Output labels,
                                                        absl::string_view name) {
  if (!features.valid() || !labels.valid()) return {};
  Output in[] = {features, labels};
  GraphBuilder* b = features.builder();
  int id = b->AddNode("SparseSoftmaxCrossEntropyWithLogits", in, {}, name);
  if (id < 0) return {};
  return {Output(b, id, 0), Output(b, id, 1)};
}

}  // namespace ops
}  // namespace graphrt
