// ONNX's GatherND, ScatterND and ScatterElements (attr reduction: 'none',
// the updates overwrite and with duplicate indices the last one wins; or
// 'add', 'mul', 'max', 'min', combined in index order, numeric dtypes). TF has
// GatherNd / TensorScatterUpdate with other attrs; graphrt keeps ONNX's names
// and batch_dims. OpDefs in indexing_scatter.cc (registered from
// RegisterIndexingOps), CPU kernels in kernels/cpu/indexing_scatter.cc.
// Every dtype; int32 or int64 indices, negative ones counting from the end.
//
// Thread-safety: registration runs once, under the registry's own rules.
#ifndef GRAPHRT_CORE_GRAPH_OPS_INDEXING_SCATTER_H_
#define GRAPHRT_CORE_GRAPH_OPS_INDEXING_SCATTER_H_

namespace graphrt {

class OpRegistry;
void RegisterScatterOps(OpRegistry& r);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_INDEXING_SCATTER_H_
