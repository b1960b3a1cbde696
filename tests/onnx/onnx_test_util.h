// Builders of small ONNX models for the importer's tests (running one is
// left to each test: onnx_import_run_test.cc's RunModel).
#ifndef GRAPHRT_TESTS_ONNX_ONNX_TEST_UTIL_H_
#define GRAPHRT_TESTS_ONNX_ONNX_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace graphrt::onnx_test {

// A model importing `opset` of the default domain, with an empty graph.
inline onnx::ModelProto Model(int64_t opset) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("graphrt-test");
  onnx::OperatorSetIdProto* id = m.add_opset_import();
  id->set_domain("");
  id->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

// A tensor value info; dims of -1 are symbolic ("N").
inline void SetTensorType(onnx::ValueInfoProto* v, const std::string& name, int32_t elem,
                          const std::vector<int64_t>& dims) {
  v->set_name(name);
  onnx::TypeProto::Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem);
  onnx::TensorShapeProto* shape = t->mutable_shape();
  for (int64_t d : dims) {
    if (d < 0) shape->add_dim()->set_dim_param("N");
    else shape->add_dim()->set_dim_value(d);
  }
}
inline void AddInput(onnx::ModelProto& m, const std::string& name, int32_t elem,
                     const std::vector<int64_t>& dims) {
  SetTensorType(m.mutable_graph()->add_input(), name, elem, dims);
}
inline void AddOutput(onnx::ModelProto& m, const std::string& name, int32_t elem,
                      const std::vector<int64_t>& dims) {
  SetTensorType(m.mutable_graph()->add_output(), name, elem, dims);
}
inline onnx::NodeProto* AddNode(onnx::ModelProto& m, const std::string& op,
                                const std::vector<std::string>& inputs,
                                const std::vector<std::string>& outputs,
                                const std::string& name = "") {
  onnx::NodeProto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const std::string& i : inputs) n->add_input(i);
  for (const std::string& o : outputs) n->add_output(o);
  return n;
}
inline onnx::AttributeProto* AddAttr(onnx::NodeProto* n, const std::string& name,
                                     onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}
// A float tensor in float_data.
inline onnx::TensorProto FloatTensor(const std::string& name, const std::vector<int64_t>& dims,
                                     const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float v : values) t.add_float_data(v);
  return t;
}

// n values drawn uniformly from [lo, hi).
inline std::vector<float> RandomValues(int64_t n, std::mt19937& rng, float lo = -1,
                                       float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

// The element count of `dims`.
inline int64_t Count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// A float initializer `name` of `dims`, random in [lo, hi).
inline void AddInit(onnx::ModelProto& m, const std::string& name,
                    const std::vector<int64_t>& dims, std::mt19937& rng, float lo = -1,
                    float hi = 1) {
  *m.mutable_graph()->add_initializer() =
      FloatTensor(name, dims, RandomValues(Count(dims), rng, lo, hi));
}

}  // namespace graphrt::onnx_test

#endif  // GRAPHRT_TESTS_ONNX_ONNX_TEST_UTIL_H_
