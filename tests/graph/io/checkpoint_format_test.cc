// Tests for core/graph/io/checkpoint_format.h: CRC-32 against its published
// check value, round trips of every dtype (empty and scalar tensors too), the
// exact header layout docs/checkpoints.md describes, and each corruption the
// reader must name: bad magic, newer version, truncation anywhere, trailing
// bytes, a flipped bit in the header, index or data, duplicate names.
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/graph/io/checkpoint_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

std::vector<CheckpointEntry> Sample() {
  std::vector<CheckpointEntry> e;
  e.push_back({"b", Tensor::FromVector<float>({1.5f, -2.0f, 3.25f})});
  e.push_back({"count", Tensor::Scalar<int64_t>(int64_t{1} << 40)});
  e.push_back({"empty", Tensor(DataType::kFloat32, TensorShape{0, 3})});
  e.push_back({"flags", Tensor::FromVector<bool>({true, false, true})});
  e.push_back({"ids", Tensor::FromVector<int32_t>({7, -8, 9, 10}, TensorShape{2, 2})});
  e.push_back({"pixels", Tensor::FromVector<uint8_t>({0, 128, 255})});
  return e;
}

std::string Bytes() {
  auto s = SerializeCheckpoint(Sample());
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::string();
}

TEST(CheckpointFormatTest, Crc32MatchesTheCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the standard CRC-32 check value
  EXPECT_EQ(Crc32(""), 0u);
  // Continuing a CRC equals one CRC over the concatenation.
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
}

TEST(CheckpointFormatTest, RoundTripsEveryDtype) {
  const std::string bytes = Bytes();
  auto back = ParseCheckpoint(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  const std::vector<CheckpointEntry> want = Sample();
  ASSERT_EQ(back->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const Tensor& a = (*back)[i].value;
    const Tensor& b = want[i].value;
    EXPECT_EQ((*back)[i].name, want[i].name);
    EXPECT_EQ(a.dtype(), b.dtype()) << want[i].name;
    EXPECT_EQ(a.shape(), b.shape()) << want[i].name;
    ASSERT_EQ(a.TotalBytes(), b.TotalBytes()) << want[i].name;
    EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()), 0) << want[i].name;
  }
}

TEST(CheckpointFormatTest, HeaderLayoutIsTheDocumentedOne) {
  const std::string bytes = Bytes();
  ASSERT_GE(bytes.size(), kCheckpointHeaderBytes);
  EXPECT_EQ(bytes.substr(0, 8), std::string("GRTCKPT\0", 8));
  uint32_t version, count, index_crc, header_crc;
  uint64_t index_size, data_size;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&count, bytes.data() + 12, 4);
  std::memcpy(&index_size, bytes.data() + 16, 8);
  std::memcpy(&data_size, bytes.data() + 24, 8);
  std::memcpy(&index_crc, bytes.data() + 32, 4);
  std::memcpy(&header_crc, bytes.data() + 36, 4);
  EXPECT_EQ(version, 1u);
  EXPECT_EQ(count, 6u);
  // 12 + 8 + 0 + 3 + 16 + 3 data bytes.
  EXPECT_EQ(data_size, 42u);
  EXPECT_EQ(bytes.size(), 40 + index_size + data_size);
  EXPECT_EQ(index_crc, Crc32(absl::string_view(bytes).substr(40, index_size)));
  EXPECT_EQ(header_crc, Crc32(absl::string_view(bytes).substr(0, 36)));
  // The first index entry: name "b", dtype "float32", rank 1, dim 3, offset 0.
  const char* p = bytes.data() + 40;
  uint16_t name_len;
  std::memcpy(&name_len, p, 2);
  EXPECT_EQ(name_len, 1);
  EXPECT_EQ(std::string(p + 2, 1), "b");
  EXPECT_EQ(static_cast<int>(p[3]), 7);
  EXPECT_EQ(std::string(p + 4, 7), "float32");
  EXPECT_EQ(static_cast<int>(p[11]), 1);
}

absl::Status ParseStatus(const std::string& bytes) { return ParseCheckpoint(bytes).status(); }

TEST(CheckpointFormatTest, RefusesWhatIsNoCheckpoint) {
  EXPECT_THAT(ParseStatus("").message(), HasSubstr("truncated: 0 bytes"));
  EXPECT_THAT(ParseStatus("hello, world").message(), HasSubstr("bad magic"));
  std::string bytes = Bytes();
  bytes[0] = 'X';
  EXPECT_EQ(ParseStatus(bytes).code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(ParseStatus(bytes).message(), HasSubstr("bad magic"));
}

TEST(CheckpointFormatTest, RefusesANewerVersionWithAValidHeader) {
  std::string bytes = Bytes();
  const uint32_t version = 2;
  std::memcpy(bytes.data() + 8, &version, 4);
  const uint32_t crc = Crc32(absl::string_view(bytes).substr(0, 36));
  std::memcpy(bytes.data() + 36, &crc, 4);
  absl::Status s = ParseStatus(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("version 2"));
}

TEST(CheckpointFormatTest, EveryTruncationIsDetected) {
  const std::string bytes = Bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::Status s = ParseStatus(bytes.substr(0, n));
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << n << ": " << s;
  }
  EXPECT_THAT(ParseStatus(bytes.substr(0, bytes.size() - 1)).message(),
              HasSubstr("truncated"));
  EXPECT_THAT(ParseStatus(bytes + "x").message(), HasSubstr("trailing bytes"));
}

TEST(CheckpointFormatTest, EveryFlippedBitIsDetected) {
  const std::string bytes = Bytes();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      absl::Status s = ParseStatus(bad);
      EXPECT_FALSE(s.ok()) << "byte " << i << " bit " << bit;
    }
  }
  std::string bad = bytes;
  bad.back() = static_cast<char>(bad.back() ^ 1);  // the last data byte: "pixels"
  EXPECT_THAT(ParseStatus(bad).message(), HasSubstr("the data of entry 'pixels'"));
  bad = bytes;
  bad[45] = static_cast<char>(bad[45] ^ 1);
  EXPECT_THAT(ParseStatus(bad).message(), HasSubstr("index's checksum"));
  bad = bytes;
  bad[20] = static_cast<char>(bad[20] ^ 1);
  EXPECT_THAT(ParseStatus(bad).message(), HasSubstr("header's checksum"));
}

TEST(CheckpointFormatTest, WriterRefusesWhatTheFormatCannotHold) {
  std::vector<CheckpointEntry> twice = {{"a", Tensor::Scalar<float>(1)},
                                        {"a", Tensor::Scalar<float>(2)}};
  EXPECT_THAT(SerializeCheckpoint(twice).status().message(), HasSubstr("'a' appears twice"));
  std::vector<CheckpointEntry> unnamed = {{"", Tensor::Scalar<float>(1)}};
  EXPECT_FALSE(SerializeCheckpoint(unnamed).ok());
  std::vector<CheckpointEntry> empty = {{"x", Tensor()}};
  EXPECT_THAT(SerializeCheckpoint(empty).status().message(), HasSubstr("'x'"));
}

TEST(CheckpointFormatTest, NoEntriesIsAValidCheckpoint) {
  auto bytes = SerializeCheckpoint({});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), kCheckpointHeaderBytes);
  auto back = ParseCheckpoint(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->empty());
}

// A file written by an independent writer (Python's struct and zlib.crc32,
// from docs/checkpoints.md): a fuzz seed of tests/fuzz/corpus.
TEST(CheckpointFormatTest, ReadsAFileWrittenFromTheDocumentation) {
  std::ifstream in(std::string(GRAPHRT_TEST_DATA) +
                       "/../fuzz/corpus/checkpoint_fuzzer/10021cf514f4772122c42507f6503cb7bfbff097",
                   std::ios::binary);
  ASSERT_TRUE(in.good());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto entries = ParseCheckpoint(bytes);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "w");
  EXPECT_EQ((*entries)[0].value.shape(), (TensorShape{2, 2}));
  EXPECT_EQ((*entries)[0].value.data<float>()[3], 4.0f);
  EXPECT_EQ((*entries)[1].name, "step");
  EXPECT_EQ((*entries)[1].value.scalar<int64_t>(), 7);
  // Our writer writes the same bytes.
  auto again = SerializeCheckpoint(*entries);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, bytes);
}

}  // namespace
}  // namespace graphrt
