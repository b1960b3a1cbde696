// Internal to the ONNX importer (core/graph/onnx/): the interface one ONNX op
// converter sees, and the table of converters by op type and opset.
//
// A converter reads one NodeProto through an OnnxContext and builds the
// graphrt nodes it becomes with ctx.builder() (an ONNX op may become several
// graphrt ops: Gemm is MatMul, Mul and Add), then binds each ONNX output
// with SetOutput. Inputs known at import time (initializers, Constant nodes,
// values folded from them) are read with ConstantInput, for ops whose
// attributes became inputs in later opsets (Reshape's shape, Slice's starts).
//
// Converters are grouped by op family, one file each
// (onnx_<family>_converters.cc), each adding its entries through an
// Add<Family>Converters function listed in onnx_converters.cc.
//
// Thread-safety: the table is built once and read-only; a context is used by
// the one thread importing a model.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTER_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/graph/builder.h"
#include "core/graph/tensor.h"
#include "onnx/onnx_pb.h"

namespace graphrt::onnx_import {

class OnnxContext {
 public:
  virtual ~OnnxContext() = default;

  virtual const onnx::NodeProto& node() const = 0;
  // The model's opset for the node's domain ("" and "ai.onnx" are one).
  virtual int64_t opset() const = 0;
  virtual GraphBuilder& builder() = 0;

  // Inputs as written in the node, trailing optional ones included; an
  // optional input left out has an empty name and HasInput false.
  virtual int num_inputs() const = 0;
  virtual bool HasInput(int i) const = 0;
  virtual absl::StatusOr<Output> Input(int i) = 0;
  // Input i's value when it is known at import time; FAILED_PRECONDITION
  // naming the input when it is computed at run time.
  virtual absl::StatusOr<Tensor> ConstantInput(int i) = 0;

  virtual int num_outputs() const = 0;
  // An optional output left out has an empty name: binding it is a no-op.
  virtual bool HasOutput(int i) const = 0;
  virtual absl::Status SetOutput(int i, Output value) = 0;
  // A constant output, folded at import time (Shape of a known shape, ...).
  virtual absl::Status SetConstantOutput(int i, Tensor value) = 0;

  // Attributes; null or the fallback when absent.
  const onnx::AttributeProto* FindAttr(absl::string_view name) const;
  int64_t IntAttr(absl::string_view name, int64_t fallback) const;
  float FloatAttr(absl::string_view name, float fallback) const;
  std::string StringAttr(absl::string_view name, absl::string_view fallback) const;
  std::vector<int64_t> IntsAttr(absl::string_view name) const;  // empty when absent
  std::optional<std::vector<int64_t>> OptionalIntsAttr(absl::string_view name) const;
  std::vector<float> FloatsAttr(absl::string_view name) const;
  absl::StatusOr<Tensor> TensorAttr(absl::string_view name) const;

  // `code` with "ONNX node 'name' (OpType): <parts>": every error about a
  // node starts so, whatever its code.
  template <typename... Parts>
  absl::Status NodeStatus(absl::StatusCode code, const Parts&... parts) const {
    return absl::Status(code, absl::StrCat("ONNX node '", node().name(), "' (",
                                           node().op_type(), "): ", parts...));
  }
  // INVALID_ARGUMENT "ONNX node 'name' (OpType): <parts>".
  template <typename... Parts>
  absl::Status Error(const Parts&... parts) const {
    return NodeStatus(absl::StatusCode::kInvalidArgument, parts...);
  }
  // UNIMPLEMENTED, same prefix: a valid model using a case graphrt lacks.
  template <typename... Parts>
  absl::Status Unsupported(const Parts&... parts) const {
    return NodeStatus(absl::StatusCode::kUnimplemented, parts...);
  }
};

using OnnxConvertFn = absl::Status (*)(OnnxContext& ctx);

// One converter: handles op_type in the default domain from opset
// since_opset until the next entry for the same op_type. A converter that
// covers several opsets may branch on ctx.opset() itself.
struct OnnxConverter {
  const char* op_type;
  int since_opset;
  OnnxConvertFn convert;
};

// The converter for op_type at `opset`, or null when graphrt has none.
const OnnxConverter* FindOnnxConverter(absl::string_view op_type, int64_t opset);
// Every op type with at least one converter, sorted.
std::vector<std::string> OnnxConverterOps();

// The family lists (one per onnx_<family>_converters.cc).
void AddCoreConverters(std::vector<OnnxConverter>& table);         // onnx_core_converters.cc
void AddElementwiseConverters(std::vector<OnnxConverter>& table);  // onnx_elementwise_converters.cc
void AddShapeConverters(std::vector<OnnxConverter>& table);        // onnx_shape_converters.cc
void AddReductionConverters(std::vector<OnnxConverter>& table);    // onnx_reduction_converters.cc
void AddNnConverters(std::vector<OnnxConverter>& table);           // onnx_nn_converters.cc
void AddMiscConverters(std::vector<OnnxConverter>& table);         // onnx_misc_converters.cc
void AddRnnConverters(std::vector<OnnxConverter>& table);          // onnx_rnn_converters.cc

// ONNX TensorProto <-> Tensor (float32/64, float16, int8..int64, uint8..uint64,
// bool; raw_data or the typed fields; external data refused).
absl::StatusOr<Tensor> TensorFromOnnx(const onnx::TensorProto& tensor);
absl::StatusOr<DataType> DataTypeFromOnnx(int32_t elem_type);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTER_H_
