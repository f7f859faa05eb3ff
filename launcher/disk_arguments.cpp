// The disk part of QEMU's command line; no I/O.
#include "launcher/disk_arguments.hpp"

#include <cinttypes>
#include <cstdio>

namespace hal {
namespace {

constexpr size_t kAhciPorts = 6;
constexpr size_t kIdeDevices = 4;  // PIIX: two buses, master and slave

// Appends ",name=value" (value escaped) to `out` when `value` is not empty.
void add_string_property(FixedString<1024>& out, const char* name, std::string_view value) {
    FixedString<256> escaped;
    if (value.empty() || !escape_option_value(value, escaped)) return;
    out.append(',');
    out.append(name);
    out.append('=');
    out.append(escaped.view());
}

void add_number_property(FixedString<1024>& out, const char* name, uint64_t value, bool hex) {
    char text[48];
    std::snprintf(text, sizeof text, hex ? ",%s=0x%016" PRIx64 : ",%s=%" PRIu64, name, value);
    out.append(text);
}

void add_block_sizes(FixedString<1024>& out, const HostDisk& disk) {
    if (disk.logical_block == 512 && disk.physical_block == 512) return;
    add_number_property(out, "logical_block_size", disk.logical_block, false);
    add_number_property(out, "physical_block_size", disk.physical_block, false);
}

void add_drive(const GuestDisk& disk, size_t index, Argv& argv) {
    FixedString<256> path;
    escape_option_value(disk.host.path.view(), path);
    argv.add("-drive");
    argv.add_format("file=%s,format=%s,if=none,id=disk%zu,cache=%s,aio=%s,discard=unmap%s",
                    path.c_str(), image_format_name(disk.host.format), index,
                    disk_cache_name(disk.cache), disk.native_aio ? "native" : "threads",
                    disk.snapshot ? ",snapshot=on" : "");
}

}  // namespace

bool escape_option_value(std::string_view value, FixedString<256>& out) {
    out.clear();
    for (char c : value)
        if (!out.append(c) || (c == ',' && !out.append(','))) return false;
    return true;
}

namespace {

// Controllers already on the command line: AHCI ports and IDE units are handed out in order.
struct Controllers {
    size_t ahci_disks = 0;
    size_t ide_disks = 0;
    bool scsi = false;
};

void virtio_device(const GuestDisk& disk, size_t i, FixedString<1024>& device) {
    char head[192];
    std::snprintf(head, sizeof head, "virtio-blk-pci,drive=disk%zu,bootindex=%zu", i, i);
    device.assign(head);
    add_string_property(device, "serial", disk.host.identity.serial.view());
    add_block_sizes(device, disk.host);
}

void ata_device(const GuestDisk& disk, size_t i, Controllers& controllers, Argv& argv,
                FixedString<1024>& device) {
    const DiskIdentity& identity = disk.host.identity;
    const bool ahci = disk.bus == DiskBus::kAhci;
    const size_t slot = ahci ? controllers.ahci_disks++ : controllers.ide_disks++;
    if (ahci && slot % kAhciPorts == 0) {
        argv.add("-device");
        argv.add_format("ahci,id=ahci%zu", slot / kAhciPorts);
    }
    char head[192];
    if (ahci)
        std::snprintf(head, sizeof head, "ide-hd,drive=disk%zu,bus=ahci%zu.%zu,bootindex=%zu", i,
                      slot / kAhciPorts, slot % kAhciPorts, i);
    else
        std::snprintf(head, sizeof head, "ide-hd,drive=disk%zu,bus=ide.%zu,unit=%zu,bootindex=%zu",
                      i, (slot % kIdeDevices) / 2, slot % 2, i);
    device.assign(head);
    add_string_property(device, "serial", identity.serial.view());
    add_string_property(device, "model", identity.model.view());
    if (identity.wwn) add_number_property(device, "wwn", identity.wwn, true);
    if (!disk.host.rotational) device.append(",rotation_rate=1");
}

void nvme_device(const GuestDisk& disk, size_t i, Argv& argv, FixedString<1024>& device) {
    const DiskIdentity& identity = disk.host.identity;
    // The serial belongs to the controller and QEMU requires one.
    char fallback[32];
    std::snprintf(fallback, sizeof fallback, "HALDISK%zu", i);
    FixedString<256> serial;
    escape_option_value(
        identity.serial.empty() ? std::string_view(fallback) : identity.serial.view(), serial);
    argv.add("-device");
    argv.add_format("nvme,id=nvme%zu,serial=%s", i, serial.c_str());
    char head[192];
    std::snprintf(head, sizeof head, "nvme-ns,drive=disk%zu,bus=nvme%zu,nsid=1,bootindex=%zu", i, i,
                  i);
    device.assign(head);
    if (identity.eui64) add_number_property(device, "eui64", identity.eui64, true);
    add_block_sizes(device, disk.host);
}

void scsi_device(const GuestDisk& disk, size_t i, Controllers& controllers, Argv& argv,
                 FixedString<1024>& device) {
    const DiskIdentity& identity = disk.host.identity;
    if (!controllers.scsi) {
        argv.add("-device");
        argv.add("virtio-scsi-pci,id=scsi0");
        controllers.scsi = true;
    }
    char head[192];
    std::snprintf(head, sizeof head,
                  "scsi-hd,drive=disk%zu,bus=scsi0.0,channel=0,scsi-id=%zu,lun=0,bootindex=%zu", i,
                  i, i);
    device.assign(head);
    add_string_property(device, "serial", identity.serial.view());
    // INQUIRY has 8 bytes of vendor and 16 of product; QEMU pads them again.
    add_string_property(device, "vendor", trim(identity.vendor.view().substr(0, 8)));
    add_string_property(device, "product", trim(identity.model.view().substr(0, 16)));
    if (identity.wwn) add_number_property(device, "wwn", identity.wwn, true);
    if (!disk.host.rotational) device.append(",rotation_rate=1");
    add_block_sizes(device, disk.host);
}

}  // namespace

void add_disk_arguments(const DiskPlan& plan, Argv& argv) {
    Controllers controllers;
    for (size_t i = 0; i < plan.count; ++i) {
        const GuestDisk& disk = plan.disks[i];
        add_drive(disk, i, argv);
        FixedString<1024> device;
        switch (disk.bus) {
            case DiskBus::kAuto:  // the plan never leaves auto; treat it as virtio
            case DiskBus::kVirtio: virtio_device(disk, i, device); break;
            case DiskBus::kAhci:
            case DiskBus::kIde: ata_device(disk, i, controllers, argv, device); break;
            case DiskBus::kNvme: nvme_device(disk, i, argv, device); break;
            case DiskBus::kScsi: scsi_device(disk, i, controllers, argv, device); break;
        }
        argv.add("-device");
        argv.add(device.view());
    }
}

}  // namespace hal
