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

// The host's TPM (/dev/tpm0 and /sys/class/tpm/tpm0), for tpm = auto or passthrough.
struct TpmFacts {
    bool present = false;        // /dev/tpm0 exists
    uint32_t version_major = 0;  // 1 (TPM 1.2) or 2 (TPM 2.0); 0 when sysfs does not say
    FixedString<32> driver;      // its driver: tpm_crb, tpm_tis, ...
    bool cancel = false;         // /sys/class/tpm/tpm0/device/cancel exists (TPM 1.2 drivers)
    int open_error = 0;          // errno of a trial open of /dev/tpm0 (EBUSY: in use); 0: opens
};

struct PlatformFacts {
    bool kvm_device = false;          // /dev/kvm could be opened read-write
    bool cpu_virtualization = false;  // vmx or svm in /proc/cpuinfo flags
    uint32_t cpus = 1;                // online CPUs
    uint64_t memory_total_kib = 0;    // MemTotal from /proc/meminfo
    // From the host's device tree, where the firmware provides one (not on x86 PCs): the
    // board the launcher runs on, for the launch log and for a board-specific machine choice.
    BoardIdentity board;
    bool host_uefi = false;  // the host booted with UEFI (/sys/firmware/efi)
    // ... with Secure Boot on (its SecureBoot variable is 1); the guest's Secure Boot follows.
    bool host_secure_boot = false;
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
    TpmFacts tpm;
};

}  // namespace hal
