// Pure parsers for the /proc and /sys texts hal-init turns into HostFacts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hal {

// True when the first "flags" line of /proc/cpuinfo lists vmx (Intel) or svm (AMD).
bool cpuinfo_has_virtualization(std::string_view cpuinfo);

// "GenuineIntel" / "AuthenticAMD" from the first vendor_id line, empty when absent.
std::string_view cpuinfo_vendor(std::string_view cpuinfo);

// The number of the first "Key:   N kB" line whose key matches, in KiB (/proc/meminfo,
// /proc/PID/status).
std::optional<uint64_t> proc_kib_field(std::string_view text, std::string_view key);
// MemTotal in KiB from /proc/meminfo.
inline std::optional<uint64_t> meminfo_total_kib(std::string_view meminfo) {
    return proc_kib_field(meminfo, "MemTotal");
}

// Number of CPUs in a kernel CPU list such as "0-3,8,10-11" (/sys/devices/system/cpu/online).
std::optional<uint32_t> cpu_list_count(std::string_view list);

// A boolean UEFI variable as efivarfs gives it (4 bytes of attributes, then the value):
// SecureBoot-8be4df61-... is 1 when the firmware booted with Secure Boot enforcing.
std::optional<bool> efi_boolean_variable(std::string_view file);
// Its file under efivarfs: the variable's name and EFI's global variable GUID.
inline constexpr const char* kSecureBootVariable =
    "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

}  // namespace hal
