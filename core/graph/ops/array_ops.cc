#include "core/graph/ops/array_ops.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

absl::Status ConstShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(Tensor value, c.attr<Tensor>("value"));
  ASSIGN_OR_RETURN(DataType dtype, c.attr<DataType>("dtype"));
  if (value.dtype() != dtype) {
    return c.Error(absl::StrCat("value is ", DataTypeName(value.dtype()), " but dtype is ",
                                DataTypeName(dtype)));
  }
  c.set_output(0, value.shape());
  return absl::OkStatus();
}

absl::Status PlaceholderShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(PartialShape shape, c.attr<PartialShape>("shape"));
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status ReshapeShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> dims, c.attr<std::vector<int64_t>>("shape"));
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
    if (dims[i] == -1) {
      if (unknown >= 0) return c.Error("shape may hold at most one -1");
      unknown = i;
    } else if (dims[i] < 0) {
      return c.Error(absl::StrCat("shape has a negative dimension ", dims[i]));
    } else if (__builtin_mul_overflow(known, dims[i], &known)) {
      return c.Error("shape has more than 2^63 elements");
    }
  }
  const PartialShape& in = c.input(0);
  if (in.fully_defined()) {
    int64_t count = 1;
    for (int64_t d : in.dims()) {
      if (__builtin_mul_overflow(count, d, &count)) {
        return c.Error("input has more than 2^63 elements");
      }
    }
    if (unknown >= 0 && known > 0 && count % known == 0) {
      dims[unknown] = count / known;
    } else if (unknown < 0 && count != known) {
      return c.Error(absl::StrCat("cannot reshape ", in.DebugString(), " (", count,
                                  " elements) to [", absl::StrJoin(dims, ","), "]"));
    } else if (unknown >= 0) {
      return c.Error(absl::StrCat("cannot reshape ", in.DebugString(), " (", count,
                                  " elements) to [", absl::StrJoin(dims, ","), "]"));
    }
  }
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

absl::Status ExpandDimsShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t rank = in.rank();
  if (axis < -rank - 1 || axis > rank) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range [", -rank - 1, ", ", rank,
                                "] for an input of rank ", rank));
  }
  if (axis < 0) axis += rank + 1;
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims.insert(dims.begin() + axis, 1);
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

}  // namespace

void RegisterArrayOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Const")
                       .Cheap()
                       .Output("output: dtype")
                       .Attr("value", AttrType::kTensor)
                       .TypeAttr("dtype")
                       .Shape(ConstShape)
                       .Doc("A constant tensor."));
  (void)r.Register(OpDefBuilder("Placeholder")
                       .Feed().Cheap()
                       .Output("output: dtype")
                       .TypeAttr("dtype")
                       .Attr("shape", AttrType::kShape, PartialShape())
                       .Shape(PlaceholderShape)
                       .Doc("A value fed to Session::Run."));
  (void)r.Register(OpDefBuilder("_Copy")
                       .Copy()
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Shape(UnchangedShape)
                       .Doc("Copies a tensor to the device the node is placed on; the "
                            "partitioner inserts it on edges between devices."));
  (void)r.Register(OpDefBuilder("Identity")
                       .Cheap()
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Shape(UnchangedShape));
  (void)r.Register(OpDefBuilder("NoOp")
                       .Cheap()
                       .Doc("Does nothing; a point to hang control edges on."));
  (void)r.Register(OpDefBuilder("Reshape")
                       .Cheap()
                       .Input("tensor: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Attr("shape", AttrType::kIntList)
                       .Shape(ReshapeShape));
  (void)r.Register(OpDefBuilder("ExpandDims")
                       .Cheap()
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Attr("axis", AttrType::kInt)
                       .Shape(ExpandDimsShape)
                       .Doc("input with a dim of 1 inserted at axis (negative: from the end)."));
  (void)r.Register(OpDefBuilder("BroadcastLike")
                       .Input("input: T")
                       .Input("like: Tlike")
                       .Output("output: T")
                       .TypeAttr("T")
                       .TypeAttr("Tlike")
                       .Shape(LikeShapeFn)
                       .Doc("input broadcast (numpy rules) to the shape of like; only "
                            "like's shape is read."));
  (void)r.Register(OpDefBuilder("Size")
                       .Cheap()
                       .Input("input: T")
                       .Output("size: out_type")
                       .TypeAttr("T")
                       .TypeAttr("out_type", {DataType::kInt32, DataType::kInt64})
                       .Shape(ScalarShape)
                       .Doc("The number of elements of input."));
  (void)r.Register(OpDefBuilder("Cast")
                       .Input("x: SrcT")
                       .Output("y: DstT")
                       .TypeAttr("SrcT", AllElementTypes())
                       .TypeAttr("DstT", AllElementTypes())
                       .Shape(UnchangedShape));
}

namespace ops {

Output Identity(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Identity", in, {}, name);
}

Output Reshape(Output x, std::vector<int64_t> shape, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Reshape", in, {{"shape", std::move(shape)}}, name);
}

Output Cast(Output x, DataType dtype, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Cast", in, {{"DstT", dtype}}, name);
}

Output ExpandDims(Output x, int64_t axis, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("ExpandDims", in, {{"axis", axis}}, name);
}

Output BroadcastLike(Output x, Output like, absl::string_view name) {
  if (!x.valid() || !like.valid()) return Output();
  Output in[] = {x, like};
  return x.builder()->Op("BroadcastLike", in, {}, name);
}

Output Size(Output x, DataType out_type, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Size", in, {{"out_type", out_type}}, name);
}

Output NoOp(GraphBuilder& b, absl::string_view name) { return b.Op("NoOp", {}, {}, name); }

}  // namespace ops
}  // namespace graphrt
