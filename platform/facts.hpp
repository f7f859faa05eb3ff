// What hal-init found out about the machine itself (platform/sys/ fills it): virtualization,
// CPUs, memory, the board, the firmware it booted with, the guest firmware the image holds,
// and the identity files copied for the guest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/text.hpp"
#include "platform/cpu_topology.hpp"
#include "platform/device_tree.hpp"

namespace hal {

inline constexpr size_t kMaxIdentityFiles = 8;

struct PlatformFacts {
    bool kvm_device = false;          // /dev/kvm could be opened read-write
    bool cpu_virtualization = false;  // vmx or svm in /proc/cpuinfo flags
    uint32_t cpus = 1;                // online CPUs
    uint64_t memory_total_kib = 0;    // MemTotal from /proc/meminfo
    // From the host's device tree, where the firmware provides one (not on x86 PCs): the
    // board the launcher runs on, for the launch log and for a board-specific machine choice.
    BoardIdentity board;
    bool host_uefi = false;  // the host booted with UEFI (/sys/firmware/efi)
    // Guest firmware files present in the image.
    bool ovmf = false;
    bool ovmf_secure = false;
    // identity = host: the host's SMBIOS structures (types 0-3) and OEM licence ACPI tables,
    // copied to files and checked; and its CPU topology.
    FixedString<64> smbios_files[kMaxIdentityFiles];
    size_t smbios_count = 0;
    FixedString<64> acpi_files[kMaxIdentityFiles];
    size_t acpi_count = 0;
    std::optional<CpuTopology> topology;
};

}  // namespace hal
