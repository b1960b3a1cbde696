// The cuDNN convolution algorithm choice and its per-device cache
// (kernels/gpu/cudnn_conv_algo.h): plain data, so it runs without a GPU.
// Built into the library only with cuDNN; without it the tests skip.
#include "kernels/gpu/cudnn_conv_algo.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace graphrt {
namespace {

#ifdef GRAPHRT_HAVE_CUDNN

constexpr size_t kMiB = size_t{1} << 20;

TEST(ChooseConvAlgoTest, TakesTheFirstSupportedWithinTheCap) {
  const std::vector<AlgoCandidate> ranked = {
      {.algo = 7, .supported = false, .workspace = 0},         // refused by cuDNN (or TF32)
      {.algo = 6, .supported = true, .workspace = 900 * kMiB},  // over the cap
      {.algo = 1, .supported = true, .workspace = 3 * kMiB},
      {.algo = 0, .supported = true, .workspace = 0},
  };
  std::optional<ConvAlgo> a = ChooseConvAlgo(ranked, 256 * kMiB);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->algo, 1);
  EXPECT_EQ(a->workspace, 3 * kMiB);
  ASSERT_TRUE(a->fallback.has_value());
  EXPECT_EQ(*a->fallback, 0);
}

TEST(ChooseConvAlgoTest, AnAlgorithmWithoutWorkspaceIsItsOwnFallback) {
  const std::vector<AlgoCandidate> ranked = {{.algo = 2, .supported = true, .workspace = 0},
                                             {.algo = 5, .supported = true, .workspace = 0}};
  std::optional<ConvAlgo> a = ChooseConvAlgo(ranked, 0);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->algo, 2);
  EXPECT_EQ(a->fallback, 2);
}

TEST(ChooseConvAlgoTest, NoFallbackWhenEverySupportedOneNeedsWorkspace) {
  const std::vector<AlgoCandidate> ranked = {{.algo = 4, .supported = true, .workspace = 64}};
  std::optional<ConvAlgo> a = ChooseConvAlgo(ranked, kMaxConvWorkspaceBytes);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->algo, 4);
  EXPECT_FALSE(a->fallback.has_value());
}

TEST(ChooseConvAlgoTest, NothingWhenNoneIsSupportedWithinTheCap) {
  const std::vector<AlgoCandidate> ranked = {{.algo = 1, .supported = false, .workspace = 0},
                                             {.algo = 3, .supported = true, .workspace = 65}};
  EXPECT_FALSE(ChooseConvAlgo(ranked, 64).has_value());
  EXPECT_FALSE(ChooseConvAlgo({}, 64).has_value());
}

TEST(ConvAlgoCacheTest, KeysDifferByPassAndShape) {
  ConvAlgoCache cache;
  ConvKey fwd{.pass = ConvPass::kForward, .n = 2, .h = 8, .w = 8, .c = 3, .out_c = 4,
              .filter_h = 3, .filter_w = 3, .stride_h = 1, .stride_w = 1, .dilation_h = 1,
              .dilation_w = 1};
  ConvKey data = fwd;
  data.pass = ConvPass::kBackwardData;
  ConvKey wider = fwd;
  wider.w = 9;
  EXPECT_FALSE(cache.Find(fwd).has_value());
  cache.Insert(fwd, {.algo = 1, .workspace = 10, .fallback = 0});
  cache.Insert(fwd, {.algo = 2, .workspace = 0, .fallback = 2});  // the first one stays
  ASSERT_TRUE(cache.Find(fwd).has_value());
  EXPECT_EQ(cache.Find(fwd)->algo, 1);
  EXPECT_FALSE(cache.Find(data).has_value());
  EXPECT_FALSE(cache.Find(wider).has_value());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ConvAlgoCacheTest, ConcurrentInsertsAndFindsKeepOneEntryPerKey) {
  ConvAlgoCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 200; ++i) {
        ConvKey k;
        k.n = i % 50;
        cache.Insert(k, {.algo = t, .workspace = 0, .fallback = std::nullopt});
        EXPECT_TRUE(cache.Find(k).has_value());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(cache.size(), 50u);
}

#else

TEST(ChooseConvAlgoTest, SkippedWithoutCudnn) {
  GTEST_SKIP() << "built without cuDNN: kernels/gpu/cudnn_* are not compiled";
}

#endif

}  // namespace
}  // namespace graphrt
