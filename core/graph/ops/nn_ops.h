// Neural-network op functions: Relu, BiasAdd, Softmax, LogSoftmax, the
// sparse softmax cross-entropy loss, and the gradient helpers ReluGrad and
// BiasAddGrad. OpDefs live in nn_ops.cc.
#ifndef GRAPHRT_CORE_GRAPH_OPS_NN_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_NN_OPS_H_

#include "core/graph/builder.h"

namespace graphrt::ops {

Output Relu(Output features, absl::string_view name = {});
// value [..., C] + bias [C]
Output BiasAdd(Output value, Output bias, absl::string_view name = {});
// Gradient helpers: `gradients` where `features` > 0, else 0; and the bias
// gradient of BiasAdd (out_backprop [..., C] summed to [C]).
Output ReluGrad(Output gradients, Output features, absl::string_view name = {});
Output BiasAddGrad(Output out_backprop, absl::string_view name = {});
// Along the last axis.
Output Softmax(Output logits, absl::string_view name = {});
Output LogSoftmax(Output logits, absl::string_view name = {});

// features [B, C] float32, labels [B] int32/int64 in [0, C).
struct SoftmaxCrossEntropy {
  Output loss;      // [B]: -log softmax(features)[label]
  Output backprop;  // [B, C]: softmax(features) - one_hot(label)
};
SoftmaxCrossEntropy SparseSoftmaxCrossEntropyWithLogits(Output features, Output labels,
                                                        absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterNnOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_NN_OPS_H_
