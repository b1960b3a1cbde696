// RegisterStandardOps: every op graphrt defines, in one place.
#include "core/graph/op_def.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/elementwise_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "core/graph/ops/state_ops.h"
#include "core/graph/ops/training_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/random_ops.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/conv_nd_ops.h"
#include "core/graph/ops/nn_ext_ops.h"
#include "core/graph/ops/collective_ops.h"
#include "core/graph/ops/resize_ops.h"
#include "core/graph/ops/einsum_ops.h"
#include "core/graph/ops/misc_ops.h"
#include "core/graph/ops/detection_ops.h"

namespace graphrt {

void RegisterStandardOps(OpRegistry& registry) {
  RegisterArrayOps(registry);
  RegisterMathOps(registry);
  RegisterNnOps(registry);
  RegisterStateOps(registry);
  RegisterTrainingOps(registry);
  RegisterLayoutOps(registry);
  RegisterRandomOps(registry);
  RegisterConvOps(registry);
  RegisterPoolingOps(registry);
  RegisterBatchNormOps(registry);
  RegisterIndexingOps(registry);
  RegisterConvNdOps(registry);
  RegisterNnExtOps(registry);
  RegisterElementwiseOps(registry);
  RegisterCollectiveOps(registry);
  RegisterResizeOps(registry);
  RegisterEinsumOps(registry);
  RegisterMiscOps(registry);
  RegisterDetectionOps(registry);
}

}  // namespace graphrt
