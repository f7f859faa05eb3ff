// Unit tests for the guest disk plan (order, buses, cache modes) and the qcow2 header reader,
// the latter on images made by the real qemu-img.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "disks/disk_plan.hpp"
#include "disks/qcow2.hpp"

using namespace hal;

namespace {

HostDisk disk(const char* name, HostBus bus, const char* order_key, bool bootable = false) {
    HostDisk host;
    host.name.assign(name);
    host.path.assign(std::string("/dev/") + name);
    host.order_key.assign(order_key);
    host.bus = bus;
    host.boot.bios = bootable;
    return host;
}

DiskSettings settings_with(DiskBus bus = DiskBus::kAuto, DiskCache cache = DiskCache::kAuto) {
    DiskSettings settings;
    settings.bus = bus;
    settings.cache = cache;
    return settings;
}

FoundDisks found(const HostDisk* disks, size_t count, bool boot_disk_first) {
    FoundDisks result;
    for (size_t i = 0; i < count; ++i) result.disks[result.count++] = disks[i];
    result.boot_disk_first = boot_disk_first;
    return result;
}

std::vector<uint8_t> file_bytes(const std::string& path, size_t size) {
    std::ifstream stream(path, std::ios::binary);
    std::vector<uint8_t> bytes(size, 0);
    stream.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    bytes.resize(static_cast<size_t>(stream.gcount()));
    return bytes;
}

}  // namespace

TEST_CASE("disk plan: all -> the bootable disk first, the rest in sysfs path order") {
    const HostDisk disks[] = {
        disk("vda", HostBus::kVirtio, "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda"),
        disk("sda", HostBus::kSata, "/sys/devices/pci0000:00/0000:00:1f.2/ata1/block/sda", true),
        disk("nvme0n1", HostBus::kNvme, "/sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1")};
    const DiskPlan plan = plan_disks(found(disks, 3, true), settings_with());
    REQUIRE(plan.count == 3);
    CHECK(plan.disks[0].host.name.view() == "sda");
    CHECK(plan.disks[1].host.name.view() == "nvme0n1");
    CHECK(plan.disks[2].host.name.view() == "vda");
    CHECK(plan.disks[0].bus == DiskBus::kAhci);
    CHECK(plan.disks[1].bus == DiskBus::kNvme);
    CHECK(plan.disks[2].bus == DiskBus::kVirtio);
    CHECK(choose_auto_disk(disks, 3) == 1);
}

TEST_CASE(
    "disk plan: a listed order is kept; auto without a bootable disk -> first in path order") {
    const HostDisk disks[] = {disk("vdb", HostBus::kVirtio, "/sys/b"),
                              disk("vda", HostBus::kVirtio, "/sys/a")};
    const DiskPlan plan = plan_disks(found(disks, 2, false), settings_with());
    CHECK(plan.disks[0].host.name.view() == "vdb");
    CHECK(choose_auto_disk(disks, 2) == 1);
    CHECK(choose_auto_disk(disks, 0) == -1);
}

TEST_CASE(
    "disk plan: auto buses mirror the host's; USB, MMC and image files -> AHCI; 4Kn SATA -> SCSI") {
    HostDisk usb = disk("sdb", HostBus::kUsb, "/u"), scsi = disk("sdc", HostBus::kScsi, "/s");
    HostDisk file = disk("win.qcow2", HostBus::kOther, "/f");
    file.block_device = false;
    HostDisk native4k = disk("sdd", HostBus::kSata, "/n");
    native4k.logical_block = 4096;
    const HostDisk disks[] = {usb, scsi, file, native4k};
    const DiskPlan plan = plan_disks(found(disks, 4, false), settings_with());
    CHECK(plan.disks[0].bus == DiskBus::kAhci);
    CHECK(plan.disks[1].bus == DiskBus::kScsi);
    CHECK(plan.disks[2].bus == DiskBus::kAhci);
    CHECK(plan.disks[3].bus == DiskBus::kScsi);
    CHECK(plan_disks(found(disks, 4, false), settings_with(DiskBus::kVirtio)).disks[1].bus ==
          DiskBus::kVirtio);
}

TEST_CASE(
    "disk plan: cache auto -> none + native AIO for O_DIRECT block devices, writeback otherwise") {
    HostDisk block = disk("sda", HostBus::kSata, "/a"),
             no_direct = disk("sdb", HostBus::kSata, "/b");
    no_direct.direct_io = false;
    HostDisk file = disk("img", HostBus::kOther, "/c");
    file.block_device = false;
    file.direct_io = false;
    const HostDisk disks[] = {block, no_direct, file};
    DiskPlan plan = plan_disks(found(disks, 3, false), settings_with());
    CHECK((plan.disks[0].cache == DiskCache::kNone && plan.disks[0].native_aio));
    CHECK((plan.disks[1].cache == DiskCache::kWriteback && !plan.disks[1].native_aio));
    CHECK(std::string(plan.disks[1].cache_note).find("O_DIRECT") != std::string::npos);
    CHECK((plan.disks[2].cache == DiskCache::kWriteback && *plan.disks[2].cache_note == '\0'));
    plan = plan_disks(found(disks, 3, false), settings_with(DiskBus::kAuto, DiskCache::kNone));
    CHECK(plan.disks[0].native_aio);
    CHECK(plan.disks[1].cache == DiskCache::kWriteback);
    plan =
        plan_disks(found(disks, 3, false), settings_with(DiskBus::kAuto, DiskCache::kWritethrough));
    CHECK((plan.disks[0].cache == DiskCache::kWritethrough && !plan.disks[0].native_aio));
}

TEST_CASE("qcow2: qemu-img images -> version, size, cluster bits, backing file name") {
    const std::string base = "/tmp/qcow2-test-base.raw", top = "/tmp/qcow2-test-top.qcow2";
    REQUIRE(std::system(("truncate -s 8M " + base).c_str()) == 0);
    REQUIRE(std::system(("qemu-img create -q -f qcow2 -b qcow2-test-base.raw -F raw " + top + " 8M")
                            .c_str()) == 0);
    const auto bytes = file_bytes(top, kQcow2HeaderBytes);
    Qcow2Header header;
    REQUIRE(parse_qcow2_header(bytes.data(), bytes.size(), header) == Qcow2Result::kOk);
    CHECK(header.version == 3);
    CHECK(header.virtual_size == 8u * 1024 * 1024);
    CHECK(header.cluster_bits == 16);
    CHECK(header.backing_file.view() == "qcow2-test-base.raw");
    CHECK_FALSE(header.external_data);
    ::unlink(base.c_str());
    ::unlink(top.c_str());
}

TEST_CASE("qcow2: raw data, bad version, backing name past the buffer -> not qcow2 / malformed") {
    std::vector<uint8_t> bytes(512, 0);
    Qcow2Header header;
    CHECK(parse_qcow2_header(bytes.data(), bytes.size(), header) == Qcow2Result::kNotQcow2);
    bytes[0] = 'Q', bytes[1] = 'F', bytes[2] = 'I', bytes[3] = 0xfb;
    bytes[7] = 9;  // version 9
    CHECK(parse_qcow2_header(bytes.data(), bytes.size(), header) == Qcow2Result::kMalformed);
    bytes[7] = 2;
    bytes[23] = 16;    // cluster bits
    bytes[15] = 0xf0;  // backing file offset 0xf0 ...
    bytes[19] = 0x40;  // ... 64 bytes long: past the 512-byte buffer? no, inside
    CHECK(parse_qcow2_header(bytes.data(), bytes.size(), header) ==
          Qcow2Result::kMalformed);  // NULs in the name
    bytes[14] = 0x02;                // offset 0x2f0: past the end
    CHECK(parse_qcow2_header(bytes.data(), bytes.size(), header) == Qcow2Result::kMalformed);
}

TEST_CASE("qcow2: L1/L2 entries -> cluster offsets; compressed, zero and unallocated -> none") {
    CHECK(qcow2_l2_offset(0x8000000000050000ull) == 0x50000u);  // copied flag set
    CHECK_FALSE(qcow2_l2_offset(0).has_value());
    CHECK(qcow2_cluster_offset(0x8000000000070000ull) == 0x70000u);
    CHECK_FALSE(qcow2_cluster_offset(0x4000000000070000ull).has_value());  // compressed
    CHECK_FALSE(qcow2_cluster_offset(0x0000000000070001ull).has_value());  // reads as zero
    CHECK_FALSE(qcow2_cluster_offset(0).has_value());
}
