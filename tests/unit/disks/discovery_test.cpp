// Unit tests for the disk search of PID 1 (step 4) on a fixture machine: several controllers'
// disks in sysfs and /dev, a disk that appears late, the quiet wait of `all`, names by serial
// and path, and the UEFI variable file's disk kept away from the guest. Time is the fake
// storage environment's; the search code and its file reads are the real ones.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "disks/sys/discovery.hpp"
#include "tests/unit/pid1_support.hpp"
#include "tests/unit/support.hpp"

using namespace hal;
using hal::test::FixtureTree;

namespace {

// Time passes only when the search waits; events scheduled at a time run when it comes.
class FakeStorage : public StorageEnvironment {
public:
    uint64_t now = 10000;
    uint64_t drivers_until = 0;  // storage drivers load until then
    uint64_t activity = 10000;   // the last storage uevent
    std::vector<std::pair<uint64_t, std::function<void()>>> events;

    uint64_t now_ms() override { return now; }
    void pass(uint32_t ms) override {
        now += ms;
        for (auto& [at, event] : events)
            if (event && now >= at) {
                event();
                event = nullptr;
            }
    }
    bool drivers_loading() override { return now < drivers_until; }
    uint64_t last_storage_activity_ms() override { return activity; }
};

std::string sectors(bool bios, bool uefi) {
    std::string head(4096, '\0');
    if (bios) head[0] = static_cast<char>(0xfa);  // cli: boot code
    const size_t entry = 446;
    head[entry] = bios ? static_cast<char>(0x80) : 0;
    head[entry + 4] = static_cast<char>(uefi ? 0xef : 0x83);
    head[entry + 8] = 8;
    head[entry + 12] = 100;
    head[510] = 0x55;
    head[511] = static_cast<char>(0xaa);
    return head;
}

struct DiskFixture {
    std::string name;
    std::string device;  // its sysfs device directory, below /sys/devices
    bool bios = false, uefi = false;
    std::vector<std::pair<std::string, std::string>> attributes;  // below the block directory
};

void add_disk(FixtureTree& tree, const DiskFixture& disk) {
    const std::string block = "/sys/devices/" + disk.device + "/block/" + disk.name;
    tree.file(block + "/removable", "0\n");
    tree.file(block + "/size", "204800\n");
    tree.file(block + "/queue/logical_block_size", "512\n");
    tree.file(block + "/queue/physical_block_size", "4096\n");
    tree.file(block + "/queue/rotational", "0\n");
    for (const auto& [attribute, value] : disk.attributes)
        tree.file(block + "/" + attribute, value + "\n");
    tree.symlink("/sys/block/" + disk.name, "../devices/" + disk.device + "/block/" + disk.name);
    tree.file("/dev/" + disk.name, sectors(disk.bios, disk.uefi));
}

const DiskFixture kSata{"sda",
                        "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0",
                        false,
                        false,
                        {{"device/vendor", "ATA"},
                         {"device/model", "WDC WD10EFRX"},
                         {"device/wwid", "naa.50014ee2b1c2d3e4"}}};
const DiskFixture kNvme{"nvme0n1",
                        "pci0000:00/0000:00:04.0/nvme/nvme0",
                        false,
                        true,
                        {{"device/serial", "S3Z9NB0K123"},
                         {"device/model", "Samsung 970"},
                         {"eui", "eui.0025385b71b0a1b2"}}};
const DiskFixture kVirtio{
    "vda", "pci0000:00/0000:00:05.0/virtio2", false, false, {{"serial", "HALTEST1"}}};

DiskSettings settings(const char* disk, uint32_t timeout_seconds = 5) {
    DiskSettings result;
    result.specs = test::value_of(parse_disk_specs(disk));
    result.timeout_seconds = timeout_seconds;
    return result;
}

}  // namespace

TEST_CASE(
    "disk search: auto over SATA, NVMe and virtio controllers -> the bootable NVMe disk with its "
    "identity") {
    FixtureTree tree;
    for (const DiskFixture& disk : {kSata, kNvme, kVirtio}) add_disk(tree, disk);
    FakeStorage storage;
    const FoundDisks found = test::value_of(find_guest_disks(storage, settings("auto"), ""));
    REQUIRE(found.count == 1);
    const HostDisk& disk = found.disks[0];
    CHECK(disk.path.view() == "/dev/nvme0n1");
    CHECK(disk.bus == HostBus::kNvme);
    CHECK(disk.identity.serial.view() == "S3Z9NB0K123");
    CHECK(disk.identity.eui64 == 0x0025385b71b0a1b2ull);
    CHECK(disk.boot.uefi);
    CHECK(disk.physical_block == 4096);
    CHECK_FALSE(disk.rotational);
    CHECK(disk.order_key.view() == "/sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/block/nvme0n1");
    CHECK(storage.now == 10000);  // a bootable disk was there: no waiting
}

TEST_CASE(
    "disk search: auto with no bootable disk yet -> waits, and takes the SATA disk that appears "
    "late") {
    FixtureTree tree;
    add_disk(tree, kVirtio);  // no boot code: not what auto waits for
    FakeStorage storage;
    storage.drivers_until = 10700;  // AHCI still probing
    DiskFixture late = kSata;
    late.bios = true;
    storage.events.push_back({10600, [&] {
                                  add_disk(tree, late);
                                  storage.activity = storage.now;
                              }});
    const FoundDisks found = test::value_of(find_guest_disks(storage, settings("auto"), ""));
    REQUIRE(found.count == 1);
    CHECK(found.disks[0].path.view() == "/dev/sda");
    CHECK(found.disks[0].bus == HostBus::kSata);
    CHECK(found.disks[0].identity.model.view() == "WDC WD10EFRX");
    CHECK(found.disks[0].identity.wwn == 0x50014ee2b1c2d3e4ull);
    CHECK(found.disks[0].boot.bios);
    CHECK(storage.now >= 10600);
    CHECK(storage.now < 10700);  // taken as soon as it was there, not after the drivers
}

TEST_CASE(
    "disk search: all -> every disk once storage is quiet for a second, the boot disk first in the "
    "plan") {
    FixtureTree tree;
    add_disk(tree, kVirtio);
    add_disk(tree, kNvme);
    FakeStorage storage;
    storage.drivers_until = 10300;
    storage.events.push_back({10500, [&] {
                                  add_disk(tree, kSata);
                                  storage.activity = storage.now;
                              }});
    const FoundDisks found = test::value_of(find_guest_disks(storage, settings("all"), ""));
    CHECK(found.count == 3);  // the late SATA disk too
    CHECK(found.boot_disk_first);
    CHECK(storage.now >= 11500);  // 1 s of quiet after the last storage uevent
    const DiskPlan plan = plan_disks(found, DiskSettings{});
    CHECK(plan.disks[0].host.path.view() == "/dev/nvme0n1");
}

TEST_CASE("disk search: by serial and by path; one that never appears -> the timeout in one line") {
    FixtureTree tree;
    for (const DiskFixture& disk : {kSata, kNvme, kVirtio}) add_disk(tree, disk);
    FakeStorage storage;
    FoundDisks found =
        test::value_of(find_guest_disks(storage, settings("serial:HALTEST1, /dev/sda"), ""));
    REQUIRE(found.count == 2);
    CHECK(found.disks[0].path.view() == "/dev/vda");
    CHECK(found.disks[1].path.view() == "/dev/sda");
    const auto missing = find_guest_disks(storage, settings("serial:NOSUCH", 2), "");
    REQUIRE_FALSE(missing.ok());
    CHECK(std::string(missing.error().text) == "disk serial:NOSUCH did not appear within 2 s");
}

TEST_CASE("disk search: the UEFI variable file's disk is left out of auto and refused when named") {
    FixtureTree tree;
    DiskFixture data = kSata;
    data.bios = true;  // bootable, yet the HAL's
    add_disk(tree, data);
    add_disk(tree, kNvme);
    FakeStorage storage;
    const FoundDisks found = test::value_of(find_guest_disks(storage, settings("auto"), "sda"));
    REQUIRE(found.count == 1);
    CHECK(found.disks[0].path.view() == "/dev/nvme0n1");
    const auto named = find_guest_disks(storage, settings("/dev/sda"), "sda");
    REQUIRE_FALSE(named.ok());
    CHECK(std::string(named.error().text).find("holds the HAL's own files (uefi_vars)") !=
          std::string::npos);
}

TEST_CASE("disk search: no disk at all -> waits out disk_timeout, then names the setting") {
    FixtureTree tree;
    tree.directory("/sys/block");
    FakeStorage storage;
    const auto none = find_guest_disks(storage, settings("auto", 3), "");
    REQUIRE_FALSE(none.ok());
    CHECK(std::string(none.error().text) == "disk auto did not appear within 3 s");
    CHECK(storage.now >= 13000);
}
