// Unit tests for filesystem probing (real mkfs output where the tools are at hand) and the
// DEVICE:/PATH and disk list syntax.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "disks/disk_spec.hpp"
#include "disks/filesystem_probe.hpp"
#include "tests/unit/support.hpp"

using namespace hal;

namespace {

// A filesystem made by the real mkfs in a temporary file; its first bytes.
std::vector<uint8_t> made_by(const std::string& command_template) {
    char name[] = "/tmp/fs-probe-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    REQUIRE(::truncate(name, 48 * 1024 * 1024) == 0);
    std::string command = command_template;
    command.replace(command.find("FILE"), 4, name);
    REQUIRE_MESSAGE(std::system((command + " >/dev/null 2>&1").c_str()) == 0, command);
    std::ifstream stream(name, std::ios::binary);
    std::vector<uint8_t> bytes(kFilesystemProbeBytes);
    stream.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ::unlink(name);
    return bytes;
}

}  // namespace

TEST_CASE("filesystem probe: mkfs.ext4 -L -U -> ext4, the label, the UUID as blkid prints it") {
    const auto bytes =
        made_by("mkfs.ext4 -q -F -L HALDATA -U 0f2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d FILE");
    FilesystemInfo info;
    REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
    CHECK(std::string(info.type) == "ext4");
    CHECK(info.label.view() == "HALDATA");
    CHECK(info.uuid.view() == "0f2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d");
}

TEST_CASE(
    "filesystem probe: mkfs.vfat -F 32 / -F 16 with -n and -i -> vfat, label, XXXX-XXXX serial") {
    for (const char* fat : {"32", "16"}) {
        CAPTURE(fat);
        const auto bytes =
            made_by(std::string("mkfs.vfat -s 2 -F ") + fat + " -n IMAGES -i 1a2b3c4d FILE");
        FilesystemInfo info;
        REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
        CHECK(std::string(info.type) == "vfat");
        CHECK(info.label.view() == "IMAGES");
        CHECK(info.uuid.view() == "1A2B-3C4D");
    }
}

TEST_CASE("filesystem probe: XFS, btrfs, NTFS and exFAT superblocks -> type, label and UUID") {
    std::vector<uint8_t> bytes(kFilesystemProbeBytes, 0);
    FilesystemInfo info;
    std::memcpy(bytes.data(), "XFSB", 4);
    for (int i = 0; i < 16; ++i) bytes[32 + i] = static_cast<uint8_t>(0x10 + i);
    std::memcpy(bytes.data() + 108, "xfsdata", 7);
    REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
    CHECK(std::string(info.type) == "xfs");
    CHECK(info.label.view() == "xfsdata");
    CHECK(info.uuid.view() == "10111213-1415-1617-1819-1a1b1c1d1e1f");

    std::fill(bytes.begin(), bytes.end(), 0);
    std::memcpy(bytes.data() + 65536 + 64, "_BHRfS_M", 8);
    std::memcpy(bytes.data() + 65536 + 299, "pool", 4);
    REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
    CHECK(std::string(info.type) == "btrfs");
    CHECK(info.label.view() == "pool");

    std::fill(bytes.begin(), bytes.end(), 0);
    std::memcpy(bytes.data() + 3, "NTFS    ", 8);
    const uint8_t serial[8] = {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};
    std::memcpy(bytes.data() + 72, serial, 8);
    REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
    CHECK(std::string(info.type) == "ntfs3");
    CHECK(info.uuid.view() == "0123456789ABCDEF");

    std::fill(bytes.begin(), bytes.end(), 0);
    std::memcpy(bytes.data() + 3, "EXFAT   ", 8);
    const uint8_t exfat_serial[4] = {0x78, 0x56, 0x34, 0x12};
    std::memcpy(bytes.data() + 100, exfat_serial, 4);
    REQUIRE(probe_filesystem(bytes.data(), bytes.size(), info));
    CHECK(std::string(info.type) == "exfat");
    CHECK(info.uuid.view() == "1234-5678");
}

TEST_CASE("filesystem probe: zeros and short buffers -> nothing found") {
    std::vector<uint8_t> zeros(kFilesystemProbeBytes, 0);
    FilesystemInfo info;
    CHECK_FALSE(probe_filesystem(zeros.data(), zeros.size(), info));
    const auto bytes = made_by("mkfs.ext4 -q -F FILE");
    for (size_t size : {0, 100, 1024, 1100})
        CHECK_FALSE(probe_filesystem(bytes.data(), size, info));
}

TEST_CASE(
    "device names: LABEL=, UUID= (any case), PARTLABEL=, /dev paths; anything else rejected") {
    DeviceName name = test::value_of(parse_device_name("LABEL=HALDATA"));
    CHECK((name.kind == DeviceNameKind::kLabel && name.value.view() == "HALDATA"));
    name = test::value_of(parse_device_name("UUID=0F2B3C4D-5E6F-4A1B-8C9D-0E1F2A3B4C5D"));
    CHECK(same_uuid(name.value.view(), "0f2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d"));
    CHECK(test::value_of(parse_device_name("PARTLABEL=guests")).kind == DeviceNameKind::kPartLabel);
    CHECK(test::value_of(parse_device_name("/dev/sdb2")).kind == DeviceNameKind::kPath);
    CHECK_FALSE(parse_device_name("LABEL=").ok());
    CHECK_FALSE(parse_device_name("sdb2").ok());
    CHECK_FALSE(parse_device_name("/dev/").ok());
}

TEST_CASE("file on device: DEVICE:/PATH split at the first :/") {
    FileOnDevice file = test::value_of(parse_file_on_device("LABEL=HALDATA:/hal/vars.fd"));
    CHECK(file.device.value.view() == "HALDATA");
    CHECK(file.path.view() == "/hal/vars.fd");
    file = test::value_of(parse_file_on_device("/dev/vdb1:/guests/a:b.qcow2"));
    CHECK(file.device.value.view() == "/dev/vdb1");
    CHECK(file.path.view() == "/guests/a:b.qcow2");
    CHECK_FALSE(parse_file_on_device("LABEL=HALDATA").ok());
    CHECK_FALSE(parse_file_on_device(":/x").ok());
    CHECK_FALSE(parse_file_on_device("LABEL=HALDATA:/").ok());
}

TEST_CASE("disk specs: auto, all, and lists of paths, serials, wwids and images") {
    DiskSpecList list = test::value_of(parse_disk_specs("all"));
    CHECK((list.count == 1 && list.specs[0].kind == DiskSpecKind::kAll));
    list = test::value_of(parse_disk_specs(
        " /dev/sda , serial:WD-123, wwid:naa.5000c500a1b2c3d4, UUID=1234-ABCD:/win.qcow2"));
    REQUIRE(list.count == 4);
    CHECK(list.specs[0].kind == DiskSpecKind::kPath);
    CHECK(list.specs[0].value.view() == "/dev/sda");
    CHECK((list.specs[1].kind == DiskSpecKind::kSerial && list.specs[1].value.view() == "WD-123"));
    CHECK(list.specs[2].kind == DiskSpecKind::kWwid);
    CHECK((list.specs[3].kind == DiskSpecKind::kImage &&
           list.specs[3].image.path.view() == "/win.qcow2"));
    std::string nine;
    for (int i = 0; i < 9; ++i)
        nine += "/dev/vd" + std::string(1, static_cast<char>('a' + i)) + ",";
    nine.pop_back();
    const auto rejected = parse_disk_specs(nine);
    REQUIRE_FALSE(rejected.ok());
    CHECK(std::string(rejected.error().message).find("at most 8") != std::string::npos);
}
