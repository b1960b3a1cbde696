// The in-process collectives' host work (kernels/common/collective_work.h),
// called on hand-made participants without a rendezvous, as the CPU kernels
// and the GPU collectives' path through the host call it: every rank's
// all-reduce share (sum, max, a truncating integer mean, more ranks than
// elements), broadcast to receivers and the disagreements, all-gather with
// uneven and empty shares, and the messages that name the participants.
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/collective_work.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using Participant = CollectiveRendezvous::Participant;

// Participants "/gpu:0".."/gpu:N-1" (already in rank order) over `inputs`
// and `outputs` (either may be empty: no input / no output).
class Group {
 public:
  Group(std::vector<Tensor> inputs, std::vector<Tensor> outputs)
      : inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
    const size_t n = std::max(inputs_.size(), outputs_.size());
    parts_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      parts_[i].label = "/gpu:" + std::to_string(i);
      if (i < inputs_.size() && inputs_[i].dtype() != DataType::kInvalid) {
        parts_[i].input = &inputs_[i];
      }
      if (i < outputs_.size() && outputs_[i].dtype() != DataType::kInvalid) {
        parts_[i].output = &outputs_[i];
      }
    }
    for (const Participant& p : parts_) all_.push_back(&p);
  }
  CollectiveParticipants all() const { return all_; }
  const Tensor& output(int i) const { return outputs_[i]; }

 private:
  std::vector<Tensor> inputs_, outputs_;
  std::vector<Participant> parts_;
  std::vector<const Participant*> all_;
};

void Serial(int64_t n, int64_t, absl::FunctionRef<void(int64_t, int64_t)> fn) {
  // In two pieces, as a pool would split it.
  if (n > 1) {
    fn(0, n / 2);
    fn(n / 2, n);
  } else if (n == 1) {
    fn(0, 1);
  }
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

// Every rank's share, then every output must hold `want`.
template <typename T>
void ExpectAllReduce(std::vector<std::vector<T>> in, bool max, bool mean, std::vector<T> want) {
  std::vector<Tensor> inputs, outputs;
  for (const auto& v : in) {
    inputs.push_back(Tensor::FromVector<T>(v));
    outputs.emplace_back(DataTypeOf<T>(), TensorShape{static_cast<int64_t>(v.size())});
  }
  Group g(std::move(inputs), std::move(outputs));
  for (int r = 0; r < static_cast<int>(in.size()); ++r) {
    AllReduceShare<T>(r, g.all(), max, mean, Serial);
  }
  for (size_t r = 0; r < in.size(); ++r) EXPECT_EQ(Values<T>(g.output(r)), want) << "rank " << r;
}

TEST(CollectiveWorkTest, AllReduceSumMaxAndMeanOverEveryRanksShare) {
  ExpectAllReduce<float>({{1, 2, 3, 4, 5}, {10, 20, 30, 40, 50}, {-1, -1, -1, -1, -1}}, false,
                         false, {10, 21, 32, 43, 54});
  ExpectAllReduce<int64_t>({{1, 9, -3}, {4, -9, -2}}, true, false, {4, 9, -2});
  ExpectAllReduce<float>({{1, 2}, {2, 5}}, false, true, {1.5f, 3.5f});
}

TEST(CollectiveWorkTest, IntegerMeanTruncatesTowardZero) {
  // Sums 7, -7, 5, -1 over 2 ranks: 3, -3, 2, 0.
  ExpectAllReduce<int32_t>({{3, -3, 2, 0}, {4, -4, 3, -1}}, false, true, {3, -3, 2, 0});
}

TEST(CollectiveWorkTest, MoreRanksThanElementsLeavesSomeSharesEmpty) {
  ExpectAllReduce<int32_t>({{1}, {2}, {3}, {4}}, false, false, {10});
  ExpectAllReduce<float>({{}, {}}, false, false, {});
}

TEST(CollectiveWorkTest, FloatSumIsInRankOrder) {
  // (1e8 + 1) - 1e8 rounds differently from 1e8 - 1e8 + 1 in float32.
  ExpectAllReduce<float>({{1e8f}, {1.0f}, {-1e8f}}, false, false, {(1e8f + 1.0f) - 1e8f});
}

TEST(CollectiveWorkTest, BroadcastCopiesTheSenderIntoEveryReceiver) {
  std::vector<Tensor> in(3), out(3);
  in[1] = Tensor::FromVector<int64_t>({7, -8, 9});
  out[0] = Tensor(DataType::kInt64, TensorShape{3});
  out[2] = Tensor(DataType::kInt64, TensorShape{3});
  Group g(std::move(in), std::move(out));
  for (int r = 0; r < 3; ++r) ASSERT_TRUE(BroadcastShare(r, g.all()).ok()) << r;
  EXPECT_EQ(Values<int64_t>(g.output(0)), (std::vector<int64_t>{7, -8, 9}));
  EXPECT_EQ(Values<int64_t>(g.output(2)), (std::vector<int64_t>{7, -8, 9}));
}

TEST(CollectiveWorkTest, BroadcastDisagreementsNameTheParticipants) {
  {
    std::vector<Tensor> in = {Tensor::FromVector<float>({1}), Tensor::FromVector<float>({2})};
    Group g(std::move(in), {});
    absl::Status s = BroadcastShare(0, g.all());
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("/gpu:0 and /gpu:1 both send"));
  }
  {
    std::vector<Tensor> out = {Tensor(DataType::kFloat32, TensorShape{1}),
                               Tensor(DataType::kFloat32, TensorShape{1})};
    Group g({}, std::move(out));
    EXPECT_THAT(BroadcastShare(1, g.all()).message(), HasSubstr("every participant receives"));
  }
  {
    std::vector<Tensor> in(2), out(2);
    in[0] = Tensor::FromVector<float>({1, 2});
    out[1] = Tensor(DataType::kFloat32, TensorShape{3});
    Group g(std::move(in), std::move(out));
    EXPECT_TRUE(BroadcastShare(0, g.all()).ok());  // the sender has nothing to check
    absl::Status s = BroadcastShare(1, g.all());
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("/gpu:1 expects float32[3] but /gpu:0 sends float32[2]"));
  }
}

TEST(CollectiveWorkTest, AllGatherConcatenatesInRankOrderWithUnevenAndEmptyShares) {
  std::vector<Tensor> in = {Tensor::FromVector<int32_t>({1, 2}, TensorShape{1, 2}),
                            Tensor(DataType::kInt32, TensorShape{0, 2}),
                            Tensor::FromVector<int32_t>({3, 4, 5, 6}, TensorShape{2, 2})};
  const Tensor x = in[0];
  Group g(std::move(in), {});
  ASSERT_TRUE(CheckCollectiveInputs(x, g.all(), "gather", true).ok());
  const TensorShape shape = AllGatherShape(x, g.all());
  EXPECT_EQ(shape, (TensorShape{3, 2}));
  Tensor out(DataType::kInt32, shape);
  AllGatherInto(g.all(), out.raw_data());
  EXPECT_EQ(Values<int32_t>(out), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

TEST(CollectiveWorkTest, InputsThatDifferNameTheFirstAndTheOdd) {
  std::vector<Tensor> in = {Tensor(DataType::kFloat32, TensorShape{2, 3}),
                            Tensor(DataType::kFloat32, TensorShape{4, 3}),
                            Tensor(DataType::kFloat32, TensorShape{2, 4})};
  const Tensor x = in[0];
  Group g(std::move(in), {});
  absl::Status all_dims = CheckCollectiveInputs(x, g.all(), "one shape please", false);
  EXPECT_EQ(all_dims.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(all_dims.message(),
              HasSubstr("/gpu:0 has float32[2,3] but /gpu:1 has float32[4,3]; one shape please"));
  absl::Status after_first = CheckCollectiveInputs(x, g.all(), "gather", true);
  EXPECT_THAT(after_first.message(), HasSubstr("but /gpu:2 has float32[2,4]"));
}

}  // namespace
}  // namespace graphrt
