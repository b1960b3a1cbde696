#include "core/placer/device_attributes.h"

#include "core/placer/device_name.h"

namespace graphrt {

DeviceSpec DeviceAttributes::spec() const {
  DeviceSpec s;
  s.job = "localhost";
  s.replica = 0;
  s.task = 0;
  s.type = type;
  s.id = id;
  return s;
}

DeviceAttributes CpuDeviceAttributes(int id) {
  DeviceAttributes d;
  d.name = FullDeviceName("CPU", id);
  d.type = "CPU";
  d.id = id;
  d.physical_id = 0;
  d.description = "host CPU";
  return d;
}

}  // namespace graphrt
