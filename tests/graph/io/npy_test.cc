// .npy files: every supported dtype round-trips, files numpy wrote parse,
// and bad files get a clear status.
#include "core/graph/io/npy.h"

#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

template <typename T>
void ExpectRoundTrip(const std::vector<T>& values, const TensorShape& shape) {
  Tensor t = Tensor::FromVector<T>(values, shape);
  absl::StatusOr<Tensor> back = ParseNpy(SerializeNpy(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->dtype(), t.dtype());
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(std::memcmp(back->raw_data(), t.raw_data(), t.TotalBytes()), 0);
}

TEST(NpyTest, EveryDtypeAndRankRoundTrips) {
  ExpectRoundTrip<float>({1.5f, -2}, TensorShape{2});
  ExpectRoundTrip<float>({3}, TensorShape{});
  ExpectRoundTrip<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape{2, 3});
  ExpectRoundTrip<int64_t>({-1, 1LL << 40}, TensorShape{1, 2, 1});
  ExpectRoundTrip<uint8_t>({0, 255}, TensorShape{2, 1});
  ExpectRoundTrip<bool>({true, false, true}, TensorShape{3});
  ExpectRoundTrip<float>({}, TensorShape{0, 4});
}

TEST(NpyTest, HeaderIsWhatNumpyExpects) {
  std::string bytes = SerializeNpy(Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  ASSERT_GT(bytes.size(), 10u);
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned as numpy aligns it
  EXPECT_THAT(bytes.substr(10, header_len),
              HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
}

TEST(NpyTest, ReadsAFileNumpyWrote) {
  // tests/data/tf_mlp_images.npy was written by np.save (uint8 [16, 28, 28]).
  absl::StatusOr<Tensor> t = ReadNpy(GRAPHRT_TEST_DATA "/tf_mlp_images.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DataType::kUint8);
  EXPECT_EQ(t->shape(), (TensorShape{16, 28, 28}));
  int nonzero = 0;
  for (uint8_t v : t->flat<uint8_t>()) nonzero += v != 0;
  EXPECT_GT(nonzero, 1000);  // images, not zeros
}

TEST(NpyTest, UnsupportedDtypeSaysHowToConvert) {
  std::string bytes = SerializeNpy(Tensor::FromVector<float>({1}, {1}));
  bytes.replace(bytes.find("<f4"), 3, "<f8");
  absl::Status s = ParseNpy(bytes).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("astype"));
}

TEST(NpyTest, TruncatedDataAndBadMagicAreErrors) {
  std::string bytes = SerializeNpy(Tensor::FromVector<int32_t>({1, 2, 3}, {3}));
  EXPECT_THAT(ParseNpy(bytes.substr(0, bytes.size() - 1)).status().message(),
              HasSubstr("bytes of data"));
  EXPECT_THAT(ParseNpy("PK\x03\x04 not numpy").status().message(), HasSubstr("magic"));
  EXPECT_THAT(ParseNpy(bytes.substr(0, 20)).status().message(), HasSubstr("truncated"));
}

TEST(NpyTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadNpy("/nonexistent/x.npy").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace graphrt
