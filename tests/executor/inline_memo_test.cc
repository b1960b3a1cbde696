// The inline decision is made once per node when its input shapes are fixed
// at plan build, and every step when they are not.
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/session.h"
#include "gtest/gtest.h"
#include "tests/executor/test_ops.h"

namespace graphrt {
namespace {

using ::graphrt::testing::Record;
using ::graphrt::testing::RecordKernel;

std::unique_ptr<Session> TwoThreadSession(GraphBuilder& b) {
  SessionOptions o;
  o.inter_op_threads = 2;
  o.intra_op_threads = 1;
  o.kernels = ::graphrt::testing::TestKernels();
  auto s = Session::Create(b.Build().value(), o);
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

// Four Records after x, summed by a fifth; fetched `steps` times. Returns how
// often the executor asked for a Record's cost.
int64_t CostQueries(const PartialShape& x_shape, int steps) {
  ::graphrt::testing::RegisterTestOps();
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, x_shape, "x");
  std::vector<Output> parts;
  for (int i = 0; i < 4; ++i) parts.push_back(Record(b, absl::StrCat("r", i), {x}));
  Output sum = Record(b, "sum", parts);
  auto session = TwoThreadSession(b);
  const int64_t before = RecordKernel::cost_estimates().load();
  for (int step = 0; step < steps; ++step) {
    auto out = session->Run({{x, Tensor::Scalar<float>(1.0f)}}, {sum});
    EXPECT_TRUE(out.ok()) << out.status();
    if (out.ok()) {
      EXPECT_EQ((*out)[0].scalar<float>(), 1 + 4 * 2.0f);  // each r_i = 1 + x
    }
  }
  return RecordKernel::cost_estimates().load() - before;
}

TEST(InlineMemoTest, FixedShapesAskEachNodeOnce) {
  EXPECT_EQ(CostQueries(PartialShape::Scalar(), 1), 5);
  EXPECT_EQ(CostQueries(PartialShape::Scalar(), 5), 5);
}

TEST(InlineMemoTest, UnknownShapesAskEveryStep) {
  // The four Records reading x (shape unknown) are asked every step; "sum"
  // reads their scalar outputs, fixed at build, and is asked once.
  EXPECT_EQ(CostQueries(PartialShape::UnknownRank(), 1), 5);
  EXPECT_EQ(CostQueries(PartialShape::UnknownRank(), 5), 5 * 4 + 1);
}

// An op flagged cheap on its definition (OpDef::is_cheap) runs inline without
// the executor ever asking its kernel for a cost.
TEST(InlineMemoTest, OpsFlaggedCheapAreNeverAsked) {
  ::graphrt::testing::RegisterTestOps();
  static const bool registered = [] {
    (void)OpRegistry::Global().Register(OpDefBuilder("CheapRecord")
                                            .Cheap()
                                            .Input("in: N * float32")
                                            .Output("out: float32")
                                            .Attr("N", AttrType::kInt)
                                            .Shape(ScalarShape));
    return true;
  }();
  (void)registered;
  KernelRegistry kernels(::graphrt::testing::TestKernels());
  kernels.Register<RecordKernel>("CheapRecord", kDeviceCpu);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::UnknownRank(), "x");
  std::vector<Output> parts;
  for (int i = 0; i < 4; ++i) {
    const std::vector<Output> in = {x};
    parts.push_back(b.Op("CheapRecord", in, {}, absl::StrCat("c", i)));
  }
  Output sum = b.Op("CheapRecord", parts, {}, "sum");
  SessionOptions o;
  o.inter_op_threads = 2;
  o.intra_op_threads = 1;
  o.kernels = &kernels;
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  const int64_t before = RecordKernel::cost_estimates().load();
  for (int step = 0; step < 3; ++step) {
    auto out = (*session)->Run({{x, Tensor::Scalar<float>(1.0f)}}, {sum});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), 1 + 4 * 2.0f);
  }
  EXPECT_EQ(RecordKernel::cost_estimates().load() - before, 0);
}

}  // namespace
}  // namespace graphrt
