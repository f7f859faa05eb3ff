// Unit tests for the platform step on a fixture machine, through to the launcher's firmware,
// accelerator and identity decisions: /proc, /sys/firmware and the image's OVMF files are the
// fixture's, the probes and the planner the real ones.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/sys/fs.hpp"
#include "launcher/launcher.hpp"
#include "platform/sys/host_probe.hpp"
#include "platform/sys/identity.hpp"
#include "tests/unit/pid1_support.hpp"

using namespace hal;
using hal::test::FixtureTree;

namespace {

std::string bytes(const std::vector<uint8_t>& data) {
    return std::string(data.begin(), data.end());
}

// An MSDM table with its checksum right.
std::string msdm() {
    std::vector<uint8_t> table(85, 0);
    table[0] = 'M', table[1] = 'S', table[2] = 'D', table[3] = 'M';
    table[4] = 85;
    for (size_t i = 56; i < 85; ++i) table[i] = 'K';
    uint8_t sum = 0;
    for (uint8_t byte : table) sum = static_cast<uint8_t>(sum + byte);
    table[9] = static_cast<uint8_t>(0x100 - sum);
    return bytes(table);
}

// A UEFI PC with VT-x and two cores of one socket; the image with the plain OVMF only.
void make_machine(FixtureTree& tree) {
    tree.file("/proc/cpuinfo",
              "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme vmx sse2\n\n");
    tree.file("/proc/meminfo", "MemTotal:        8388608 kB\nMemFree:         1000 kB\n");
    tree.file("/sys/devices/system/cpu/online", "0-1\n");
    for (const char* cpu : {"cpu0", "cpu1"}) {
        const std::string directory = std::string("/sys/devices/system/cpu/") + cpu + "/topology";
        tree.file(directory + "/physical_package_id", "0\n");
        tree.file(directory + "/core_id", cpu[3] == '0' ? "0\n" : "1\n");
    }
    tree.file("/dev/kvm", "");
    tree.directory("/sys/firmware/efi");
    tree.file("/usr/share/qemu/OVMF_CODE_4M.fd", "code");
    tree.file("/usr/share/qemu/OVMF_VARS_4M.fd", "vars");
    tree.file("/sys/firmware/dmi/entries/1-0/raw",
              bytes({1, 8, 0x01, 0x00, 1, 2, 0, 0, 'A', 'C', 'M', 'E', 0, 'B', 'o', 'x', 0, 0}));
    tree.file("/sys/firmware/dmi/entries/3-0/raw",
              bytes({2, 4, 0x03, 0x00, 0, 0}));  // says type 2: refused
    tree.file("/sys/firmware/acpi/tables/MSDM", msdm());
}

HostFacts facts_of(Identity identity, bool uefi_disk, bool bios_disk) {
    HostFacts facts;
    probe_host(facts.platform);
    gather_identity(identity, false, facts.platform);
    facts.disks.count = 1;
    facts.disks.disks[0].path.assign("/dev/sda");
    facts.disks.disks[0].boot.uefi = uefi_disk;
    facts.disks.disks[0].boot.bios = bios_disk;
    return facts;
}

}  // namespace

TEST_CASE(
    "platform: a UEFI PC with VT-x -> KVM, its memory and CPUs, and its own identity copied for "
    "the guest") {
    FixtureTree tree;
    make_machine(tree);
    test::LogCapture log;
    const HostFacts facts = facts_of(Identity::kHost, true, false);
    CHECK(facts.platform.kvm_device);
    CHECK(facts.platform.cpu_virtualization);
    CHECK(facts.platform.cpus == 2);
    CHECK(facts.platform.memory_total_kib == 8388608);
    CHECK(facts.platform.host_uefi);
    CHECK(facts.platform.ovmf);
    CHECK_FALSE(facts.platform.ovmf_secure);
    REQUIRE(facts.platform.smbios_count ==
            1);  // type 1; the one that is not what its name says is left out
    CHECK(facts.platform.smbios_files[0].view() == "/run/hal/identity/smbios-1.bin");
    CHECK(sys::path_exists("/run/hal/identity/smbios-1.bin"));
    REQUIRE(facts.platform.acpi_count == 1);
    REQUIRE(facts.platform.topology.has_value());
    CHECK(facts.platform.topology->cores == 2);
    CHECK(log.has(
        "identity: /sys/firmware/dmi/entries/3-0/raw is malformed; the guest does not get it"));
    CHECK(
        log.has("identity: host: 1 SMBIOS structures (types 0-3), 1 licence ACPI tables, CPU "
                "topology 1 sockets x 2 "
                "cores x 1 threads"));
    const LaunchPlan plan = plan_launch(Config{}, facts);
    CHECK(plan.accel == Accel::kKvm);
    CHECK(plan.cpus == 2);
    CHECK(plan.topology.has_value());
}

TEST_CASE(
    "firmware choice: the boot disk's signs first, then the host's mode; OVMF must be in the "
    "image") {
    FixtureTree tree;
    make_machine(tree);
    test::LogCapture log;
    LaunchPlan plan = plan_launch(Config{}, facts_of(Identity::kGeneric, true, false));
    CHECK(plan.boot.firmware == BootFirmware::kUefi);
    CHECK(std::string(plan.vars_template) == "/usr/share/qemu/OVMF_VARS_4M.fd");
    CHECK(plan.fatal == nullptr);
    plan = plan_launch(Config{}, facts_of(Identity::kGeneric, false, true));
    CHECK(plan.boot.firmware == BootFirmware::kBios);
    plan = plan_launch(Config{}, facts_of(Identity::kGeneric, false, false));
    CHECK(plan.boot.firmware == BootFirmware::kUefi);  // no signs: the host booted with UEFI
    CHECK(std::string(plan.boot.reason) ==
          "the boot disk shows no boot signs; the host booted with UEFI");
    Config secure;
    secure.platform.firmware = FirmwareSetting::kUefiSecure;
    plan = plan_launch(secure, facts_of(Identity::kGeneric, true, false));
    CHECK(plan.machine == Machine::kQ35);
    REQUIRE(plan.fatal != nullptr);
    CHECK(std::string(plan.fatal).find("the Secure Boot OVMF is not in this image") !=
          std::string::npos);
    tree.remove("/usr/share/qemu/OVMF_VARS_4M.fd");
    plan = plan_launch(Config{}, facts_of(Identity::kGeneric, true, false));
    REQUIRE(plan.fatal != nullptr);
    CHECK(std::string(plan.fatal).find("UEFI firmware (OVMF) is not in this image") !=
          std::string::npos);
}

TEST_CASE(
    "platform: a BIOS host without VT-x -> TCG with the reason, BIOS for a disk without signs") {
    FixtureTree tree;
    make_machine(tree);
    tree.remove("/sys/firmware/efi");
    tree.file("/proc/cpuinfo",
              "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2\n\n");
    const HostFacts facts = facts_of(Identity::kGeneric, false, false);
    CHECK_FALSE(facts.platform.host_uefi);
    const LaunchPlan plan = plan_launch(Config{}, facts);
    CHECK(plan.accel == Accel::kTcg);
    CHECK(plan.accel_warning);
    CHECK(std::string(plan.accel_reason) == "no vmx/svm CPU flag; falling back to TCG (slow)");
    CHECK(plan.boot.firmware == BootFirmware::kBios);
}

TEST_CASE("inside a HAL's guest: its OEM string among the SMBIOS type 11 entries, not elsewhere") {
    FixtureTree tree;
    CHECK_FALSE(inside_hal_guest());  // no type 11 entries at all
    const std::string vendor("\x0b\x05\x00\x0b\x01vendor\0\0", 14);
    tree.file("/sys/firmware/dmi/entries/11-0/raw", vendor);
    CHECK_FALSE(inside_hal_guest());
    const std::string hal("\x0b\x05\x01\x0b\x01mkinitrd-hal:guest\0\0", 25);
    tree.file("/sys/firmware/dmi/entries/11-1/raw", hal);
    CHECK(inside_hal_guest());
    tree.remove("/sys/firmware/dmi/entries/11-1/raw");
    tree.file("/sys/firmware/dmi/entries/1-0/raw", hal);  // the right text in another type
    CHECK_FALSE(inside_hal_guest());
}
