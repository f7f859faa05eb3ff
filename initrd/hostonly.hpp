// --hostonly (dracut -H): only the modules this machine needs, from its devices' modaliases
// (the running host's sysfs, or a recorded list) and the drivers bound now, plus what the HAL
// itself uses (KVM for this CPU, tun, macvtap, vhost, filesystems). Each choice comes with why.
#pragma once

#include <string>
#include <vector>

#include "initrd/module_resolver.hpp"

namespace hal::pack {

struct HostDevices {
    std::vector<std::pair<std::string, std::string>> modaliases;  // (device, modalias)
    std::vector<std::string> bound_modules;  // drivers bound now (module names)
    std::string cpu_vendor;                  // GenuineIntel, AuthenticAMD
};

// From sysfs under `sysfs` (/sys) and /proc/cpuinfo, or from `recorded`: lines "DEVICE
// MODALIAS" or "MODALIAS", "driver NAME" for a bound driver, "cpu VENDOR_ID" for the CPU.
Checked<HostDevices> read_host_devices(const std::string& sysfs, const std::string& recorded);

struct HostonlyChoice {
    std::string module;
    std::string
        reason;  // "pci:v00008086d00002922... (0000:00:1f.2)", "bound to a device", "the HAL's own"
};

// The modules of `generic` (the list's full resolution) this host needs: device drivers whose
// aliases match a device (or that are bound now), and the early and filesystem modules (the
// HAL's own; of the KVM vendor modules only the CPU's).
std::vector<HostonlyChoice> choose_hostonly(const Resolution& generic, const ModuleIndex& index,
                                            const HostDevices& devices);

}  // namespace hal::pack
