// Unit tests for kernel uevent message parsing.
#include <doctest/doctest.h>

#include <string>

#include "devices/uevent.hpp"

using namespace std::string_literals;

TEST_CASE("uevent: kernel add message -> fields") {
    const std::string message =
        "add@/devices/pci0000:00/0000:00:04.0/virtio1\0ACTION=add\0DEVPATH=/devices/pci0000:00/"
        "0000:00:04.0/virtio1\0"
        "SUBSYSTEM=virtio\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=1234\0"s;
    hal::Uevent event;
    REQUIRE(hal::parse_uevent(message, event));
    CHECK(event.action == "add");
    CHECK(event.subsystem == "virtio");
    CHECK(event.modalias == "virtio:d00000002v00001AF4");
    CHECK(event.devname.empty());
}

TEST_CASE("uevent: block device message -> devname and numbers") {
    const std::string message =
        "add@/devices/virtual/block/vda\0ACTION=add\0DEVPATH=/devices/virtual/block/"
        "vda\0SUBSYSTEM=block\0"
        "MAJOR=254\0MINOR=0\0DEVNAME=vda\0DEVTYPE=disk\0"s;
    hal::Uevent event;
    REQUIRE(hal::parse_uevent(message, event));
    CHECK(event.devname == "vda");
    CHECK(event.major == "254");
    CHECK(event.minor == "0");
}

TEST_CASE("uevent: malformed table -> rejected") {
    const std::string cases[] = {
        ""s,
        "no header terminator"s,
        "@/devices/x\0ACTION=add\0DEVPATH=/x\0"s,
        "add@/x\0"s,
        "libudev\0\xfe\xed\xca\xfe"s,
        "add@/x\0ACTION=add\0"s,  // no DEVPATH
    };
    for (const auto& message : cases) {
        hal::Uevent event;
        CHECK_FALSE(hal::parse_uevent(message, event));
    }
}

TEST_CASE(
    "uevent: every prefix of a valid message -> accepted once DEVPATH has a value, fields "
    "inside the prefix") {
    const std::string message =
        "add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=pci\0MODALIAS=pci:v1d2\0"s;
    const size_t devpath_value = message.find("DEVPATH=") + 8;
    for (size_t length = 0; length <= message.size(); ++length) {
        CAPTURE(length);
        hal::Uevent event;
        const bool parsed = hal::parse_uevent(std::string_view(message.data(), length), event);
        CHECK(parsed == (length > devpath_value));
        for (const std::string_view field :
             {event.action, event.devpath, event.subsystem, event.modalias})
            CHECK((field.empty() || (field.data() >= message.data() &&
                                     field.data() + field.size() <= message.data() + length)));
    }
    hal::Uevent whole;
    REQUIRE(hal::parse_uevent(message, whole));
    CHECK(whole.modalias == "pci:v1d2");
}

TEST_CASE("uevent: storage activity -> disks and the SCSI/ATA/NVMe objects before them") {
    hal::Uevent event;
    for (const char* subsystem :
         {"block", "scsi", "scsi_host", "ata_port", "ata_link", "ata_device", "nvme"}) {
        event.subsystem = subsystem;
        CHECK_MESSAGE(hal::is_storage_activity(event), subsystem);
    }
    for (const char* subsystem : {"input", "net", "virtio", "pci", "usb", "", "blockx", "ata"}) {
        event.subsystem = subsystem;
        CHECK_MESSAGE(!hal::is_storage_activity(event), subsystem);
    }
}
