// ONNX import: an ONNX ModelProto (`model.onnx`) becomes a graphrt Graph.
//
// The model must use the default ONNX domain at opsets 1 to 17 (each op
// needs a converter for the model's opset: see SupportedOnnxOps); ONNX's own
// checker (Debian's libonnx) validates it first. Initializers become Const
// nodes (only where a run-time input needs them: attrs read at import time
// fold away), graph inputs that are not initializers become Placeholders
// with the declared dtype and shape (a symbolic or unknown dimension is -1),
// and each graph output becomes an Identity named after it, so the ONNX
// value names are the feed and fetch names wherever graphrt allows them
// (a ':' in an ONNX name becomes '_'; the maps below give the exact names).
//
// Errors: UNIMPLEMENTED listing every unsupported op type with its opset
// and node names, or naming an unsupported opset, domain or dtype;
// INVALID_ARGUMENT naming the node for a bad attr, input or dtype, or when
// the checker refuses the model (its message kept); DATA_LOSS "not an ONNX
// model: ..." for bytes that do not parse; NOT_FOUND for a missing file.
// ReadOnnxModel's errors start with the path.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_IMPORT_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/graph.h"

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace graphrt {

struct OnnxImportOptions {
  // Run ONNX's checker (onnx::checker::check_model) before converting. The
  // converters check what they read either way.
  bool run_checker = true;
  // Fold each inference BatchNormalization into the Conv, Gemm or
  // MatMul + Add before it when all their weights are initializers (Note
  // [Folding BatchNormalization at import], onnx_fold.h). Off: every BN is
  // converted on its own (x * a + b per channel), e.g. as a reference.
  bool fold_batch_norm = true;
  // Emit graphrt's FusedMatMul (bias and Relu applied by the GEMM) for a
  // float32 Gemm with alpha 1 and a [N] bias, absorbing a Relu that is the
  // only use of its output, and treat MatMul + Add of a bias initializer as
  // a Gemm (Note [Gemm fusion at import], onnx_fuse.h). Off: each op is
  // converted on its own (MatMul, Add, Relu), e.g. as a reference.
  bool fuse_gemm = true;
};

struct OnnxModel {
  Graph graph;
  // Graph inputs that are not initializers, in the model's order: the
  // Placeholder names to feed, and the ONNX value names they stand for.
  std::vector<std::string> inputs;
  std::vector<std::string> onnx_inputs;
  // Graph outputs in the model's order: the names to fetch, and the ONNX
  // value names.
  std::vector<std::string> outputs;
  std::vector<std::string> onnx_outputs;
  int64_t opset = 0;  // the model's opset for the default domain
  int folded_batch_norms = 0;  // BatchNormalizations folded into the op before
  int fused_relus = 0;  // Relus absorbed into the Gemm before (fuse_gemm)
};

absl::StatusOr<OnnxModel> ImportOnnxModel(const onnx::ModelProto& model,
                                          const OnnxImportOptions& options = {});
// Serialized ModelProto bytes, as `model.onnx` holds.
absl::StatusOr<OnnxModel> ParseOnnxModel(absl::string_view bytes,
                                         const OnnxImportOptions& options = {});
absl::StatusOr<OnnxModel> ReadOnnxModel(const std::string& path,
                                        const OnnxImportOptions& options = {});

// True when `bytes` have the structure of an ONNX ModelProto (what a reader
// of several formats checks before trying others; see RecognizeOnnxModel
// in core/graph/io/foreign_formats.h). Cheap: nothing is parsed into memory.
bool LooksLikeOnnxModel(absl::string_view bytes);

// A serialized ONNX TensorProto (the suite's `input_0.pb`) as a Tensor.
absl::StatusOr<Tensor> ParseOnnxTensor(absl::string_view bytes);

// The ONNX op types the importer converts (at some opset), sorted.
std::vector<std::string> SupportedOnnxOps();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_IMPORT_H_
