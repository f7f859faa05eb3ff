// hal-init's side of passthrough: the plan over this machine's PCI functions, each chosen
// function reserved for vfio-pci before any driver loads (boot step 2), then bound once the
// vfio-pci module is in (step 4).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/text.hpp"
#include "disks/disk_plan.hpp"
#include "passthrough/plan.hpp"
#include "passthrough/settings.hpp"

namespace hal {

struct ReservedFunction {
    PciFunction function;  // as found: its driver is the one it had before
    PassReason reason = PassReason::kNamed;
    // A storage controller: left to its driver until the disk search has read its disks (the
    // boot disk may be behind it), then handed over (hand_over_storage).
    bool deferred = false;
};

struct PassthroughClaim {
    ReservedFunction reserved[kMaxPassed];
    size_t count = 0;
    // The modalias that makes the module service load vfio-pci ("vfio_pci:v...").
    FixedString<112> vfio_alias;
};

// Plans `settings` over the machine's PCI functions (one warning per note of the plan) and
// reserves each chosen function for vfio-pci. Nothing for `passthrough = none`.
// `host_keeps_nics`: net.manage gives the host its own address (auto and all keep the NICs).
PassthroughClaim reserve_passthrough(const PassthroughSettings& settings,
                                     bool host_keeps_nics = false);

// After the vfio-pci module loaded: binds each reserved function and logs one line for it
// (its IOMMU group, driver before, reset method). A function that does not bind is dropped
// with one line; when the list named it (by address or ID), `fatal` says so and the result is
// false.
bool bind_passthrough(const PassthroughClaim& claim, PassedDevices& devices,
                      FixedString<192>& fatal);

// After the disk search (step 4): each deferred storage controller is unbound from its driver
// and bound to vfio-pci, as bind_passthrough does. The disks behind it leave `disks` (the
// guest reaches them through their controller); when the boot disk does, `disks` keeps its
// boot signs. A controller holding a disk the HAL still needs (`kept_disk`, the uefi_vars
// partition's, or a mounted filesystem: an image file's) stays with the host, with one line.
bool hand_over_storage(const PassthroughClaim& claim, std::string_view kept_disk, FoundDisks& disks,
                       PassedDevices& devices, FixedString<192>& fatal);

}  // namespace hal
