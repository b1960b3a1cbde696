// Shared by the graph fuzz targets: place a parsed graph on a CPU and a GPU
// descriptor and partition it, as a session would before making kernels.
// Float32 nodes may run on either device, the rest on the CPU only (a
// stand-in for the kernel registry, which would pull in every kernel).
#ifndef GRAPHRT_TESTS_FUZZ_FUZZ_DEVICES_H_
#define GRAPHRT_TESTS_FUZZ_FUZZ_DEVICES_H_

#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/placer/device_attributes.h"
#include "core/placer/device_name.h"
#include "core/placer/partition.h"
#include "core/placer/placement.h"

namespace graphrt::fuzz {

inline void PlaceAndPartition(const Graph& graph) {
  if (!graph.Validate().ok()) return;
  DeviceAttributes gpu = CpuDeviceAttributes(0);
  gpu.type = "GPU";
  gpu.name = FullDeviceName("GPU", 0);
  const std::vector<DeviceAttributes> devices = {CpuDeviceAttributes(0), gpu};
  auto supported = [](const Node& n) {
    bool all_float = n.num_outputs() > 0;
    for (int k = 0; k < n.num_outputs(); ++k) all_float &= n.output_type(k) == DataType::kFloat32;
    return all_float ? std::vector<std::string>{"CPU", "GPU"} : std::vector<std::string>{"CPU"};
  };
  auto placement = PlaceGraph(graph, devices, supported);
  if (!placement.ok()) return;
  (void)PlacementToDot(graph, *placement);
  (void)PartitionGraph(graph, *placement, devices);
}

}  // namespace graphrt::fuzz

#endif  // GRAPHRT_TESTS_FUZZ_FUZZ_DEVICES_H_
