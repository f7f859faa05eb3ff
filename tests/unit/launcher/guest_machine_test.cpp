// Unit tests for the guest machine the launcher builds from host facts: disks with the host's
// identities, firmware (SeaBIOS, OVMF, Secure Boot), SMBIOS/ACPI files and CPU topology.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "launcher/disk_arguments.hpp"
#include "launcher/launcher.hpp"

using namespace hal;

namespace {

HostFacts facts_with(std::vector<HostDisk> disks) {
    HostFacts facts;
    facts.platform.cpus = 4;
    facts.platform.memory_total_kib = 8ull << 20;
    facts.platform.ovmf = true;
    for (const HostDisk& disk : disks) facts.disks.disks[facts.disks.count++] = disk;
    return facts;
}

HostDisk sata_disk() {
    HostDisk disk;
    disk.path.assign("/dev/sda");
    disk.name.assign("sda");
    disk.bus = HostBus::kSata;
    disk.identity.serial.assign("WD-WCC4N1234567");
    disk.identity.model.assign("WDC WD10EFRX-68FYTN0");
    disk.identity.wwn = 0x50014ee2b1c2d3e4ull;
    disk.rotational = false;
    disk.boot.uefi = true;
    return disk;
}

HostDisk nvme_disk() {
    HostDisk disk;
    disk.path.assign("/dev/nvme0n1");
    disk.name.assign("nvme0n1");
    disk.bus = HostBus::kNvme;
    disk.identity.serial.assign("S4EWNX0N123456");
    disk.identity.eui64 = 0x0025385a81b0b676ull;
    return disk;
}

std::vector<std::string> argv_for(const Config& config, const HostFacts& facts) {
    static Argv argv;
    const LaunchPlan plan = plan_launch(config, facts);
    REQUIRE(build_qemu_argv(config, plan, facts, "/usr/bin/qemu-system-x86_64", argv).ok());
    return std::vector<std::string>(argv.data(), argv.data() + argv.size());
}

// Every value that follows `option`.
std::vector<std::string> values_after(const std::vector<std::string>& argv,
                                      const std::string& option) {
    std::vector<std::string> values;
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == option) values.push_back(argv[i + 1]);
    return values;
}

Config base() { return Config{}; }

}  // namespace

TEST_CASE(
    "guest disks: SATA -> AHCI with serial, model, WWN, SSD; NVMe -> controller serial + namespace "
    "EUI-64") {
    const auto argv = argv_for(base(), facts_with({sata_disk(), nvme_disk()}));
    const auto devices = values_after(argv, "-device");
    REQUIRE(devices.size() >= 4);
    CHECK(devices[0] == "ahci,id=ahci0");
    CHECK(devices[1] ==
          "ide-hd,drive=disk0,bus=ahci0.0,bootindex=0,serial=WD-WCC4N1234567,model=WDC "
          "WD10EFRX-68FYTN0,"
          "wwn=0x50014ee2b1c2d3e4,rotation_rate=1");
    CHECK(devices[2] == "nvme,id=nvme1,serial=S4EWNX0N123456");
    CHECK(devices[3] ==
          "nvme-ns,drive=disk1,bus=nvme1,nsid=1,bootindex=1,eui64=0x0025385a81b0b676");
    const auto drives = values_after(argv, "-drive");
    CHECK(
        std::find(
            drives.begin(), drives.end(),
            "file=/dev/nvme0n1,format=raw,if=none,id=disk1,cache=none,aio=native,discard=unmap") !=
        drives.end());
}

TEST_CASE(
    "guest disks: SCSI with vendor/product cut to INQUIRY sizes, 4Kn sectors; commas escaped") {
    HostDisk scsi;
    scsi.path.assign("/dev/sdb");
    scsi.bus = HostBus::kScsi;
    scsi.identity.vendor.assign("SEAGATE LONGNAME");
    scsi.identity.model.assign("ST4000NM0023 with a long product");
    scsi.identity.serial.assign("Z1Z,2");
    scsi.logical_block = scsi.physical_block = 4096;
    Argv argv;
    DiskPlan plan;
    plan.count = 1;
    plan.disks[0].host = scsi;
    plan.disks[0].bus = DiskBus::kScsi;
    add_disk_arguments(plan, argv);
    std::vector<std::string> words(argv.data(), argv.data() + argv.size());
    const auto devices = values_after(words, "-device");
    REQUIRE(devices.size() == 2);
    CHECK(devices[0] == "virtio-scsi-pci,id=scsi0");
    CHECK(devices[1] ==
          "scsi-hd,drive=disk0,bus=scsi0.0,channel=0,scsi-id=0,lun=0,bootindex=0,serial=Z1Z,,2,"
          "vendor=SEAGATE,"
          "product=ST4000NM0023 wit,logical_block_size=4096,physical_block_size=4096");
}

TEST_CASE(
    "guest disks: seven AHCI disks -> a second controller; image file -> qcow2 writeback, "
    "snapshot") {
    std::vector<HostDisk> disks(7, sata_disk());
    Config config = base();
    auto devices = values_after(argv_for(config, facts_with(disks)), "-device");
    CHECK(std::count(devices.begin(), devices.end(), "ahci,id=ahci1") == 1);
    CHECK(std::count_if(devices.begin(), devices.end(), [](const std::string& device) {
              return device.find("bus=ahci1.0") != std::string::npos;
          }) == 1);
    HostDisk image;
    image.path.assign("/run/hal/mnt/0/guests/win.qcow2");
    image.block_device = false;
    image.direct_io = false;
    image.format = ImageFormat::kQcow2;
    config.disks.snapshot = true;
    const auto drives = values_after(argv_for(config, facts_with({image})), "-drive");
    CHECK(drives[0] ==
          "file=/run/hal/mnt/0/guests/"
          "win.qcow2,format=qcow2,if=none,id=disk0,cache=writeback,aio=threads,"
          "discard=unmap,snapshot=on");
}

TEST_CASE("firmware: a UEFI boot disk -> OVMF code read-only and the private variable store") {
    const LaunchPlan plan = plan_launch(base(), facts_with({sata_disk()}));
    CHECK(plan.boot.firmware == BootFirmware::kUefi);
    CHECK(std::string(plan.vars_template) == "/usr/share/qemu/OVMF_VARS_4M.fd");
    CHECK(plan.fatal == nullptr);
    const auto drives = values_after(argv_for(base(), facts_with({sata_disk()})), "-drive");
    CHECK(drives[0] ==
          "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/qemu/OVMF_CODE_4M.fd");
    CHECK(drives[1] == "if=pflash,format=raw,unit=1,file=/run/hal/vars.fd");
}

TEST_CASE("firmware: a boot disk passed with its controller still chooses, and is not emulated") {
    HostFacts facts = facts_with({nvme_disk()});  // a second disk, emulated
    facts.disks.passed_boot = sata_disk().boot;   // UEFI
    const LaunchPlan plan = plan_launch(base(), facts);
    CHECK(plan.boot.firmware == BootFirmware::kUefi);
    CHECK(plan.disks.count == 1);
    facts.disks.count = 0;
    const auto drives = values_after(argv_for(base(), facts), "-drive");
    REQUIRE(drives.size() == 2);  // the firmware's two, no disk
    CHECK(drives[1] == "if=pflash,format=raw,unit=1,file=/run/hal/vars.fd");
}

TEST_CASE("firmware: BIOS boot disk -> no pflash; UEFI without OVMF in the image -> fatal reason") {
    HostDisk bios = sata_disk();
    bios.boot = {};
    bios.boot.bios = true;
    const auto drives = values_after(argv_for(base(), facts_with({bios})), "-drive");
    CHECK(drives.size() == 1);
    HostFacts facts = facts_with({sata_disk()});
    facts.platform.ovmf = false;
    const LaunchPlan plan = plan_launch(base(), facts);
    REQUIRE(plan.fatal != nullptr);
    CHECK(std::string(plan.fatal).find("OVMF") != std::string::npos);
}

TEST_CASE("firmware: uefi-secure -> q35 with SMM, secure pflash; missing secure build -> fatal") {
    Config config = base();
    config.platform.firmware = FirmwareSetting::kUefiSecure;
    HostFacts facts = facts_with({sata_disk()});
    facts.platform.ovmf_secure = true;
    const auto argv = argv_for(config, facts);
    CHECK(values_after(argv, "-machine")[0] == "q35,smm=on");
    CHECK(values_after(argv, "-global")[0] == "driver=cfi.pflash01,property=secure,value=on");
    CHECK(values_after(argv, "-drive")[0] ==
          "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/qemu/OVMF_CODE_4M.secboot.fd");
    facts.platform.ovmf_secure = false;
    REQUIRE(plan_launch(config, facts).fatal != nullptr);
}

TEST_CASE(
    "identity host -> one -smbios file= per structure, -acpitable per table, mirrored topology") {
    HostFacts facts = facts_with({sata_disk()});
    facts.platform.smbios_files[0].assign("/run/hal/identity/smbios-0.bin");
    facts.platform.smbios_files[1].assign("/run/hal/identity/smbios-1.bin");
    facts.platform.smbios_count = 2;
    facts.platform.acpi_files[0].assign("/run/hal/identity/MSDM.bin");
    facts.platform.acpi_count = 1;
    facts.platform.topology = CpuTopology{1, 2, 2};
    auto argv = argv_for(base(), facts);
    CHECK(values_after(argv, "-smbios") ==
          std::vector<std::string>{"file=/run/hal/identity/smbios-0.bin",
                                   "file=/run/hal/identity/smbios-1.bin",
                                   "type=11,value=mkinitrd-hal:guest"});
    CHECK(values_after(argv, "-acpitable") ==
          std::vector<std::string>{"file=/run/hal/identity/MSDM.bin"});
    CHECK(values_after(argv, "-smp")[0] == "4,sockets=1,cores=2,threads=2");
    Config generic = base();
    generic.platform.identity = Identity::kGeneric;
    argv = argv_for(generic, facts);
    CHECK(values_after(argv, "-smbios") ==
          std::vector<std::string>{"type=11,value=mkinitrd-hal:guest"});  // the HAL's mark only
    CHECK(values_after(argv, "-acpitable").empty());
    CHECK(values_after(argv, "-smp")[0] == "4");
    Config fewer = base();
    fewer.platform.cpus = 2;  // not the host's count: no topology to mirror
    CHECK(values_after(argv_for(fewer, facts), "-smp")[0] == "2");
}

TEST_CASE(
    "screen: a monitor -> VGA with the monitor's mode in its EDID, VNC on the socket, a USB "
    "tablet") {
    HostFacts facts = facts_with({sata_disk()});
    facts.monitor.present = true;
    facts.monitor.mode.width = 1920;
    facts.monitor.mode.height = 1080;
    auto argv = argv_for(base(), facts);
    const auto devices = values_after(argv, "-device");
    CHECK(std::find(devices.begin(), devices.end(), "VGA,edid=on,xres=1920,yres=1080") !=
          devices.end());
    CHECK(std::find(devices.begin(), devices.end(), "usb-tablet,bus=xhci.0") != devices.end());
    CHECK(values_after(argv, "-vnc") ==
          std::vector<std::string>{"unix:/run/hal/vnc.sock,lock-key-sync=off"});
    Config config = base();
    config.display.video = GuestVideo::kVirtio;
    config.display.input = false;
    argv = argv_for(config, facts);
    const auto virtio = values_after(argv, "-device");
    CHECK(std::find(virtio.begin(), virtio.end(), "virtio-vga,edid=on,xres=1920,yres=1080") !=
          virtio.end());
    CHECK(std::find(virtio.begin(), virtio.end(), "usb-tablet,bus=xhci.0") == virtio.end());
    facts.monitor.present = false;
    argv = argv_for(base(), facts);
    CHECK(values_after(argv, "-vnc").empty());
    CHECK(values_after(argv, "-display")[0] == "none");
}
