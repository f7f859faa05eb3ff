// Unit tests for passthrough's system half on a fixture sysfs: the machine's PCI functions,
// why there is no IOMMU, and the reservation for vfio-pci.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "passthrough/sys/claim.hpp"
#include "passthrough/sys/pci.hpp"
#include "tests/unit/pid1_support.hpp"

using hal::test::FixtureTree;

namespace {

void add_function(FixtureTree& tree, const std::string& address, const char* vendor,
                  const char* device, const char* class_code, int group, const char* driver) {
    const std::string directory = "/sys/devices/pci0000:00/" + address;
    tree.file(directory + "/vendor", std::string(vendor) + "\n");
    tree.file(directory + "/device", std::string(device) + "\n");
    tree.file(directory + "/class", std::string(class_code) + "\n");
    tree.file(directory + "/modalias", "pci:v0000" + std::string(vendor + 2) + "d0000" +
                                           std::string(device + 2) +
                                           "sv00001AF4sd00001100bc02sc00i00\n");
    tree.file(directory + "/driver_override", "(null)\n");
    if (group >= 0) {
        tree.directory("/sys/kernel/iommu_groups/" + std::to_string(group) + "/devices");
        tree.symlink(directory + "/iommu_group",
                     "/sys/kernel/iommu_groups/" + std::to_string(group));
    }
    if (driver) {
        tree.file(std::string("/sys/bus/pci/drivers/") + driver + "/unbind", "");
        tree.symlink(directory + "/driver", std::string("/sys/bus/pci/drivers/") + driver);
    }
    tree.symlink("/sys/bus/pci/devices/" + address, "../../../devices/pci0000:00/" + address);
}

std::string read(const FixtureTree& tree, const std::string& path) {
    std::ifstream stream(tree.root() + path);
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("passthrough sysfs: functions in address order with group and driver") {
    FixtureTree tree;
    add_function(tree, "0000:00:06.0", "0x10ec", "0x8139", "0x020000", 4, "8139cp");
    add_function(tree, "0000:00:01.0", "0x1af4", "0x1001", "0x010000", -1, nullptr);
    tree.file("/sys/devices/pci0000:00/0000:00:06.0/current_link_speed", "2.5 GT/s PCIe\n");
    hal::PciFunction functions[4];
    REQUIRE(hal::read_pci_functions(functions) == 2);
    CHECK(functions[0].address.device == 1);
    CHECK(functions[0].iommu_group == -1);
    CHECK(functions[0].driver.empty());
    CHECK(functions[1].vendor == 0x10ec);
    CHECK(functions[1].device == 0x8139);
    CHECK(functions[1].class_code == 0x020000);
    CHECK(functions[1].iommu_group == 4);
    CHECK(functions[1].pcie);
    CHECK_FALSE(functions[0].pcie);
    CHECK(std::string(functions[1].driver.c_str()) == "8139cp");
    CHECK(hal::iommu_active());
}

TEST_CASE("passthrough sysfs: no IOMMU -> the reason from the ACPI tables and command line") {
    FixtureTree tree;
    tree.directory("/sys/kernel/iommu_groups");
    tree.file("/proc/cmdline", "quiet\n");
    CHECK_FALSE(hal::iommu_active());
    CHECK(std::string(hal::missing_iommu_reason()).find("no DMAR or IVRS table") !=
          std::string::npos);
    tree.file("/sys/firmware/acpi/tables/DMAR", "DMAR");
    CHECK(std::string(hal::missing_iommu_reason()).find("add intel_iommu=on") != std::string::npos);
    tree.remove("/sys/firmware/acpi/tables/DMAR");
    tree.file("/sys/firmware/acpi/tables/IVRS", "IVRS");
    CHECK(std::string(hal::missing_iommu_reason()).find("AMD-Vi table (IVRS)") !=
          std::string::npos);
}

TEST_CASE("passthrough sysfs: reserve -> driver_override vfio-pci, the bound driver unbound") {
    FixtureTree tree;
    add_function(tree, "0000:00:06.0", "0x10ec", "0x8139", "0x020000", 4, "8139cp");
    add_function(tree, "0000:00:05.0", "0x1000", "0x0060", "0x010400", 3, nullptr);
    hal::PassthroughSettings settings;
    settings.scope = hal::PassthroughScope::kList;
    settings.count = 2;
    settings.selectors[0].kind = hal::SelectorKind::kKind;
    settings.selectors[0].device_kind = hal::DeviceKind::kNic;
    settings.selectors[1].kind = hal::SelectorKind::kId;
    settings.selectors[1].vendor = 0x1000;
    settings.selectors[1].device = 0x0060;
    const hal::PassthroughClaim claim = hal::reserve_passthrough(settings);
    REQUIRE(claim.count == 2);
    // The storage controller is left to its driver until the disk search has read its disks.
    CHECK(claim.reserved[0].deferred);
    CHECK_FALSE(claim.reserved[1].deferred);
    CHECK(read(tree, "/sys/devices/pci0000:00/0000:00:05.0/driver_override") == "(null)\n");
    CHECK(read(tree, "/sys/devices/pci0000:00/0000:00:06.0/driver_override") == "vfio-pci");
    CHECK(read(tree, "/sys/bus/pci/drivers/8139cp/unbind") == "0000:00:06.0");
    CHECK(std::string(claim.vfio_alias.c_str()).rfind("vfio_pci:v00001000d00000060", 0) == 0);
    // Not bound to vfio-pci in a fixture: the NIC, chosen by kind, is dropped.
    hal::PassedDevices devices;
    hal::FixedString<192> fatal;
    CHECK(hal::bind_passthrough(claim, devices, fatal));
    CHECK(devices.count == 0);

    // The disk search found the boot disk behind the controller and another behind virtio.
    hal::FoundDisks disks;
    disks.count = 2;
    disks.disks[0].name.assign("sda");
    disks.disks[0].order_key.assign("/sys/devices/pci0000:00/0000:00:05.0/host0/block/sda");
    disks.disks[0].boot.bios = true;
    disks.disks[1].name.assign("vda");
    disks.disks[1].order_key.assign("/sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda");
    // The uefi_vars partition's disk behind it: the host keeps the controller.
    tree.directory("/sys/devices/pci0000:00/0000:00:05.0/host0/block/sda");
    tree.symlink("/sys/class/block/sda", "../../devices/pci0000:00/0000:00:05.0/host0/block/sda");
    CHECK(hal::hand_over_storage(claim, "sda", disks, devices, fatal));
    CHECK(disks.count == 2);
    CHECK(read(tree, "/sys/devices/pci0000:00/0000:00:05.0/driver_override") == "(null)\n");
    // Otherwise its disk leaves the emulated list, its boot signs kept; named by ID, a
    // controller that does not bind is fatal.
    CHECK_FALSE(hal::hand_over_storage(claim, "", disks, devices, fatal));
    CHECK(read(tree, "/sys/devices/pci0000:00/0000:00:05.0/driver_override") == "vfio-pci");
    CHECK(disks.count == 1);
    CHECK(std::string(disks.disks[0].name.c_str()) == "vda");
    CHECK(disks.passed_boot.has_value());
    CHECK(disks.boot_signs().bios);
    CHECK(std::string(fatal.c_str()) ==
          "passthrough: 0000:00:05.0 (1000:0060) did not bind to vfio-pci");
}

TEST_CASE("passthrough sysfs: a group the host still holds a member of -> its devices dropped") {
    FixtureTree tree;
    // A NIC and a SATA controller in one IOMMU group; the uefi_vars file is on the SATA disk.
    add_function(tree, "0000:00:06.0", "0x8086", "0x10d3", "0x020000", 4, "vfio-pci");
    add_function(tree, "0000:00:06.1", "0x8086", "0x2922", "0x010601", 4, "ahci");
    for (const char* member : {"0000:00:06.0", "0000:00:06.1"})
        tree.symlink(std::string("/sys/kernel/iommu_groups/4/devices/") + member,
                     std::string("../../../../devices/pci0000:00/") + member);
    tree.directory("/sys/devices/pci0000:00/0000:00:06.1/ata1/block/sda");
    tree.symlink("/sys/class/block/sda", "../../devices/pci0000:00/0000:00:06.1/ata1/block/sda");
    const auto settings = hal::parse_passthrough("nic, storage");
    REQUIRE(settings.ok());
    const hal::PassthroughClaim claim = hal::reserve_passthrough(settings.value());
    REQUIRE(claim.count == 2);
    hal::PassedDevices devices;
    hal::FixedString<192> fatal;
    REQUIRE(hal::bind_passthrough(claim, devices, fatal));
    CHECK(devices.count == 1);  // the NIC, already vfio-pci's in the fixture
    hal::FoundDisks disks;
    // The host keeps the controller (uefi_vars), so QEMU could not open the NIC's group: the
    // NIC, chosen by kind, is dropped with one line.
    CHECK(hal::hand_over_storage(claim, "sda", disks, devices, fatal));
    CHECK(devices.count == 0);
    CHECK(fatal.empty());
    // Named by its address, the same is fatal.
    const auto named = hal::parse_passthrough("0000:00:06.0, storage");
    const hal::PassthroughClaim claim2 = hal::reserve_passthrough(named.value());
    REQUIRE(hal::bind_passthrough(claim2, devices, fatal));
    CHECK_FALSE(hal::hand_over_storage(claim2, "sda", disks, devices, fatal));
    CHECK(std::string(fatal.c_str()) ==
          "passthrough: 0000:00:06.0: its IOMMU group 4 is not free for the guest: 0000:00:06.1 is "
          "bound to ahci");
}
