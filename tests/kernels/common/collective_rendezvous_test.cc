// CollectiveRendezvous (kernels/common/collective_rendezvous.h) driven by
// N threads, as the kernels drive it: sums for sizes 1 B .. 64 MiB against
// the formula, a missing participant, cancellation and disagreeing joiners.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/collective_rendezvous.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using Participants = std::span<const CollectiveRendezvous::Participant* const>;

template <typename T>
Tensor Random(int64_t n, int seed) {
  Tensor t(DataTypeOf<T>(), TensorShape{n});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-1000, 1000);
  for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = static_cast<T>(d(rng)) / T(4);
  return t;
}

// Runs a sum all-reduce of `inputs` on one thread per participant through
// `rv`, each reducing its slice into every output, as the kernel does.
template <typename T>
std::vector<Tensor> AllReduceSum(CollectiveRendezvous& rv, const std::vector<Tensor>& inputs) {
  const int n = static_cast<int>(inputs.size());
  std::vector<Tensor> outputs;
  for (const Tensor& x : inputs) outputs.emplace_back(x.dtype(), x.shape());
  std::vector<std::thread> threads;
  for (int p = 0; p < n; ++p) {
    threads.emplace_back([&, p] {
      absl::Status s = rv.Run({nullptr, 1, 2, 3}, "sum", n,
                              {absl::StrCat("p", p), &inputs[p], &outputs[p]}, {},
                              [&](int rank, Participants all) {
        const int64_t len = inputs[p].num_elements();
        const int64_t b = len * rank / n, e = len * (rank + 1) / n;
        for (int64_t i = b; i < e; ++i) {
          T acc = all[0]->input->data<T>()[i];
          for (int j = 1; j < n; ++j) acc += all[j]->input->data<T>()[i];
          for (const auto* q : all) q->output->data<T>()[i] = acc;
        }
      });
      EXPECT_TRUE(s.ok()) << s;
    });
  }
  for (auto& t : threads) t.join();
  return outputs;
}

template <typename T>
void CheckSumSizes() {
  CollectiveRendezvous rv;
  for (int parts = 2; parts <= 4; ++parts) {
    for (int64_t bytes : {int64_t{sizeof(T)}, int64_t{4096} + int64_t{sizeof(T)}, int64_t{1} << 20,
                          int64_t{64} << 20}) {
      if (bytes == (int64_t{64} << 20) && parts > 2) continue;  // time on a loaded 2-core box
      const int64_t n = bytes / static_cast<int64_t>(sizeof(T));
      std::vector<Tensor> in;
      for (int p = 0; p < parts; ++p) in.push_back(Random<T>(n, 17 * p + 1));
      std::vector<Tensor> out = AllReduceSum<T>(rv, in);
      for (int64_t i = 0; i < n; ++i) {
        T want = T(0);  // reference: the formula, in participant order
        for (int p = 0; p < parts; ++p) want += in[p].data<T>()[i];
        for (int p = 0; p < parts; ++p) {
          ASSERT_EQ(out[p].data<T>()[i], want) << parts << " parts, " << bytes << " B, i " << i;
        }
      }
      EXPECT_EQ(rv.pending_instances(), 0);
    }
  }
}

TEST(CollectiveRendezvousTest, SumMatchesReferenceFloat) { CheckSumSizes<float>(); }
TEST(CollectiveRendezvousTest, SumMatchesReferenceInt32) { CheckSumSizes<int32_t>(); }
TEST(CollectiveRendezvousTest, SumMatchesReferenceInt64) { CheckSumSizes<int64_t>(); }

TEST(CollectiveRendezvousTest, OneByteOfFourParticipants) {
  // 1 B: three of four participants get an empty slice.
  CollectiveRendezvous rv;
  std::vector<Tensor> in;
  for (int p = 0; p < 4; ++p) {
    in.emplace_back(DataType::kInt8, TensorShape{1});
    in.back().data<int8_t>()[0] = static_cast<int8_t>(p + 1);
  }
  std::vector<Tensor> out = AllReduceSum<int8_t>(rv, in);
  for (const Tensor& t : out) EXPECT_EQ(t.data<int8_t>()[0], 10);
}

TEST(CollectiveRendezvousTest, MissingParticipantTimesOutNamingWhoArrived) {
  CollectiveRendezvous rv;
  Tensor x = Random<float>(4, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.timeout = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = rv.Run({nullptr, 5, 9, 1}, "CollectiveReduceV2", 3, {"/cpu:0 (node 'a')", &x, nullptr},
                          wait, [](int, Participants) { ADD_FAILURE() << "work without peers"; });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("group_key 5 instance_key 9"));
  EXPECT_THAT(s.message(), HasSubstr("arrived: /cpu:0 (node 'a')"));
  EXPECT_THAT(s.message(), HasSubstr("2 of 3 participants never arrived"));
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(rv.pending_instances(), 0) << "the leaver must not stay registered";
}

TEST(CollectiveRendezvousTest, CancellationWakesAWaiter) {
  CollectiveRendezvous rv;
  CancellationToken token;
  Tensor x = Random<float>(4, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.cancellation = &token;  // timeout stays 60 s: only Cancel can end this quickly
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = rv.Run({nullptr, 1, 1, 1}, "op", 2, {"p0", &x, nullptr}, wait,
                          [](int, Participants) { ADD_FAILURE(); });
  canceller.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(rv.pending_instances(), 0);
}

TEST(CollectiveRendezvousTest, DisagreeingGroupSizeIsRefused) {
  CollectiveRendezvous rv;
  Tensor x = Random<float>(2, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.timeout = std::chrono::milliseconds(200);
  absl::Status first;
  std::thread t([&] {
    first = rv.Run({nullptr, 1, 1, 1}, "op", 2, {"p0", &x, nullptr}, wait, [](int, Participants) {});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  absl::Status second =
      rv.Run({nullptr, 1, 1, 1}, "op", 3, {"p1", &x, nullptr}, wait, [](int, Participants) {});
  t.join();
  EXPECT_EQ(second.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(second.message(), HasSubstr("group_size"));
  EXPECT_EQ(first.code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace graphrt
