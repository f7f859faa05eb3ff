// Host disks from sysfs and their first sectors; image files and their qcow2 headers.
#include "disks/sys/disk_reader.hpp"

#include <cstdio>
#include <initializer_list>

#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "disks/esp_loaders.hpp"
#include "disks/partition_table.hpp"
#include "disks/qcow2.hpp"

namespace hal {
namespace {

// Block devices that are never the machine's disk.
constexpr std::string_view kVirtualDisks[] = {"loop", "ram", "zram", "dm-",
                                              "md",   "sr",  "fd",   "nbd"};

// One buffer for partition tables and filesystem probes: hal-init reads one disk at a time.
alignas(4096) uint8_t g_sectors[kPartitionTableBytes];

using Text = FixedString<kPathCapacity>;

bool path_of(Text& path, std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    return path.assign(a) && path.append(b) && path.append(c);
}

// cache=none needs O_DIRECT: open with it and read one logical block into an aligned buffer.
bool takes_direct_io(const char* path, uint32_t logical_block) {
    const auto fd = sys::open_read_only(path, true);
    if (!fd.ok()) return false;
    const auto got = sys::read_at(fd.value(), 0, g_sectors,
                                  logical_block <= sizeof g_sectors ? logical_block : 4096);
    sys::close_fd(fd.value());
    return got.ok();
}

// libata's IDENTIFY data for a SATA disk: the ataN component of its sysfs path leads to
// ataN/linkN/devN.0/ata_device/devN.0/id (one device per port; port multipliers aside).
bool read_ata_identity(std::string_view device_path, DiskIdentity& identity) {
    const size_t at = device_path.find("/ata");
    if (at == std::string_view::npos) return false;
    size_t end = at + 4;
    while (end < device_path.size() && device_path[end] >= '0' && device_path[end] <= '9') ++end;
    const std::string_view port = device_path.substr(at + 4, end - at - 4);
    if (port.empty()) return false;
    Text path;
    if (!path_of(path, device_path.substr(0, end), "/link") || !path.append(port) ||
        !path.append("/dev") || !path.append(port) || !path.append(".0/ata_device/dev") ||
        !path.append(port) || !path.append(".0/id"))
        return false;
    static char text[4096];
    const auto size = sys::read_file(path.c_str(), text, sizeof text);
    return size.ok() && ata_identity_from_id_text({text, size.value()}, identity);
}

// Assigns an attribute's text to `field` when the attribute exists.
template <size_t N>
void read_text_attribute(std::string_view directory, const char* name, FixedString<N>& field) {
    char buffer[256];
    const auto value = sys::read_attribute(directory, name, buffer, sizeof buffer);
    if (value.ok()) field.assign(value.value());
}

// SCSI, SAS, USB, and SATA without IDENTIFY data: the SCSI view of the disk.
void read_scsi_identity(std::string_view directory, DiskIdentity& identity) {
    read_text_attribute(directory, "device/vendor", identity.vendor);
    read_text_attribute(directory, "device/model", identity.model);
    char buffer[256];
    if (const auto wwid = sys::read_attribute(directory, "device/wwid", buffer, sizeof buffer);
        wwid.ok())
        identity.wwn = wwn_from_text(wwid.value()).value_or(0);
    Text vpd;
    if (!path_of(vpd, directory, "/device/vpd_pg80")) return;
    static char page[256];
    const auto size = sys::read_file(vpd.c_str(), page, sizeof page);
    if (size.ok())
        identity.serial.assign(
            serial_from_vpd80(reinterpret_cast<const uint8_t*>(page), size.value()));
}

void read_identity(std::string_view directory, HostDisk& disk) {
    DiskIdentity& identity = disk.identity;
    switch (disk.bus) {
        case HostBus::kSata:
            if (read_ata_identity(disk.order_key.view(), identity)) return;
            break;
        case HostBus::kNvme: {
            read_text_attribute(directory, "device/serial", identity.serial);
            read_text_attribute(directory, "device/model", identity.model);
            char buffer[64];
            if (const auto eui = sys::read_attribute(directory, "eui", buffer, sizeof buffer);
                eui.ok())
                identity.eui64 = eui64_from_text(eui.value()).value_or(0);
            return;
        }
        case HostBus::kVirtio: read_text_attribute(directory, "serial", identity.serial); return;
        default: break;
    }
    read_scsi_identity(directory, identity);
}

// A partition of an open disk as the ESP scan's byte source.
class PartitionBytes final : public ByteSource {
public:
    PartitionBytes(int fd, uint64_t start) : fd_(fd), start_(start) {}
    bool read(uint64_t offset, uint8_t* out, size_t size) override {
        const auto got = sys::read_at(fd_, start_ + offset, out, size);
        return got.ok() && got.value() == size;
    }

private:
    int fd_;
    uint64_t start_;
};

EspScanBuffers g_esp_buffers;

// `path` (a raw disk or image; nullptr for qcow2) for the MBR's active NTFS boot record.
DiskBootSigns boot_signs_of(std::span<const uint8_t> head, const char* path = nullptr,
                            uint32_t sector_size = 512) {
    const PartitionTable table = parse_partition_table(head.data(), head.size());
    DiskBootSigns signs = boot_signs(table);
    const Partition* ntfs = path ? windows_boot_partition(table) : nullptr;
    if (!ntfs) return signs;
    const auto fd = sys::open_read_only(path, false);
    if (!fd.ok()) return signs;
    uint8_t sector[512];
    const auto got = sys::read_at(fd.value(), ntfs->first_lba * sector_size, sector, sizeof sector);
    sys::close_fd(fd.value());
    if (got.ok() && windows_boot_record(sector, got.value())) {
        signs.windows = true;
        signs.windows_reason = "the boot disk's active NTFS partition loads BOOTMGR";
    }
    return signs;
}

// qcow2: the guest's first sectors, from the cluster that holds them.
std::span<const uint8_t> read_qcow2_head(const char* path, const Qcow2Header& header) {
    const auto fd = sys::open_read_only(path, false);
    if (!fd.ok()) return {};
    size_t got = 0;
    uint8_t entry[8];
    const auto l1 = header.l1_entries
                        ? sys::read_at(fd.value(), header.l1_offset, entry, sizeof entry)
                        : Result<size_t>(0);
    const auto l2_offset =
        l1.ok() && l1.value() == 8 ? qcow2_l2_offset(read_be64(entry)) : std::nullopt;
    const auto l2 =
        l2_offset ? sys::read_at(fd.value(), *l2_offset, entry, sizeof entry) : Result<size_t>(0);
    const auto cluster =
        l2.ok() && l2.value() == 8 ? qcow2_cluster_offset(read_be64(entry)) : std::nullopt;
    if (cluster) {
        size_t size = size_t{1} << header.cluster_bits;
        if (size > sizeof g_sectors) size = sizeof g_sectors;
        const auto data = sys::read_at(fd.value(), *cluster, g_sectors, size);
        got = data.ok() ? data.value() : 0;
    }
    sys::close_fd(fd.value());
    return {g_sectors, got};
}

// A qcow2 image's backing file must resolve as QEMU will resolve it: a relative name against
// the image's directory.
bool backing_file_resolves(std::string_view file, const Qcow2Header& header,
                           ImageProblem& problem) {
    Text backing;
    const std::string_view name = header.backing_file.view();
    const bool relative = name.front() != '/';
    const std::string_view directory = file.substr(0, file.rfind('/') + 1);
    if (!backing.assign(relative ? directory : std::string_view()) || !backing.append(name) ||
        !sys::path_exists(backing.c_str())) {
        std::snprintf(
            problem.text, sizeof problem.text,
            "disk image %.*s: its qcow2 backing file %.*s does not resolve (looked for %s)",
            static_cast<int>(file.size()), file.data(), static_cast<int>(name.size()), name.data(),
            backing.c_str());
        return false;
    }
    log_info("disks: %.*s is a qcow2 image on backing file %s", static_cast<int>(file.size()),
             file.data(), backing.c_str());
    return true;
}

ImageProblem image_problem(std::string_view file, const char* what) {
    ImageProblem problem;
    std::snprintf(problem.text, sizeof problem.text, "disk image %.*s %s",
                  static_cast<int>(file.size()), file.data(), what);
    return problem;
}

}  // namespace

std::span<const uint8_t> read_head(const char* path, size_t size) {
    const auto fd = sys::open_read_only(path, false);
    if (!fd.ok()) return {};
    const auto got =
        sys::read_at(fd.value(), 0, g_sectors, size < sizeof g_sectors ? size : sizeof g_sectors);
    sys::close_fd(fd.value());
    return {g_sectors, got.ok() ? got.value() : 0};
}

bool is_virtual_disk(std::string_view name) {
    for (std::string_view prefix : kVirtualDisks)
        if (starts_with(name, prefix)) return true;
    return false;
}

bool is_candidate_disk(std::string_view name) {
    if (is_virtual_disk(name)) return false;
    Text directory;
    if (!path_of(directory, "/sys/block/", name)) return false;
    return sys::read_number_attribute(directory.view(), "removable", 1) == 0 &&
           sys::read_number_attribute(directory.view(), "size", 0) != 0;
}

bool read_host_disk(std::string_view name, HostDisk& disk) {
    disk = {};
    Text directory;
    char resolved[kPathCapacity];
    if (!path_of(directory, "/sys/block/", name) || !disk.name.assign(name) ||
        !path_of(disk.path, "/dev/", name))
        return false;
    if (!sys::resolve_path(directory.c_str(), resolved, sizeof resolved).ok()) return false;
    disk.order_key.assign(resolved);
    disk.bus = host_bus_from_device_path(disk.order_key.view());
    read_identity(directory.view(), disk);
    const std::string_view queue = directory.view();
    disk.logical_block =
        static_cast<uint32_t>(sys::read_number_attribute(queue, "queue/logical_block_size", 512));
    disk.physical_block =
        static_cast<uint32_t>(sys::read_number_attribute(queue, "queue/physical_block_size", 512));
    disk.rotational = sys::read_number_attribute(queue, "queue/rotational", 1) != 0;
    disk.discard = sys::read_number_attribute(queue, "queue/discard_max_bytes", 0) != 0;
    disk.direct_io = takes_direct_io(disk.path.c_str(), disk.logical_block);
    disk.boot = boot_signs_of(read_head(disk.path.c_str(), kPartitionTableBytes), disk.path.c_str(),
                              disk.logical_block);
    return sys::path_exists(disk.path.c_str());
}

void read_other_block_device(std::string_view path, HostDisk& disk) {
    disk = {};
    disk.path.assign(path);
    disk.name.assign(path.substr(path.rfind('/') + 1));
    disk.order_key.assign(path);
    disk.direct_io = takes_direct_io(disk.path.c_str(), 4096);
    disk.boot =
        boot_signs_of(read_head(disk.path.c_str(), kPartitionTableBytes), disk.path.c_str());
}

namespace {

// One of `files` below the disk's sysfs directory holds `value` (as /dev/disk/by-id names use it).
bool attribute_holds(const HostDisk& disk, std::initializer_list<const char*> files,
                     std::string_view value) {
    Text directory;
    char buffer[256];
    if (!path_of(directory, "/sys/block/", disk.name.view())) return false;
    for (const char* file : files) {
        const auto text = sys::read_attribute(directory.view(), file, buffer, sizeof buffer);
        if (text.ok() && text.value() == value) return true;
    }
    return false;
}

}  // namespace

bool disk_has_serial(const HostDisk& disk, std::string_view serial) {
    return disk.identity.serial.view() == serial ||
           attribute_holds(disk, {"serial", "device/serial"}, serial);
}

bool disk_has_wwid(const HostDisk& disk, std::string_view wwid) {
    return attribute_holds(disk, {"wwid", "device/wwid"}, wwid);
}

Result<HostDisk, ImageProblem> read_image(std::string_view file) {
    HostDisk disk;
    disk.block_device = false;
    disk.path.assign(file);
    disk.order_key.assign(file);
    disk.name.assign(file.substr(file.rfind('/') + 1).substr(0, 31));
    disk.direct_io = false;
    const std::span<const uint8_t> head = read_head(disk.path.c_str(), kQcow2HeaderBytes);
    if (head.empty() && !sys::path_exists(disk.path.c_str()))
        return image_problem(file, "does not exist");
    Qcow2Header header;
    switch (parse_qcow2_header(head.data(), head.size(), header)) {
        case Qcow2Result::kNotQcow2:
            disk.format = ImageFormat::kRaw;
            disk.boot = boot_signs_of(read_head(disk.path.c_str(), kPartitionTableBytes),
                                      disk.path.c_str());
            return disk;
        case Qcow2Result::kMalformed: return image_problem(file, "has a damaged qcow2 header");
        case Qcow2Result::kOk: break;
    }
    disk.format = ImageFormat::kQcow2;
    ImageProblem problem;
    if (!header.backing_file.empty() && !backing_file_resolves(file, header, problem))
        return problem;
    if (header.external_data || header.encrypted) {
        std::snprintf(problem.text, sizeof problem.text,
                      "disk image %.*s: %s qcow2 images are not supported",
                      static_cast<int>(file.size()), file.data(),
                      header.encrypted ? "encrypted" : "external-data");
        return problem;
    }
    disk.boot = boot_signs_of(read_qcow2_head(disk.path.c_str(), header));
    return disk;
}

void read_esp_signs(HostDisk& disk) {
    if (disk.format != ImageFormat::kRaw) return;  // a qcow2 image's ESP is not read
    const std::span<const uint8_t> head = read_head(disk.path.c_str(), kPartitionTableBytes);
    const PartitionTable table = parse_partition_table(head.data(), head.size());
    const Partition* esp = efi_system_partition(table);
    if (!esp) return;
    const auto fd = sys::open_read_only(disk.path.c_str(), false);
    if (!fd.ok()) return;
    const uint32_t sector = table.gpt ? table.sector_size : disk.logical_block;
    PartitionBytes bytes(fd.value(), esp->first_lba * sector);
    const EspLoaders loaders = scan_esp_loaders(bytes, g_esp_buffers);
    sys::close_fd(fd.value());
    DiskBootSigns& signs = disk.boot;
    signs.signed_loader_path = loaders.first_signed;
    if (loaders.windows_boot_manager && !signs.windows) {
        signs.windows = true;
        signs.windows_reason = "the boot disk's ESP holds Windows Boot Manager (bootmgfw.efi)";
    }
}

void parent_disk(const char* name, FixedString<32>& disk) {
    Text path;
    char resolved[kPathCapacity];
    disk.assign(name);
    if (!path_of(path, "/sys/class/block/", name, "/partition") || !sys::path_exists(path.c_str()))
        return;
    if (!path_of(path, "/sys/class/block/", name) ||
        !sys::resolve_path(path.c_str(), resolved, sizeof resolved).ok())
        return;
    // /sys/class/block/vdb1 resolves into .../block/vdb/vdb1.
    std::string_view full(resolved);
    full = full.substr(0, full.rfind('/'));
    disk.assign(full.substr(full.rfind('/') + 1));
}

bool partition_named(const char* name, std::string_view wanted) {
    FixedString<32> disk;
    parent_disk(name, disk);
    Text directory, device;
    if (!path_of(directory, "/sys/class/block/", name) || !path_of(device, "/dev/", disk.view()))
        return false;
    const uint64_t number = sys::read_number_attribute(directory.view(), "partition", 0);
    if (number == 0) return false;
    const std::span<const uint8_t> head = read_head(device.c_str(), kPartitionTableBytes);
    const PartitionTable table = parse_partition_table(head.data(), head.size());
    for (size_t i = 0; i < table.count; ++i)
        if (table.partitions[i].number == number && table.partitions[i].name.view() == wanted)
            return true;
    return false;
}

}  // namespace hal
