// The host side of the NCCL collectives (kernels/gpu/nccl_*), without a GPU:
// dtype mapping, which groups go through the host instead of NCCL, the
// one-rank-per-physical-GPU check and its message,
// loading NCCL at run time (a missing library is a status, not a crash),
// NCCL errors turned into statuses, what the family registers, and the
// refusal of cross-process ("cluster") collectives on a GPU. Skips in
// builds without NCCL's header.
#include <string>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "core/graph/builder.h"
#include "core/graph/ops/collective_ops.h"
#include "core/memory/allocator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/gpu/register.h"
#ifdef GRAPHRT_HAVE_NCCL
#include "kernels/gpu/nccl_clique.h"
#include "kernels/gpu/nccl_collective_kernel.h"
#include "kernels/gpu/nccl_library.h"
#endif

namespace graphrt {
namespace {

using ::testing::HasSubstr;

#ifdef GRAPHRT_HAVE_NCCL

TEST(NcclHostTest, DataTypesMapToNcclsAndOthersAreRefused) {
  EXPECT_EQ(NcclDataType(DataType::kFloat32).value(), ncclFloat32);
  EXPECT_EQ(NcclDataType(DataType::kInt32).value(), ncclInt32);
  EXPECT_EQ(NcclDataType(DataType::kInt64).value(), ncclInt64);
  absl::StatusOr<ncclDataType_t> u8 = NcclDataType(DataType::kUint8);
  EXPECT_EQ(u8.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(u8.status().message(), HasSubstr("uint8"));
}

TEST(NcclHostTest, DistinctPhysicalGpusPass) {
  const std::vector<std::string> names = {"/device:GPU:0", "/device:GPU:1", "/device:GPU:2"};
  EXPECT_TRUE(CheckDistinctGpus(names, std::vector<int>{0, 1, 2}).ok());
  EXPECT_TRUE(CheckDistinctGpus(std::vector<std::string>{"/device:GPU:3"}, std::vector<int>{0})
                  .ok());
}

// Note [GPU collectives through the host]: logical GPUs of one card, and
// groups with no NCCL to load, go through the host; a group of one never
// needs NCCL, so nobody asks whether it loads.
TEST(NcclHostTest, GroupsSharingACardOrWithoutNcclGoThroughTheHost) {
  int asked = 0;
  auto loadable = [&asked] {
    ++asked;
    return true;
  };
  auto missing = [&asked] {
    ++asked;
    return false;
  };
  EXPECT_FALSE(CollectiveThroughHost(std::vector<int>{0, 1, 2}, loadable));
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(CollectiveThroughHost(std::vector<int>{0, 0}, loadable));
  EXPECT_TRUE(CollectiveThroughHost(std::vector<int>{1, 0, 1}, loadable));
  EXPECT_EQ(asked, 1);  // a shared card decides without NCCL
  EXPECT_TRUE(CollectiveThroughHost(std::vector<int>{0, 1}, missing));
  EXPECT_EQ(asked, 2);
  EXPECT_FALSE(CollectiveThroughHost(std::vector<int>{3}, missing));
  EXPECT_EQ(asked, 2);
}

// NcclCliques' own guard (the kernels never ask NCCL for such a group).
TEST(NcclHostTest, TwoLogicalDevicesOfOneCardAreRefusedByName) {
  const std::vector<std::string> names = {"/device:GPU:0", "/device:GPU:1", "/device:GPU:2"};
  absl::Status s = CheckDistinctGpus(names, std::vector<int>{0, 1, 0});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/device:GPU:0 and /device:GPU:2"));
  EXPECT_THAT(s.message(), HasSubstr("physical GPU 0"));
  EXPECT_THAT(s.message(), HasSubstr("one logical device per physical GPU"));
  EXPECT_THAT(s.message(), HasSubstr("on the CPU"));
}

TEST(NcclHostTest, AMissingLibraryIsAStatusNamingItAndTheFix) {
  auto lib = NcclLibrary::Load("libgraphrt-no-such-nccl.so.2");
  EXPECT_EQ(lib.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(lib.status().message(), HasSubstr("libgraphrt-no-such-nccl.so.2"));
  EXPECT_THAT(lib.status().message(), HasSubstr("LD_LIBRARY_PATH"));
  EXPECT_THAT(lib.status().message(), HasSubstr("on the CPU"));
}

TEST(NcclHostTest, TheInstalledLibraryLoadsAndTurnsErrorsIntoStatuses) {
  auto lib = NcclLibrary::Load("libnccl.so.2");
  if (!lib.ok()) GTEST_SKIP() << "no NCCL library here: " << lib.status();
  EXPECT_GE((*lib)->version, NcclLibrary::kMinVersion);
  EXPECT_EQ((*lib)->file, "libnccl.so.2");
  EXPECT_TRUE((*lib)->Check(ncclSuccess, "ncclAllReduce", "node 'ar'").ok());
  absl::Status s = (*lib)->Check(ncclInvalidArgument, "ncclAllReduce",
                                 "node 'ar' (CollectiveReduceV2) on /device:GPU:0");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("in ncclAllReduce for node 'ar' (CollectiveReduceV2)"));
  EXPECT_THAT(s.message(), HasSubstr((*lib)->GetErrorString(ncclInvalidArgument)));
  // The process-wide one is the same library.
  auto shared = NcclLibrary::Get();
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ((*shared)->version, (*lib)->version);
}

TEST(NcclHostTest, TheFamilyRegistersEveryCollectiveForTheGpu) {
  KernelRegistry r;
  RegisterNcclCollectiveGpuKernels(r);
  std::vector<std::string> ops;
  for (const KernelDef* def : r.ListDefs()) {
    EXPECT_EQ(def->device_type, kDeviceGpu) << def->op;
    ops.push_back(def->op);
  }
  EXPECT_THAT(ops, ::testing::UnorderedElementsAre(
                       "CollectiveReduceV2", "CollectiveReduceV2", "CollectiveReduceV2",
                       "CollectiveBcastSendV2", "CollectiveBcastRecvV2", "CollectiveGatherV2"));
}

// Cross-process collectives stay on the CPU: the GPU kernel refuses to be
// made, so the session fails when it is created, saying where to put it.
TEST(NcclHostTest, ClusterCollectiveOnAGpuIsRefusedWhenTheKernelIsMade) {
  GraphBuilder b;
  ops::CollectiveOptions o{2, 1, 1};
  o.communication_hint = "cluster";
  ops::CollectiveAllReduce(b.Const(Tensor::FromVector<float>({1, 2})),
                           ops::CollectiveReduction::kSum, o, "ar");
  auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  OpKernelConstruction c(*graph->FindNode("ar"), kDeviceGpu, nullptr, HostAllocator());
  auto kernel = KernelRegistry::Global().CreateKernel(c);
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(kernel.status().message(), HasSubstr("CollectiveReduceV2 'ar'"));
  EXPECT_THAT(kernel.status().message(), HasSubstr("Place it on the CPU"));
}

#else

TEST(NcclHostTest, SkippedWithoutNccl) {
  GTEST_SKIP() << "built without NCCL: kernels/gpu/nccl_* are not compiled";
}

#endif

}  // namespace
}  // namespace graphrt
