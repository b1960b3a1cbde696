#include "core/graph/ops/collective_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

const std::vector<DataType> kCollectiveTypes = {DataType::kFloat32, DataType::kInt32,
                                                DataType::kInt64};

// group_size, group_key and instance_key: int32 scalars (inputs first..first+2).
absl::Status KeysShape(ShapeContext& c, int first) {
  for (int i = first; i < first + 3; ++i) {
    const PartialShape& s = c.input(i);
    if (s.known_rank() && s.rank() != 0) {
      return c.Error(absl::StrCat("group_size, group_key and instance_key must be scalars; "
                                  "input ", i, " has shape ", s.DebugString()));
    }
  }
  return absl::OkStatus();
}

absl::Status SameShape(ShapeContext& c) {
  RETURN_IF_ERROR(KeysShape(c, 1));
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

absl::Status RecvShape(ShapeContext& c) {
  RETURN_IF_ERROR(KeysShape(c, 0));
  ASSIGN_OR_RETURN(PartialShape shape, c.attr<PartialShape>("shape"));
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status GatherShape(ShapeContext& c) {
  RETURN_IF_ERROR(KeysShape(c, 1));
  const PartialShape& x = c.input(0);
  if (!x.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  if (x.rank() == 0) return c.Error("CollectiveGatherV2 needs an input of rank >= 1 (got a scalar)");
  std::vector<int64_t> dims(x.dims().begin(), x.dims().end());
  dims[0] = -1;  // the sum of the participants' first dimensions
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

// The attrs every collective carries (TF's names).
OpDefBuilder WithCollectiveAttrs(OpDefBuilder b) {
  return std::move(b.TypeAttr("T", kCollectiveTypes)
                       .Attr("timeout_seconds", AttrType::kFloat, AttrValue(0.0f))
                       .Attr("communication_hint", AttrType::kString, AttrValue(std::string("auto")))
                       .Stateful());
}

}  // namespace

void RegisterCollectiveOps(OpRegistry& r) {
  (void)r.Register(WithCollectiveAttrs(OpDefBuilder("CollectiveReduceV2")
                                           .Input("input: T")
                                           .Input("group_size: int32")
                                           .Input("group_key: int32")
                                           .Input("instance_key: int32")
                                           .Output("data: T"))
                       .Attr("merge_op", AttrType::kString, AttrValue(std::string("Add")))
                       .Attr("final_op", AttrType::kString, AttrValue(std::string("Id")))
                       .Shape(SameShape)
                       .Doc("All-reduce across a group: merge_op Add|Max, final_op Id|Div "
                            "(Div: by group_size)."));
  (void)r.Register(WithCollectiveAttrs(OpDefBuilder("CollectiveBcastSendV2")
                                           .Input("input: T")
                                           .Input("group_size: int32")
                                           .Input("group_key: int32")
                                           .Input("instance_key: int32")
                                           .Output("data: T"))
                       .Shape(SameShape)
                       .Doc("Broadcast's sender: sends input to the group, outputs it."));
  (void)r.Register(WithCollectiveAttrs(OpDefBuilder("CollectiveBcastRecvV2")
                                           .Input("group_size: int32")
                                           .Input("group_key: int32")
                                           .Input("instance_key: int32")
                                           .Output("data: T"))
                       .Attr("shape", AttrType::kShape)
                       .Shape(RecvShape)
                       .Doc("Broadcast's receiver: the sender's tensor (T and shape must match)."));
  (void)r.Register(WithCollectiveAttrs(OpDefBuilder("CollectiveGatherV2")
                                           .Input("input: T")
                                           .Input("group_size: int32")
                                           .Input("group_key: int32")
                                           .Input("instance_key: int32")
                                           .Output("data: T"))
                       .Shape(GatherShape)
                       .Doc("All-gather: the participants' inputs concatenated on axis 0 "
                            "in rank order."));
}

namespace ops {
namespace {

AttrMap CommonAttrs(const CollectiveOptions& o) {
  return {{"timeout_seconds", o.timeout_seconds}, {"communication_hint", o.communication_hint}};
}

Output CollectiveOp(GraphBuilder& b, absl::string_view op, const Output* x,
                    const CollectiveOptions& o, AttrMap attrs, absl::string_view name) {
  std::vector<Output> in;
  if (x != nullptr) in.push_back(*x);
  in.push_back(b.Scalar<int32_t>(o.group_size));
  in.push_back(b.Scalar<int32_t>(o.group_key));
  in.push_back(b.Scalar<int32_t>(o.instance_key));
  return b.Op(op, in, std::move(attrs), name);
}

}  // namespace

Output CollectiveAllReduce(Output x, CollectiveReduction reduction,
                           const CollectiveOptions& options, absl::string_view name) {
  if (!x.valid()) return Output();
  AttrMap attrs = CommonAttrs(options);
  attrs["merge_op"] = std::string(reduction == CollectiveReduction::kMax ? "Max" : "Add");
  attrs["final_op"] = std::string(reduction == CollectiveReduction::kMean ? "Div" : "Id");
  return CollectiveOp(*x.builder(), "CollectiveReduceV2", &x, options, std::move(attrs), name);
}

Output CollectiveBroadcastSend(Output x, const CollectiveOptions& options,
                               absl::string_view name) {
  if (!x.valid()) return Output();
  return CollectiveOp(*x.builder(), "CollectiveBcastSendV2", &x, options, CommonAttrs(options),
                      name);
}

Output CollectiveBroadcastRecv(GraphBuilder& b, DataType dtype, const TensorShape& shape,
                               const CollectiveOptions& options, absl::string_view name) {
  AttrMap attrs = CommonAttrs(options);
  attrs["T"] = dtype;
  attrs["shape"] = PartialShape(shape);
  return CollectiveOp(b, "CollectiveBcastRecvV2", nullptr, options, std::move(attrs), name);
}

Output CollectiveAllGather(Output x, const CollectiveOptions& options, absl::string_view name) {
  if (!x.valid()) return Output();
  return CollectiveOp(*x.builder(), "CollectiveGatherV2", &x, options, CommonAttrs(options),
                      name);
}

}  // namespace ops
}  // namespace graphrt
