// Tests for core/executor/checkpoint.h: a trained model (Adam slots and beta
// powers included) saved and restored into a fresh session gives identical
// variables, outputs and next training step; every mismatch is named in one
// error; corruption, truncation and a missing file are refused with the
// session untouched; a save that fails mid-write (the file-size limit)
// leaves the previous checkpoint intact and no temporary file; saving while
// another thread trains is safe.
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "core/executor/checkpoint.h"
#include "core/executor/session.h"
#include "core/graph/io/checkpoint_format.h"
#include "core/graph/io/proto_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/small_mlp.h"

namespace graphrt {
namespace {

using ::graphrt::testing::SmallMlp;
using ::testing::HasSubstr;

std::string NewTempDir() {
  std::string dir = ::testing::TempDir() + "/graphrt_ckpt_XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

std::vector<std::string> VariableNames(const Session& s) {
  std::vector<std::string> names;
  for (int i = 0; i < s.graph().num_nodes(); ++i) {
    if (s.graph().node(i).op() == "VarHandleOp") names.push_back(s.graph().node(i).name());
  }
  return names;
}

Tensor ValueOf(Session& s, const std::string& name) {
  auto var = s.resources().LookupVariable(name);
  EXPECT_TRUE(var.ok()) << var.status();
  auto t = (*var)->Read();
  EXPECT_TRUE(t.ok()) << t.status();
  return *t;
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

void ExpectSameVariables(Session& a, Session& b) {
  for (const std::string& name : VariableNames(a)) {
    EXPECT_TRUE(SameBytes(ValueOf(a, name), ValueOf(b, name))) << name;
  }
}

TEST(CheckpointTest, RoundTripIntoAFreshSessionContinuesTheSameTraining) {
  const std::string path = NewTempDir() + "/model.ckpt";
  SmallMlp mlp;
  auto trained = mlp.NewSession();
  mlp.Train(*trained, 5);
  ASSERT_TRUE(SaveCheckpoint(*trained, path).ok());

  auto fresh = mlp.NewSession();
  const Tensor before = mlp.Probs(*fresh);
  EXPECT_FALSE(SameBytes(before, mlp.Probs(*trained)));  // training changed something
  absl::Status restored = RestoreCheckpoint(*fresh, path);
  ASSERT_TRUE(restored.ok()) << restored;
  // Weights, Adam's m and v, and the beta powers: 4 + 8 + 2 variables.
  EXPECT_EQ(VariableNames(*fresh).size(), 14u);
  ExpectSameVariables(*trained, *fresh);
  EXPECT_TRUE(SameBytes(mlp.Probs(*fresh), mlp.Probs(*trained)));
  // The slots and beta powers came back too: the next steps agree.
  mlp.Train(*trained, 2);
  mlp.Train(*fresh, 2);
  ExpectSameVariables(*trained, *fresh);
  EXPECT_TRUE(SameBytes(mlp.Probs(*fresh), mlp.Probs(*trained)));
}

TEST(CheckpointTest, TheFileHoldsEveryVariableSortedByName) {
  const std::string path = NewTempDir() + "/model.ckpt";
  SmallMlp mlp;
  auto s = mlp.NewSession();
  ASSERT_TRUE(SaveCheckpoint(*s, path).ok());
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  auto entries = ParseCheckpoint(*bytes);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> names;
  for (const CheckpointEntry& e : *entries) names.push_back(e.name);
  EXPECT_THAT(names, ::testing::ElementsAre("b1", "b1/adam_m", "b1/adam_v", "b2", "b2/adam_m",
                                            "b2/adam_v", "train/beta1_power",
                                            "train/beta2_power", "w1", "w1/adam_m",
                                            "w1/adam_v", "w2", "w2/adam_m", "w2/adam_v"));
}

std::unique_ptr<Session> SessionWith(
    const std::vector<std::pair<std::string, Tensor>>& variables) {
  GraphBuilder b;
  for (const auto& [name, value] : variables) b.NewVariable(name, value);
  auto s = Session::Create(*b.Build());
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

TEST(CheckpointTest, RestoreNamesEveryMismatchAndChangesNothing) {
  const std::string path = NewTempDir() + "/vars.ckpt";
  auto saved = SessionWith({{"a", Tensor::FromVector<float>({1, 2})},
                            {"b", Tensor::FromVector<float>({1, 2, 3})},
                            {"c", Tensor::Scalar<int32_t>(4)},
                            {"old", Tensor::Scalar<float>(5)}});
  ASSERT_TRUE(SaveCheckpoint(*saved, path).ok());
  auto other = SessionWith({{"a", Tensor::FromVector<float>({9, 9})},
                            {"b", Tensor::FromVector<float>({0, 0, 0, 0})},
                            {"c", Tensor::Scalar<float>(0)},
                            {"d", Tensor::Scalar<float>(0)}});
  absl::Status s = RestoreCheckpoint(*other, path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_THAT(s.message(), HasSubstr("(4 problems)"));
  EXPECT_THAT(s.message(), HasSubstr("missing from the checkpoint: 'd'"));
  EXPECT_THAT(s.message(), HasSubstr("in the checkpoint but not in the session: 'old'"));
  EXPECT_THAT(s.message(),
              HasSubstr("'b' is float32[3] in the checkpoint but float32[4] in the session"));
  EXPECT_THAT(s.message(),
              HasSubstr("'c' is int32[] in the checkpoint but float32[] in the session"));
  // 'a' matched, but nothing is assigned when anything does not.
  EXPECT_TRUE(SameBytes(ValueOf(*other, "a"), Tensor::FromVector<float>({9, 9})));
}

// CheckpointOptions: copies ("replica_1/w") saved once under the plain
// name, restored into every copy, or into a session that has only "w".
TEST(CheckpointTest, OptionsSaveOneCopyAndRestoreItIntoEveryCopy) {
  const std::string path = NewTempDir() + "/renamed.ckpt";
  CheckpointOptions options;
  options.save_as = [](absl::string_view name) -> std::optional<std::string> {
    if (absl::StartsWith(name, "replica_1/")) return std::nullopt;
    return std::string(name);
  };
  options.restore_from = [](absl::string_view name) {
    return std::string(absl::StripPrefix(name, "replica_1/"));
  };
  auto copies = SessionWith({{"w", Tensor::FromVector<float>({1, 2})},
                             {"replica_1/w", Tensor::FromVector<float>({1, 2})}});
  ASSERT_TRUE(SaveCheckpoint(*copies, path, options).ok());
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  auto entries = ParseCheckpoint(*bytes);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "w");
  // A single-device session restores it without options.
  auto single = SessionWith({{"w", Tensor::FromVector<float>({0, 0})}});
  ASSERT_TRUE(RestoreCheckpoint(*single, path).ok());
  // Both copies come back from the one entry.
  auto fresh = SessionWith({{"w", Tensor::FromVector<float>({7, 7})},
                            {"replica_1/w", Tensor::FromVector<float>({8, 8})}});
  absl::Status s = RestoreCheckpoint(*fresh, path, options);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(SameBytes(ValueOf(*fresh, "replica_1/w"), Tensor::FromVector<float>({1, 2})));
  EXPECT_TRUE(SameBytes(ValueOf(*fresh, "w"), Tensor::FromVector<float>({1, 2})));
  // Errors name the entry and the variable; two variables on one entry is refused.
  auto other = SessionWith({{"replica_1/v", Tensor::FromVector<float>({0, 0})}});
  s = RestoreCheckpoint(*other, path, options);
  EXPECT_THAT(s.message(), HasSubstr("'v' (for variable 'replica_1/v')"));
  options.save_as = [](absl::string_view) -> std::optional<std::string> { return "same"; };
  s = SaveCheckpoint(*copies, path, options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("are both saved as 'same'"));
}

TEST(CheckpointTest, CorruptTruncatedAndMissingFilesAreRefused) {
  const std::string dir = NewTempDir();
  const std::string path = dir + "/vars.ckpt";
  auto s = SessionWith({{"a", Tensor::FromVector<float>({1, 2, 3, 4})}});
  ASSERT_TRUE(SaveCheckpoint(*s, path).ok());
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  auto target = SessionWith({{"a", Tensor::FromVector<float>({0, 0, 0, 0})}});

  std::string flipped = *bytes;
  flipped[flipped.size() - 2] ^= 0x10;
  ASSERT_TRUE(WriteStringToFile(dir + "/flipped.ckpt", flipped).ok());
  absl::Status corrupt = RestoreCheckpoint(*target, dir + "/flipped.ckpt");
  EXPECT_EQ(corrupt.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(corrupt.message(), HasSubstr("flipped.ckpt"));
  EXPECT_THAT(corrupt.message(), HasSubstr("the data of entry 'a' does not match"));

  ASSERT_TRUE(WriteStringToFile(dir + "/short.ckpt", bytes->substr(0, bytes->size() - 3)).ok());
  absl::Status truncated = RestoreCheckpoint(*target, dir + "/short.ckpt");
  EXPECT_EQ(truncated.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(truncated.message(), HasSubstr("truncated"));

  ASSERT_TRUE(WriteStringToFile(dir + "/graph.ckpt", "node { name: 'x' }").ok());
  EXPECT_THAT(RestoreCheckpoint(*target, dir + "/graph.ckpt").message(), HasSubstr("bad magic"));

  absl::Status missing = RestoreCheckpoint(*target, dir + "/nope.ckpt");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("nope.ckpt"));

  EXPECT_TRUE(SameBytes(ValueOf(*target, "a"), Tensor::FromVector<float>({0, 0, 0, 0})));
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

// A save that fails mid-write: with RLIMIT_FSIZE below the new file's size,
// write(2) fails with EFBIG (SIGXFSZ ignored) part-way through the data.
TEST(CheckpointTest, AFailedSaveLeavesTheOldCheckpointIntact) {
  const std::string dir = NewTempDir();
  const std::string path = dir + "/big.ckpt";
  Tensor big(DataType::kFloat32, TensorShape{64 * 1024});
  for (int64_t i = 0; i < big.num_elements(); ++i) big.data<float>()[i] = static_cast<float>(i);
  GraphBuilder b;
  Variable v = b.NewVariable("v", big);
  Output bump = v.AssignAdd(b.Const(big));
  auto s = Session::Create(*b.Build());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(SaveCheckpoint(**s, path).ok());
  auto old_bytes = ReadFileToString(path);
  ASSERT_TRUE(old_bytes.ok());
  ASSERT_TRUE((*s)->Run({}, {}, {bump}).ok());  // v = 2 * big

  struct rlimit saved_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
  auto* old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved_limit;
  small.rlim_cur = 16 * 1024;  // the checkpoint needs 256 KiB
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  absl::Status failed = SaveCheckpoint(**s, path);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
  signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("cannot write"));
  EXPECT_THAT(FilesIn(dir), ::testing::ElementsAre("big.ckpt"));  // no temporary left
  auto now_bytes = ReadFileToString(path);
  ASSERT_TRUE(now_bytes.ok());
  EXPECT_EQ(*now_bytes, *old_bytes);
  ASSERT_TRUE(RestoreCheckpoint(**s, path).ok());
  EXPECT_TRUE(SameBytes(ValueOf(**s, "v"), big));
  // And a save that works replaces it.
  ASSERT_TRUE((*s)->Run({}, {}, {bump}).ok());
  ASSERT_TRUE(SaveCheckpoint(**s, path).ok());
  EXPECT_THAT(FilesIn(dir), ::testing::ElementsAre("big.ckpt"));
  EXPECT_NE(*ReadFileToString(path), *old_bytes);
}

TEST(CheckpointTest, SaveNamesWhatItCannotDo) {
  auto s = SessionWith({{"a", Tensor::Scalar<float>(1)}});
  absl::Status no_dir = SaveCheckpoint(*s, NewTempDir() + "/no/such/dir/x.ckpt");
  EXPECT_EQ(no_dir.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(no_dir.message(), HasSubstr("no/such/dir/x.ckpt.tmp-"));

  GraphBuilder b;
  b.Op("VarHandleOp", {}, {{"dtype", DataType::kFloat32}, {"shape", PartialShape{2}}}, "unset");
  auto unset = Session::Create(*b.Build());
  ASSERT_TRUE(unset.ok()) << unset.status();
  absl::Status no_value = SaveCheckpoint(**unset, NewTempDir() + "/x.ckpt");
  EXPECT_EQ(no_value.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_value.message(), HasSubstr("'unset' has no value yet"));
}

// Saving while another thread trains: every save succeeds and reads back
// (each variable is taken under its own lock; see the header for what is
// not guaranteed across variables). Mostly for TSan.
TEST(CheckpointTest, SavingWhileTrainingIsSafe) {
  const std::string dir = NewTempDir();
  SmallMlp mlp;
  auto s = mlp.NewSession();
  std::thread trainer([&] { mlp.Train(*s, 30); });
  for (int i = 0; i < 5; ++i) {
    const std::string path = dir + "/during_" + std::to_string(i) + ".ckpt";
    ASSERT_TRUE(SaveCheckpoint(*s, path).ok());
    auto bytes = ReadFileToString(path);
    ASSERT_TRUE(bytes.ok());
    EXPECT_TRUE(ParseCheckpoint(*bytes).ok());
  }
  trainer.join();
}

}  // namespace
}  // namespace graphrt
