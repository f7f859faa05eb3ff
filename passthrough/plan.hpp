// Which of the machine's PCI functions the guest gets: the passthrough list matched against the
// functions sysfs shows, IOMMU groups taken as a whole, chipset functions kept by the host. No
// I/O: passthrough/sys/ reads the functions and binds what the plan says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/text.hpp"
#include "passthrough/settings.hpp"

namespace hal {

// One PCI function as /sys/bus/pci/devices shows it.
struct PciFunction {
    PciAddress address;
    uint16_t vendor = 0;
    uint16_t device = 0;
    uint32_t class_code = 0;  // 0xCCSSPP
    int iommu_group = -1;     // -1: in no IOMMU group
    FixedString<32> driver;   // bound driver; "" for none
    bool pcie = false;        // a PCI Express function (it has a link)
    bool boot_vga = false;    // the GPU the firmware and the console use (boot_vga)
};

// Why a function goes to the guest. kAuto: passthrough = auto; passthrough = all counts as
// naming each function.
enum class PassReason { kNamed, kKind, kGroup, kAuto };

struct PassedFunction {
    size_t index = 0;  // into the functions planned over
    PassReason reason = PassReason::kNamed;
};

inline constexpr size_t kMaxPciFunctions = 256;
inline constexpr size_t kMaxPassed = 32;
inline constexpr size_t kMaxPlanNotes = 16;

struct PassthroughPlan {
    PassedFunction passed[kMaxPassed];
    size_t count = 0;
    // One line each (without the "passthrough: " prefix): what the list asked that does not go
    // to the guest, and why; the rest of the plan goes on.
    FixedString<224> notes[kMaxPlanNotes];
    size_t note_count = 0;
};

// The functions bound to vfio-pci for the guest: QEMU's vfio-pci devices.
struct PassedDevice {
    PciAddress address;
    bool pcie = false;
};

struct PassedDevices {
    PassedDevice devices[kMaxPassed];
    size_t count = 0;
    bool any_pcie() const {
        for (size_t i = 0; i < count; ++i)
            if (devices[i].pcie) return true;
        return false;
    }
    // One of them has no reset method: only the machine's reset puts it back in a known
    // state, so a guest reboot or a QEMU restart becomes the machine's reboot.
    bool needs_machine_reset = false;
};

// Host bridges, ISA/LPC bridges, SMBus, the IOMMU and other system functions: never the
// guest's, and a group holding one stays with the host. PCI-to-PCI bridges are not endpoints:
// they neither go nor hold their group back.
bool is_chipset_function(uint32_t class_code);
bool is_pci_bridge(uint32_t class_code);
bool is_kind(uint32_t class_code, DeviceKind kind);
// "storage", "nic", "gpu", "audio", "usb", "bridge", "SMBus", ... for the log.
const char* class_label(uint32_t class_code);

// `iommu`: /sys/kernel/iommu_groups is populated; without it nothing is passed and one note
// gives `no_iommu_reason`. `host_keeps_nics`: the host has its own address on the LAN
// (net.manage), so auto and all leave the NICs to it.
PassthroughPlan plan_passthrough(const PassthroughSettings& settings,
                                 std::span<const PciFunction> functions, bool iommu,
                                 const char* no_iommu_reason, bool host_keeps_nics = false);

}  // namespace hal
