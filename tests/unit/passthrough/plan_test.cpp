// Unit tests for the passthrough list's parser and the plan over a machine's PCI functions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "passthrough/plan.hpp"
#include "passthrough/settings.hpp"
#include "tests/unit/support.hpp"

using hal::PciFunction;
using hal::test::value_of;

namespace {

PciFunction function(const char* address, uint16_t vendor, uint16_t device, uint32_t class_code,
                     int group) {
    PciFunction result;
    result.address = hal::parse_pci_address(address).value();
    result.vendor = vendor;
    result.device = device;
    result.class_code = class_code;
    result.iommu_group = group;
    return result;
}

// A q35 PC as the outer test VM is: the host bridge, a virtio disk, a GPU with its HDMI audio
// in one group, a MegaRAID, an rtl8139, a PCIe root port, and ICH9's LPC, AHCI and SMBus in
// one group.
const std::vector<PciFunction> kMachine = {
    // built before any test: no REQUIRE in it
    function("0000:00:00.0", 0x8086, 0x29c0, 0x060000, 0),
    function("0000:00:01.0", 0x1af4, 0x1001, 0x010000, 1),
    function("0000:00:02.0", 0x10de, 0x2204, 0x030000, 2),
    function("0000:00:02.1", 0x10de, 0x1aef, 0x040300, 2),
    function("0000:00:05.0", 0x1000, 0x0060, 0x010400, 3),
    function("0000:00:06.0", 0x10ec, 0x8139, 0x020000, 4),
    function("0000:00:1c.0", 0x8086, 0x2940, 0x060400, 2),
    function("0000:00:1f.0", 0x8086, 0x2918, 0x060100, 6),
    function("0000:00:1f.2", 0x8086, 0x2922, 0x010601, 6),
    function("0000:00:1f.3", 0x8086, 0x2930, 0x0c0500, 6),
};

struct Planned {
    std::vector<std::string> passed;  // "address reason"
    std::vector<std::string> notes;
};

Planned plan(const char* list, bool iommu = true, std::vector<PciFunction> machine = kMachine,
             bool host_keeps_nics = false) {
    const auto settings = value_of(hal::parse_passthrough(list));
    const hal::PassthroughPlan result =
        hal::plan_passthrough(settings, machine, iommu, "no DMAR or IVRS table", host_keeps_nics);
    Planned planned;
    for (size_t i = 0; i < result.count; ++i) {
        char address[16];
        hal::format_pci_address(machine[result.passed[i].index].address, address);
        static const char* const kReasons[] = {"named", "kind", "group", "auto"};
        planned.passed.push_back(std::string(address) + " " +
                                 kReasons[static_cast<int>(result.passed[i].reason)]);
    }
    for (size_t i = 0; i < result.note_count; ++i)
        planned.notes.emplace_back(result.notes[i].c_str());
    return planned;
}

}  // namespace

TEST_CASE("passthrough: list words -> addresses, IDs and kinds; none -> empty") {
    const auto settings = value_of(hal::parse_passthrough(" 0000:03:00.0, 1f:00.7 ,10DE:2204,usb"));
    REQUIRE(settings.count == 4);
    CHECK(settings.selectors[0].kind == hal::SelectorKind::kAddress);
    CHECK(settings.selectors[0].address.bus == 3);
    CHECK(settings.selectors[1].address.bus == 0x1f);
    CHECK(settings.selectors[1].address.function == 7);
    CHECK(settings.selectors[2].kind == hal::SelectorKind::kId);
    CHECK(settings.selectors[2].vendor == 0x10de);
    CHECK(settings.selectors[2].device == 0x2204);
    CHECK(settings.selectors[3].device_kind == hal::DeviceKind::kUsb);
    CHECK(std::string(settings.text.c_str()) == "0000:03:00.0, 1f:00.7 ,10DE:2204,usb");
    CHECK(value_of(hal::parse_passthrough("none")).count == 0);
    char address[16];
    hal::format_pci_address(value_of(hal::parse_pci_address("0001:0a:1f.3")), address);
    CHECK(std::string(address) == "0001:0a:1f.3");
}

TEST_CASE("passthrough: auto -> every endpoint that can go; all -> the same, each required") {
    CHECK(value_of(hal::parse_passthrough("auto")).scope == hal::PassthroughScope::kAuto);
    CHECK(value_of(hal::parse_passthrough(" all ")).scope == hal::PassthroughScope::kAll);
    const Planned automatic = plan("auto");
    CHECK(automatic.passed == std::vector<std::string>{"0000:00:01.0 auto", "0000:00:02.0 auto",
                                                       "0000:00:02.1 auto", "0000:00:05.0 auto",
                                                       "0000:00:06.0 auto"});
    // The chipset's group keeps the AHCI controller in it: one line.
    REQUIRE(automatic.notes.size() == 1);
    CHECK(automatic.notes[0].rfind("0000:00:1f.2 (8086:2922, storage): its IOMMU group 6", 0) == 0);
    CHECK(plan("all").passed[0] == "0000:00:01.0 named");
    // The console's GPU stays, and with it its group; net.manage keeps the NICs.
    std::vector<PciFunction> machine = kMachine;
    machine[2].boot_vga = true;
    const Planned kept = plan("auto", true, machine, true);
    CHECK(kept.passed == std::vector<std::string>{"0000:00:01.0 auto", "0000:00:05.0 auto"});
    CHECK(kept.notes[0] ==
          "0000:00:02.0 (10de:2204, gpu) shows the host's console: the host keeps it");
    CHECK(kept.notes[1] == "0000:00:06.0 (10ec:8139, nic): the host keeps its NICs (net.manage)");
    CHECK(kept.notes[2] ==
          "0000:00:02.1 (10de:1aef, audio): its IOMMU group 2 also holds 0000:00:02.0 gpu, which "
          "the host keeps: the group stays with the host");
    // No IOMMU: one line, nothing passed.
    CHECK(plan("auto", false).passed.empty());
}

TEST_CASE("passthrough: bad words -> one message naming what is wrong") {
    const std::string list_message =
        "passthrough must be none, auto, all or a comma-separated list of PCI addresses "
        "(0000:03:00.0), vendor:device IDs (10de:2204) and gpu, audio, usb, nic, storage";
    for (const std::string text : {"sound", "10de:22", "10de:2204x", "gpu,,usb", "gpu,", ",gpu",
                                   "10dg:2204", "0000:03:00"}) {
        CAPTURE(text);
        CHECK(hal::parse_passthrough(text).error().message == list_message);
    }
    for (const std::string text :
         {"03:20.0", "03:00.8", "000g:03:00.0", "3:00.0", "0000-03:00.0"}) {
        CAPTURE(text);
        CHECK(std::string(hal::parse_passthrough(text).error().message) ==
              "a PCI address is DDDD:BB:DD.F or BB:DD.F, e.g. 0000:03:00.0");
    }
    CHECK(std::string(hal::parse_passthrough("auto, usb").error().message) == list_message);
    std::string many;
    for (int i = 0; i < 17; ++i) many += "usb,";
    many += "usb";
    CHECK(std::string(hal::parse_passthrough(many).error().message) ==
          "passthrough names at most 16 entries");
}

TEST_CASE("passthrough: a GPU named -> its whole IOMMU group but the bridge, audio along") {
    const Planned planned = plan("10de:2204");
    CHECK(planned.passed == std::vector<std::string>{"0000:00:02.0 named", "0000:00:02.1 group"});
    CHECK(planned.notes.empty());
    // The audio named too, by kind: it goes as asked, not merely along.
    CHECK(plan("gpu,audio").passed ==
          std::vector<std::string>{"0000:00:02.0 kind", "0000:00:02.1 kind"});
    // Named by address and by kind: named wins, in either order.
    CHECK(plan("storage,00:05.0").passed ==
          std::vector<std::string>{"0000:00:01.0 kind", "0000:00:05.0 named"});
    CHECK(plan("00:05.0,storage").passed ==
          std::vector<std::string>{"0000:00:01.0 kind", "0000:00:05.0 named"});
}

TEST_CASE("passthrough: a group with chipset functions -> stays with the host, one line") {
    const Planned planned = plan("0000:00:1f.2,nic");
    CHECK(planned.passed == std::vector<std::string>{"0000:00:06.0 kind"});
    REQUIRE(planned.notes.size() == 1);
    CHECK(planned.notes[0] ==
          "0000:00:1f.2 (8086:2922, storage): its IOMMU group 6 also holds 0000:00:1f.0 ISA "
          "bridge, 0000:00:1f.3 SMBus, which the host keeps: the group stays with the host");
}

TEST_CASE("passthrough: chipset functions, unknown devices, empty kinds -> a line each") {
    const Planned planned = plan("00:1f.3,8086:29c0,00:1c.0,00:09.0,dead:beef,usb,00:06.0");
    CHECK(planned.passed == std::vector<std::string>{"0000:00:06.0 named"});
    CHECK(planned.notes ==
          std::vector<std::string>{
              "0000:00:1f.3 (8086:2930, SMBus) is a chipset function the host keeps",
              "0000:00:00.0 (8086:29c0, host bridge) is a chipset function the host keeps",
              "0000:00:1c.0 (8086:2940, PCI bridge) is a chipset function the host keeps",
              "0000:00:09.0: no such PCI device", "dead:beef: no PCI device has that ID",
              "usb: no device of that kind"});
}

TEST_CASE("passthrough: no IOMMU -> nothing passed, the reason in one line; none -> silence") {
    const Planned planned = plan("gpu", false);
    CHECK(planned.passed.empty());
    CHECK(planned.notes == std::vector<std::string>{"no IOMMU is active (no DMAR or IVRS table): "
                                                    "every device is emulated"});
    const Planned none = plan("none", false);
    CHECK(none.passed.empty());
    CHECK(none.notes.empty());
}

TEST_CASE("passthrough: a function in no group while the IOMMU is on -> kept, one line") {
    std::vector<PciFunction> functions = {function("0000:00:06.0", 0x10ec, 0x8139, 0x020000, -1)};
    const auto settings = value_of(hal::parse_passthrough("nic"));
    const auto result = hal::plan_passthrough(settings, functions, true, "");
    CHECK(result.count == 0);
    REQUIRE(result.note_count == 1);
    CHECK(std::string(result.notes[0].c_str()) ==
          "0000:00:06.0 (10ec:8139, nic) is in no IOMMU group: it stays with the host");
}

TEST_CASE("passthrough: device kinds -> by PCI class code") {
    CHECK(hal::is_kind(0x030000, hal::DeviceKind::kGpu));
    CHECK(hal::is_kind(0x030200, hal::DeviceKind::kGpu));
    CHECK(hal::is_kind(0x040300, hal::DeviceKind::kAudio));
    CHECK(hal::is_kind(0x040100, hal::DeviceKind::kAudio));
    CHECK_FALSE(hal::is_kind(0x040000, hal::DeviceKind::kAudio));  // video capture
    CHECK(hal::is_kind(0x0c0330, hal::DeviceKind::kUsb));
    CHECK(hal::is_kind(0x020000, hal::DeviceKind::kNic));
    CHECK(hal::is_kind(0x010802, hal::DeviceKind::kStorage));
    CHECK(hal::is_chipset_function(0x080600));  // the IOMMU
    CHECK(hal::is_chipset_function(0x050000));
    CHECK_FALSE(hal::is_chipset_function(0x060400));
    CHECK(hal::is_pci_bridge(0x060401));
    CHECK(std::string(hal::class_label(0x080600)) == "IOMMU");
}
