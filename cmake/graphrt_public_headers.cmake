# The installed headers (cmake/graphrt_install.cmake): the include closure of
# the public roots in scripts/layering.rules. Written by
# `scripts/check-layering --update-public-headers`; the check fails when this
# list and the closure differ, so a new include in a public header is a
# visible decision. Paths are relative to the source tree; generated ones
# (protoc) to the build tree.
set(GRAPHRT_PUBLIC_HEADERS
  core/base/json.h
  core/base/status_macros.h
  core/base/sync.h
  core/executor/cancellation.h
  core/executor/checkpoint.h
  core/executor/freeze.h
  core/executor/kernel_registry.h
  core/executor/op_kernel.h
  core/executor/resource_mgr.h
  core/executor/run_options.h
  core/executor/runtime.h
  core/executor/runtime_config.h
  core/executor/session.h
  core/executor/session_options.h
  core/executor/step_trace.h
  core/executor/thread_pool.h
  core/graph/attr_value.h
  core/graph/builder.h
  core/graph/gradients.h
  core/graph/graph.h
  core/graph/initializers.h
  core/graph/io/graph_def.h
  core/graph/io/npy.h
  core/graph/io/proto_util.h
  core/graph/onnx/onnx_import.h
  core/graph/op_def.h
  core/graph/ops/array_ops.h
  core/graph/ops/batch_norm_ops.h
  core/graph/ops/conv_ops.h
  core/graph/ops/conv_window.h
  core/graph/ops/detection_ops.h
  core/graph/ops/einsum_equation.h
  core/graph/ops/einsum_ops.h
  core/graph/ops/layout_ops.h
  core/graph/ops/math_ops.h
  core/graph/ops/misc_ops.h
  core/graph/ops/nn_ops.h
  core/graph/ops/pooling_ops.h
  core/graph/ops/random_ops.h
  core/graph/ops/resize_ops.h
  core/graph/ops/state_ops.h
  core/graph/ops/training_ops.h
  core/graph/optimizers.h
  core/graph/tensor.h
  core/graph/tensor_shape.h
  core/graph/tf/tf_import.h
  core/graph/types.h
  core/memory/allocation_owner.h
  core/memory/allocator.h
  core/memory/gpu_memory_options.h
  core/memory/memory_space.h
  core/memory/oom_report.h
  core/placer/device_attributes.h
  core/placer/device_name.h
  core/placer/placement.h
)
set(GRAPHRT_PUBLIC_GENERATED_HEADERS
  core/executor/runtime_config.pb.h
  core/graph/io/graph.pb.h
  core/graph/tf/tf_graph.pb.h
)
