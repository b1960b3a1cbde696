// The README example (examples/readme_example.cc; the install test checks that
// the code, comment lines aside, is the same), built against an installed graphrt.
#include <cstdio>
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
using namespace graphrt;

int main() {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1, 3}, "x");
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, -1, 0.5f, 2, 0, -2}, {3, 2}));
  Output y;
  {
    GraphBuilder::DeviceScope cpu(b, "/cpu:0");  // like `with tf.device("/cpu:0")`
    y = ops::Relu(ops::MatMul(x, w.Read()), "y");
  }
  Output step = w.AssignAdd(b.Const(Tensor::FromVector<float>({0, 0, 0, 0, 0, 0}, {3, 2})));
  auto session = Session::Create(b.Build().value());
  if (!session.ok()) return 1;  // a status naming the node and the fix
  auto out = (*session)->Run({{x, Tensor::FromVector<float>({1, 2, 3}, {1, 3})}}, {y}, {step});
  if (!out.ok()) return 1;
  std::printf("%s\n", (*out)[0].DebugString().c_str());
}
