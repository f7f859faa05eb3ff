// The devices capability's setting `devtmpfs`: the kernel's devtmpfs on /dev, or a tmpfs whose
// nodes hal-init makes from sysfs and uevents.
#pragma once

namespace hal {

struct DeviceSettings {
    bool devtmpfs = true;
    bool operator==(const DeviceSettings&) const = default;
};

}  // namespace hal
