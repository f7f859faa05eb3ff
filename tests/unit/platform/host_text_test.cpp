// Unit tests for the /proc and /sys parsers behind HostFacts.
#include <doctest/doctest.h>

#include "platform/host_text.hpp"

namespace {

constexpr const char* kIntelCpuinfo =
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx smx est tm2\n\n"
    "processor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme\n";
constexpr const char* kAmdCpuinfo =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu lm svm extapic\n";
constexpr const char* kNoVirtualization =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme hypervisor vmxfake svmx\n";

}  // namespace

TEST_CASE("host facts: cpuinfo flags table -> vmx/svm detected as whole words") {
    CHECK(hal::cpuinfo_has_virtualization(kIntelCpuinfo));
    CHECK(hal::cpuinfo_has_virtualization(kAmdCpuinfo));
    CHECK_FALSE(hal::cpuinfo_has_virtualization(kNoVirtualization));
    CHECK_FALSE(hal::cpuinfo_has_virtualization(""));
}

TEST_CASE("host facts: vendor_id -> vendor string") {
    CHECK(hal::cpuinfo_vendor(kIntelCpuinfo) == "GenuineIntel");
    CHECK(hal::cpuinfo_vendor(kAmdCpuinfo) == "AuthenticAMD");
    CHECK(hal::cpuinfo_vendor("").empty());
}

TEST_CASE("host facts: meminfo -> MemTotal in KiB") {
    CHECK(hal::meminfo_total_kib("MemTotal:       16315412 kB\nMemFree:  1 kB\n") == 16315412u);
    CHECK_FALSE(hal::meminfo_total_kib("MemFree: 1 kB\n").has_value());
    // /proc/PID/status: a key that is the prefix of another is not taken for it.
    const char* status =
        "Name:\thal-init\nVmHWM:\t    6060 kB\nVmRSS:\t    6048 kB\nVmRSSx:\t 1 kB\n";
    CHECK(hal::proc_kib_field(status, "VmRSS") == 6048u);
    CHECK(hal::proc_kib_field(status, "VmHWM") == 6060u);
    CHECK_FALSE(hal::proc_kib_field(status, "VmSwap").has_value());
}

TEST_CASE("host facts: cpu list table -> count") {
    CHECK(hal::cpu_list_count("0\n") == 1u);
    CHECK(hal::cpu_list_count("0-3\n") == 4u);
    CHECK(hal::cpu_list_count("0-3,8,10-11") == 7u);
    CHECK_FALSE(hal::cpu_list_count("").has_value());
    CHECK_FALSE(hal::cpu_list_count("3-1").has_value());
    CHECK_FALSE(hal::cpu_list_count("a-b").has_value());
}

TEST_CASE("host text: a boolean EFI variable is 4 bytes of attributes and 0 or 1") {
    using namespace std::string_view_literals;
    CHECK(hal::efi_boolean_variable("\x06\0\0\0\x01"sv) == true);
    CHECK(hal::efi_boolean_variable("\x06\0\0\0\0"sv) == false);
    CHECK_FALSE(hal::efi_boolean_variable("\x06\0\0\0\x02"sv).has_value());
    CHECK_FALSE(hal::efi_boolean_variable("\x06\0\0\0"sv).has_value());
    CHECK_FALSE(hal::efi_boolean_variable("\x06\0\0\0\x01\x01"sv).has_value());
}
