// Tests for examples/fashion_mnist_mlp/idx_reader.h: IDX files written by the
// test (gzip-compressed and plain) read back exactly; missing, truncated and
// malformed files give statuses naming the path; Dataset::Slice copies.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "examples/fashion_mnist_mlp/idx_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt::mnist {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<unsigned char> IdxBytes(std::vector<uint32_t> dims, std::vector<uint8_t> values,
                                    unsigned char type = 0x08) {
  std::vector<unsigned char> out = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<unsigned char>(d >> shift));
  }
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

class IdxReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("graphrt_idx_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WritePlain(const std::string& name, const std::vector<unsigned char>& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return path;
  }
  std::string WriteGzip(const std::string& name, const std::vector<unsigned char>& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(IdxReaderTest, ReadsGzipAndPlainFiles) {
  const auto bytes = IdxBytes({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255});
  for (const std::string& path : {WriteGzip("a.gz", bytes), WritePlain("a", bytes)}) {
    absl::StatusOr<Tensor> t = ReadIdx(path);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->dtype(), DataType::kUint8);
    EXPECT_EQ(t->shape(), (TensorShape{2, 2, 3}));
    EXPECT_EQ(t->data<uint8_t>()[11], 255);
    EXPECT_EQ(t->data<uint8_t>()[4], 5);
  }
}

TEST_F(IdxReaderTest, MissingFileNamesThePathAndThePackage) {
  absl::StatusOr<Tensor> t = ReadIdx((dir_ / "nope.gz").string());
  ASSERT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("nope.gz"));
  EXPECT_THAT(t.status().message(), HasSubstr("apt-get install dataset-fashion-mnist"));
}

TEST_F(IdxReaderTest, MalformedFilesAreDataLoss) {
  struct Case {
    std::vector<unsigned char> bytes;
    const char* why;
  };
  const Case cases[] = {
      {{0, 0}, "header"},
      {{1, 0, 8, 1, 0, 0, 0, 1, 7}, "magic"},
      {IdxBytes({2}, {1, 2}, 0x0D), "not uint8"},
      {IdxBytes({3}, {1, 2}), "truncated"},
      {{0, 0, 8, 2, 0, 0}, "truncated dims"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string path = WriteGzip("bad" + std::to_string(i++) + ".gz", c.bytes);
    absl::StatusOr<Tensor> t = ReadIdx(path);
    ASSERT_EQ(t.status().code(), absl::StatusCode::kDataLoss) << c.why << ": " << t.status();
    EXPECT_THAT(t.status().message(), HasSubstr(c.why));
    EXPECT_THAT(t.status().message(), HasSubstr(path));
  }
}

TEST_F(IdxReaderTest, LoadsASplitAndChecksLabels) {
  // Three 28x28 images; labels 0, 9, 4.
  std::vector<uint8_t> pixels(3 * 28 * 28);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i % 251);
  for (const char* split : {"train", "t10k"}) {
    WriteGzip(std::string(split) + "-images-idx3-ubyte.gz", IdxBytes({3, 28, 28}, pixels));
    WriteGzip(std::string(split) + "-labels-idx1-ubyte.gz", IdxBytes({3}, {0, 9, 4}));
  }
  absl::StatusOr<FashionMnist> data = LoadFashionMnist(dir_.string());
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 3);
  EXPECT_THAT(data->test.labels.flat<int64_t>(), ElementsAre(0, 9, 4));
  Dataset tail = data->train.Slice(1, 3);
  EXPECT_EQ(tail.images.shape(), (TensorShape{2, 28, 28}));
  EXPECT_EQ(tail.images.data<uint8_t>()[0], pixels[784]);
  EXPECT_THAT(tail.labels.flat<int64_t>(), ElementsAre(9, 4));

  WriteGzip("t10k-labels-idx1-ubyte.gz", IdxBytes({3}, {0, 10, 4}));
  data = LoadFashionMnist(dir_.string());
  ASSERT_EQ(data.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(data.status().message(), HasSubstr("label 10 at index 1"));
  WriteGzip("t10k-labels-idx1-ubyte.gz", IdxBytes({2}, {0, 1}));
  data = LoadFashionMnist(dir_.string());
  ASSERT_EQ(data.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(data.status().message(), HasSubstr("do not describe the same examples"));
}

TEST_F(IdxReaderTest, TrainingSplitsHoldOutTheFirst5000) {
  // 5,010 training images whose every pixel is the image's index mod 251, and
  // labels index mod 10: which examples land in which split is readable.
  constexpr int64_t kTrain = 5010;
  std::vector<uint8_t> pixels(kTrain * 28 * 28), labels(kTrain);
  for (int64_t i = 0; i < kTrain; ++i) {
    std::fill_n(pixels.begin() + i * 784, 784, static_cast<uint8_t>(i % 251));
    labels[static_cast<size_t>(i)] = static_cast<uint8_t>(i % 10);
  }
  WriteGzip("train-images-idx3-ubyte.gz", IdxBytes({kTrain, 28, 28}, pixels));
  WriteGzip("train-labels-idx1-ubyte.gz", IdxBytes({kTrain}, labels));
  WriteGzip("t10k-images-idx3-ubyte.gz", IdxBytes({2, 28, 28}, std::vector<uint8_t>(2 * 784, 7)));
  WriteGzip("t10k-labels-idx1-ubyte.gz", IdxBytes({2}, {3, 1}));

  for (int64_t asked : {0, -1, 10, 11, 1000}) {  // all the rest
    absl::StatusOr<TrainingSplits> s = LoadTrainingSplits(dir_.string(), asked);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->valid.size(), 5000) << asked;
    EXPECT_EQ(s->train.size(), 10) << asked;
    EXPECT_EQ(s->test.size(), 2) << asked;
  }
  absl::StatusOr<TrainingSplits> s = LoadTrainingSplits(dir_.string(), 4);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->train.images.shape(), (TensorShape{4, 28, 28}));
  EXPECT_EQ(s->train.images.data<uint8_t>()[0], 5000 % 251);  // image 5000 comes first
  EXPECT_EQ(s->train.images.data<uint8_t>()[3 * 784 + 783], 5003 % 251);
  EXPECT_THAT(s->train.labels.flat<int64_t>(), ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(s->valid.images.data<uint8_t>()[4999 * 784], 4999 % 251);
  EXPECT_EQ(s->valid.labels.flat<int64_t>()[4999], 9);
  EXPECT_THAT(s->test.labels.flat<int64_t>(), ElementsAre(3, 1));

  EXPECT_EQ(LoadTrainingSplits((dir_ / "absent").string(), 0).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace graphrt::mnist
