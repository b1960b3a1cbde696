// SplitPadding (kernels/gpu/cudnn_padding.h): TF's padding as cuDNN's
// symmetric part plus explicit rows. Checked on named cases and on a sweep
// against TF's output-size rules written out here: cuDNN's output size from
// the split must be TF's, and the first window must start where TF's does.
// Header-only arithmetic: runs in every build.
#include "kernels/gpu/cudnn_padding.h"

#include <string>

#include "gtest/gtest.h"

namespace graphrt {
namespace {

void ExpectSplit(const PaddingSplit& s, int64_t symmetric, int64_t before, int64_t after) {
  EXPECT_EQ(s.symmetric, symmetric);
  EXPECT_EQ(s.extra_before, before);
  EXPECT_EQ(s.extra_after, after);
}

TEST(SplitPaddingTest, SameStride2OnAnEvenSizePadsTheOddRowAfter) {
  // in 8, window 3, stride 2: out 4, total padding 1, all after.
  ExpectSplit(SplitPadding(8, 4, 3, 2, 0), 0, 0, 1);
}

TEST(SplitPaddingTest, SymmetricSameGoesToCudnnAlone) {
  ExpectSplit(SplitPadding(4, 4, 3, 1, 1), 1, 0, 0);      // 3x3 stride 1
  ExpectSplit(SplitPadding(7, 7, 5, 1, 2), 2, 0, 0);      // 3x3 dilated by 2
}

TEST(SplitPaddingTest, LopsidedExplicitPaddingIsMadeReal) {
  // in 5, window 2, explicit (2, 0): out (5 + 2 - 2) / 1 + 1 = 6.
  ExpectSplit(SplitPadding(5, 6, 2, 1, 2), 0, 2, 0);
  // in 6, window 3, explicit (1, 3): out 7; the last window needs 2 after.
  ExpectSplit(SplitPadding(6, 7, 3, 1, 1), 1, 0, 1);
}

TEST(SplitPaddingTest, RowsNoWindowReachesAreDropped) {
  ExpectSplit(SplitPadding(6, 3, 1, 2, 0), 0, 0, 0);  // VALID, stride 2: row 5 unread
  // in 5, window 3, stride 2, explicit (1, 2): out 3; only 1 row after is read.
  ExpectSplit(SplitPadding(5, 3, 3, 2, 1), 1, 0, 0);
}

TEST(SplitPaddingTest, NoWindowsNoPadding) { ExpectSplit(SplitPadding(0, 0, 3, 1, 1), 0, 0, 0); }

// TF's rules (kernel_shape_util.cc), independent of the runtime's: output
// size and padding before for VALID, SAME and EXPLICIT.
struct TfWindow {
  int64_t out, before;
};
TfWindow Tf(const std::string& padding, int64_t in, int64_t eff, int64_t s, int64_t b,
            int64_t a) {
  if (padding == "VALID") return {in >= eff ? (in - eff) / s + 1 : 0, 0};
  if (padding == "SAME") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
    return {out, total / 2};
  }
  return {in + b + a >= eff ? (in + b + a - eff) / s + 1 : 0, b};
}

TEST(SplitPaddingTest, SweepMatchesTfOutputSizesAndWindowStarts) {
  int checked = 0;
  for (const std::string padding : {"VALID", "SAME", "EXPLICIT"}) {
    for (int64_t in = 1; in <= 12; ++in)
      for (int64_t eff = 1; eff <= 7; ++eff)
        for (int64_t s = 1; s <= 3; ++s)
          for (int64_t b = 0; b <= (padding == "EXPLICIT" ? 3 : 0); ++b)
            for (int64_t a = 0; a <= (padding == "EXPLICIT" ? 3 : 0); ++a) {
              const TfWindow tf = Tf(padding, in, eff, s, b, a);
              if (tf.out <= 0) continue;
              const PaddingSplit p = SplitPadding(in, tf.out, eff, s, tf.before);
              SCOPED_TRACE(padding + " in " + std::to_string(in) + " window " +
                           std::to_string(eff) + " stride " + std::to_string(s) + " pads " +
                           std::to_string(b) + "," + std::to_string(a));
              ASSERT_GE(p.symmetric, 0);
              ASSERT_GE(p.extra_before, 0);
              ASSERT_GE(p.extra_after, 0);
              // The first window starts tf.before cells before the input.
              EXPECT_EQ(p.symmetric + p.extra_before, tf.before);
              // cuDNN's output size over the padded input is TF's.
              const int64_t padded = in + p.extra_before + p.extra_after;
              EXPECT_EQ((padded + 2 * p.symmetric - eff) / s + 1, tf.out);
              // At most one side is made real.
              EXPECT_TRUE(p.extra_before == 0 || p.extra_after == 0);
              ++checked;
            }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace graphrt
