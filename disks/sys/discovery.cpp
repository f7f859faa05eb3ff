// The guest's disks from sysfs and the disks themselves: identity, sector sizes, partition
// tables, image files on mounted host partitions; waits are bounded and service uevents.
#include "disks/sys/discovery.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "disks/disk_identity.hpp"
#include "disks/disk_plan.hpp"
#include "disks/disk_spec.hpp"
#include "disks/partition_table.hpp"
#include "disks/qcow2.hpp"
#include "net/sys/nics.hpp"
#include "modules/sys/coldplug.hpp"
#include "base/log.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/mount.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {

// Block devices that are never the machine's disk.
constexpr std::string_view kVirtualDisks[] = {"loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd"};
// After the storage drivers loaded, disks still appear as controllers finish probing (SATA
// links, NVMe namespaces); `all` and a disk-less `auto` wait for this much quiet after the last
// storage uevent (is_storage_activity). 500 ms after the last block device was too short: an
// AHCI controller under TCG added its SCSI hosts and ATA links, then took ~0.5 s to bring its
// link up, and `disk = all` left out the SATA disk that held the OS.
constexpr uint64_t kQuietMs = 1000;
constexpr uint32_t kTickMs = 20;

// One buffer for partition tables and filesystem probes: hal-init reads one disk at a time.
alignas(4096) uint8_t g_sectors[kPartitionTableBytes];

using Text = FixedString<kPathCapacity>;

bool path_of(Text& path, std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    return path.assign(a) && path.append(b) && path.append(c);
}

// A sysfs attribute, trimmed, into `buffer`; false when absent.
bool read_attribute(std::string_view directory, const char* name, char* buffer, size_t capacity, std::string_view& value) {
    Text path;
    if (!path_of(path, directory, "/", name)) return false;
    const auto size = sys::read_file(path.c_str(), buffer, capacity);
    if (!size.ok()) return false;
    value = trim({buffer, size.value()});
    return true;
}

uint64_t read_number(std::string_view directory, const char* name, uint64_t fallback) {
    char buffer[32];
    std::string_view value;
    if (!read_attribute(directory, name, buffer, sizeof buffer, value)) return fallback;
    return parse_unsigned(value).value_or(fallback);
}

bool is_virtual(std::string_view name) {
    for (std::string_view prefix : kVirtualDisks)
        if (starts_with(name, prefix)) return true;
    return false;
}

bool is_candidate(std::string_view name) {
    if (is_virtual(name)) return false;
    Text directory;
    if (!path_of(directory, "/sys/block/", name)) return false;
    return read_number(directory.view(), "removable", 1) == 0 && read_number(directory.view(), "size", 0) != 0;
}

// The whole first `size` bytes of a device or file into g_sectors (a short device gives fewer).
size_t read_head(const char* path, size_t size) {
    const auto fd = sys::open_read_only(path, false);
    if (!fd.ok()) return 0;
    const auto got = sys::read_at(fd.value(), 0, g_sectors, size);
    sys::close_fd(fd.value());
    return got.ok() ? got.value() : 0;
}

// cache=none needs O_DIRECT: open with it and read one logical block into an aligned buffer.
bool takes_direct_io(const char* path, uint32_t logical_block) {
    const auto fd = sys::open_read_only(path, true);
    if (!fd.ok()) return false;
    const auto got = sys::read_at(fd.value(), 0, g_sectors, logical_block <= sizeof g_sectors ? logical_block : 4096);
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
    if (!path_of(path, device_path.substr(0, end), "/link") || !path.append(port) || !path.append("/dev") ||
        !path.append(port) || !path.append(".0/ata_device/dev") || !path.append(port) || !path.append(".0/id"))
        return false;
    static char text[4096];
    const auto size = sys::read_file(path.c_str(), text, sizeof text);
    return size.ok() && ata_identity_from_id_text({text, size.value()}, identity);
}

void read_identity(std::string_view directory, HostDisk& disk) {
    DiskIdentity& identity = disk.identity;
    char buffer[256];
    std::string_view value;
    switch (disk.bus) {
        case HostBus::kSata:
            if (read_ata_identity(disk.order_key.view(), identity)) return;
            break;
        case HostBus::kNvme:
            if (read_attribute(directory, "device/serial", buffer, sizeof buffer, value)) identity.serial.assign(value);
            if (read_attribute(directory, "device/model", buffer, sizeof buffer, value)) identity.model.assign(value);
            if (read_attribute(directory, "eui", buffer, sizeof buffer, value))
                identity.eui64 = eui64_from_text(value).value_or(0);
            return;
        case HostBus::kVirtio:
            if (read_attribute(directory, "serial", buffer, sizeof buffer, value)) identity.serial.assign(value);
            return;
        default: break;
    }
    // SCSI, SAS, USB, and SATA without IDENTIFY data: the SCSI view of the disk.
    if (read_attribute(directory, "device/vendor", buffer, sizeof buffer, value)) identity.vendor.assign(value);
    if (read_attribute(directory, "device/model", buffer, sizeof buffer, value)) identity.model.assign(value);
    if (read_attribute(directory, "device/wwid", buffer, sizeof buffer, value))
        identity.wwn = wwn_from_text(value).value_or(0);
    Text vpd;
    if (path_of(vpd, directory, "/device/vpd_pg80")) {
        static char page[256];
        const auto size = sys::read_file(vpd.c_str(), page, sizeof page);
        if (size.ok())
            identity.serial.assign(serial_from_vpd80(reinterpret_cast<const uint8_t*>(page), size.value()));
    }
}

void read_boot_signs(HostDisk& disk) {
    const size_t got = read_head(disk.path.c_str(), sizeof g_sectors);
    disk.boot = boot_signs(parse_partition_table(g_sectors, got));
}

bool read_host_disk(std::string_view name, HostDisk& disk) {
    disk = {};
    Text directory;
    char resolved[kPathCapacity];
    if (!path_of(directory, "/sys/block/", name) || !disk.name.assign(name) || !path_of(disk.path, "/dev/", name))
        return false;
    if (!sys::resolve_path(directory.c_str(), resolved, sizeof resolved).ok()) return false;
    disk.order_key.assign(resolved);
    disk.bus = host_bus_from_device_path(disk.order_key.view());
    read_identity(directory.view(), disk);
    disk.logical_block = static_cast<uint32_t>(read_number(directory.view(), "queue/logical_block_size", 512));
    disk.physical_block = static_cast<uint32_t>(read_number(directory.view(), "queue/physical_block_size", 512));
    disk.rotational = read_number(directory.view(), "queue/rotational", 1) != 0;
    disk.discard = read_number(directory.view(), "queue/discard_max_bytes", 0) != 0;
    disk.direct_io = takes_direct_io(disk.path.c_str(), disk.logical_block);
    read_boot_signs(disk);
    return sys::path_exists(disk.path.c_str());
}

struct Candidates {
    HostDisk disks[kMaxGuestDisks];
    size_t count = 0;
};

void scan_candidates(std::string_view exclude, Candidates& found) {
    found.count = 0;
    (void)sys::for_each_entry("/sys/block", [&](const char* name) {
        if (found.count == kMaxGuestDisks || name == exclude || !is_candidate(name)) return;
        if (read_host_disk(name, found.disks[found.count])) ++found.count;
    });
}

bool matches_spec(const DiskSpec& spec, const HostDisk& disk) {
    if (spec.kind == DiskSpecKind::kPath) return disk.path.view() == spec.value;
    if (spec.kind == DiskSpecKind::kSerial && disk.identity.serial.view() == spec.value) return true;
    // The raw sysfs attributes too, as /dev/disk/by-id names come from them.
    static const char* const kSerialFiles[] = {"serial", "device/serial"};
    static const char* const kWwidFiles[] = {"wwid", "device/wwid"};
    Text directory;
    if (!path_of(directory, "/sys/block/", disk.name.view())) return false;
    char buffer[256];
    std::string_view value;
    for (const char* file : spec.kind == DiskSpecKind::kSerial ? kSerialFiles : kWwidFiles)
        if (read_attribute(directory.view(), file, buffer, sizeof buffer, value) && value == spec.value) return true;
    return false;
}

// A whole disk named by path, serial or wwid; any block device for a /dev path (a partition
// given whole to the guest is the user's choice).
bool find_named_disk(const DiskSpec& spec, HostDisk& disk) {
    if (spec.kind == DiskSpecKind::kPath) {
        Text given;
        if (!given.assign(spec.value) || !sys::path_exists(given.c_str())) return false;
        const size_t slash = spec.value.rfind('/');
        const std::string_view name = spec.value.substr(slash + 1);
        Text directory;
        if (path_of(directory, "/sys/block/", name) && sys::path_exists(directory.c_str()) &&
            read_host_disk(name, disk))
            return true;
        // Not a whole disk (a partition, a device-mapper node): used as it is.
        disk = {};
        disk.path.assign(spec.value);
        disk.name.assign(name);
        disk.order_key.assign(spec.value);
        disk.direct_io = takes_direct_io(disk.path.c_str(), 4096);
        read_boot_signs(disk);
        return true;
    }
    bool found = false;
    (void)sys::for_each_entry("/sys/block", [&](const char* name) {
        if (found || is_virtual(name)) return;
        HostDisk candidate;
        if (read_host_disk(name, candidate) && matches_spec(spec, candidate)) {
            disk = candidate;
            found = true;
        }
    });
    return found;
}

// The disk a partition belongs to: /sys/class/block/vdb1 resolves into .../block/vdb/vdb1.
void parent_disk(const char* name, FixedString<32>& disk) {
    Text path;
    char resolved[kPathCapacity];
    disk.assign(name);
    if (!path_of(path, "/sys/class/block/", name, "/partition") || !sys::path_exists(path.c_str())) return;
    if (!path_of(path, "/sys/class/block/", name) || !sys::resolve_path(path.c_str(), resolved, sizeof resolved).ok())
        return;
    std::string_view full(resolved);
    full = full.substr(0, full.rfind('/'));
    disk.assign(full.substr(full.rfind('/') + 1));
}

bool partition_label(const char* name, std::string_view wanted) {
    FixedString<32> disk;
    parent_disk(name, disk);
    Text path;
    if (!path_of(path, "/sys/class/block/", name, "/partition")) return false;
    char buffer[16];
    const auto size = sys::read_file(path.c_str(), buffer, sizeof buffer);
    if (!size.ok()) return false;
    const auto number = parse_unsigned(trim({buffer, size.value()}));
    Text device;
    if (!number || !path_of(device, "/dev/", disk.view())) return false;
    const PartitionTable table = parse_partition_table(g_sectors, read_head(device.c_str(), sizeof g_sectors));
    for (size_t i = 0; i < table.count; ++i)
        if (table.partitions[i].number == *number && table.partitions[i].name.view() == wanted) return true;
    return false;
}

// qcow2: the guest's first sectors, from the cluster that holds them.
size_t read_qcow2_head(const char* path, const Qcow2Header& header) {
    const auto fd = sys::open_read_only(path, false);
    if (!fd.ok() || header.l1_entries == 0) {
        if (fd.ok()) sys::close_fd(fd.value());
        return 0;
    }
    uint8_t entry[8];
    size_t got = 0;
    const auto l1 = sys::read_at(fd.value(), header.l1_offset, entry, sizeof entry);
    const auto l2_offset = l1.ok() && l1.value() == 8 ? qcow2_l2_offset(read_be64(entry)) : std::nullopt;
    if (l2_offset) {
        const auto l2 = sys::read_at(fd.value(), *l2_offset, entry, sizeof entry);
        const auto cluster = l2.ok() && l2.value() == 8 ? qcow2_cluster_offset(read_be64(entry)) : std::nullopt;
        if (cluster) {
            size_t size = size_t{1} << header.cluster_bits;
            if (size > sizeof g_sectors) size = sizeof g_sectors;
            const auto data = sys::read_at(fd.value(), *cluster, g_sectors, size);
            got = data.ok() ? data.value() : 0;
        }
    }
    sys::close_fd(fd.value());
    return got;
}

// An image file on a mounted host partition: format by content, a backing file that must
// resolve, and the boot signs of what the guest will see.
bool read_image(const Text& file, HostDisk& disk, char* problem, size_t problem_size) {
    disk = {};
    disk.block_device = false;
    disk.path.assign(file.view());
    disk.order_key.assign(file.view());
    disk.name.assign(file.view().substr(file.view().rfind('/') + 1).substr(0, 31));
    disk.direct_io = false;
    const size_t got = read_head(file.c_str(), kQcow2HeaderBytes);
    if (got == 0 && !sys::path_exists(file.c_str())) {
        std::snprintf(problem, problem_size, "disk image %s does not exist", file.c_str());
        return false;
    }
    Qcow2Header header;
    switch (parse_qcow2_header(g_sectors, got, header)) {
        case Qcow2Result::kNotQcow2:
            disk.format = ImageFormat::kRaw;
            disk.boot = boot_signs(parse_partition_table(g_sectors, read_head(file.c_str(), sizeof g_sectors)));
            return true;
        case Qcow2Result::kMalformed:
            std::snprintf(problem, problem_size, "disk image %s has a damaged qcow2 header", file.c_str());
            return false;
        case Qcow2Result::kOk: break;
    }
    disk.format = ImageFormat::kQcow2;
    if (!header.backing_file.empty()) {
        // QEMU resolves a relative backing file name against the image's directory.
        Text backing;
        const std::string_view name = header.backing_file.view();
        const bool relative = name.front() != '/';
        const std::string_view directory = file.view().substr(0, file.view().rfind('/') + 1);
        if (!backing.assign(relative ? directory : std::string_view()) || !backing.append(name) ||
            !sys::path_exists(backing.c_str())) {
            std::snprintf(problem, problem_size, "disk image %s: its qcow2 backing file %.*s does not resolve (looked for %s)",
                          file.c_str(), static_cast<int>(name.size()), name.data(), backing.c_str());
            return false;
        }
        log_info("disks: %s is a qcow2 image on backing file %s", file.c_str(), backing.c_str());
    }
    if (header.external_data || header.encrypted) {
        std::snprintf(problem, problem_size, "disk image %s: %s qcow2 images are not supported", file.c_str(),
                      header.encrypted ? "encrypted" : "external-data");
        return false;
    }
    disk.boot = boot_signs(parse_partition_table(g_sectors, read_qcow2_head(file.c_str(), header)));
    return true;
}

uint64_t now() { return sys::monotonic_ms(); }

}  // namespace

bool find_partition(const DeviceName& name, FoundPartition& found) {
    bool matched = false;
    (void)sys::for_each_entry("/sys/class/block", [&](const char* entry) {
        if (matched || is_virtual(entry)) return;
        Text device;
        if (!path_of(device, "/dev/", entry)) return;
        if (name.kind == DeviceNameKind::kPath && device.view() != name.value) return;
        if (name.kind == DeviceNameKind::kPartLabel && !partition_label(entry, name.value)) return;
        FilesystemInfo filesystem;
        if (!probe_filesystem(g_sectors, read_head(device.c_str(), kFilesystemProbeBytes), filesystem)) return;
        if (name.kind == DeviceNameKind::kLabel && filesystem.label.view() != name.value) return;
        if (name.kind == DeviceNameKind::kUuid && !same_uuid(filesystem.uuid.view(), name.value)) return;
        found.device = device;
        found.filesystem = filesystem;
        parent_disk(entry, found.disk);
        matched = true;
    });
    return matched;
}

bool mount_partition(const FoundPartition& partition, const char* directory, bool read_only, int& error_code) {
    error_code = 0;
    (void)load_modules_for_filesystem(partition.filesystem.type);  // built in, or packed; mount tells
    if (const Status made = sys::make_directories(directory, 0700); !made.ok()) {
        error_code = made.error().code;
        return false;
    }
    const Status mounted = sys::mount_filesystem(partition.device.c_str(), directory, partition.filesystem.type,
                                                 read_only ? sys::kMountReadOnly : 0, "");
    if (!mounted.ok()) {
        error_code = mounted.error().code;
        return false;
    }
    return true;
}

DiskSetup prepare_guest_disks(const Config& config, std::string_view exclude_disk, HostFacts& facts) {
    DiskSetup setup;
    DiskSpecList specs;
    const char* problem = "";
    if (!parse_disk_specs(config.disk.view(), specs, problem)) {
        std::snprintf(setup.problem, sizeof setup.problem, "disk = %s: %s", config.disk.c_str(), problem);
        return setup;
    }
    const uint64_t started = now();
    const uint64_t deadline = started + config.disk_timeout_seconds * 1000ull;
    facts.disk_count = 0;
    facts.boot_disk_first = specs.specs[0].kind == DiskSpecKind::kAll;
    if (specs.specs[0].kind == DiskSpecKind::kAuto || specs.specs[0].kind == DiskSpecKind::kAll) {
        const bool all = specs.specs[0].kind == DiskSpecKind::kAll;
        static Candidates candidates;
        while (true) {
            scan_candidates(exclude_disk, candidates);
            const bool settled = !storage_modules_busy() && now() - last_storage_activity_ms() >= kQuietMs;
            bool bootable = false;
            for (size_t i = 0; i < candidates.count; ++i) bootable |= candidates.disks[i].bootable();
            if ((!all && bootable) || (settled && candidates.count > 0) || now() >= deadline) break;
            wait_tick(kTickMs);
        }
        if (candidates.count == 0) {
            std::snprintf(setup.problem, sizeof setup.problem, "disk %s did not appear within %u s", config.disk.c_str(),
                          config.disk_timeout_seconds);
            return setup;
        }
        if (all) {
            for (size_t i = 0; i < candidates.count; ++i) facts.disks[facts.disk_count++] = candidates.disks[i];
        } else {
            facts.disks[facts.disk_count++] = candidates.disks[choose_auto_disk(candidates.disks, candidates.count)];
        }
    } else {
        FixedString<32> image_disks[kMaxGuestDisks];  // whole disks holding mounted image partitions
        size_t image_disk_count = 0;
        for (size_t i = 0; i < specs.count; ++i) {
            const DiskSpec& spec = specs.specs[i];
            HostDisk& disk = facts.disks[facts.disk_count];
            if (spec.kind != DiskSpecKind::kImage) {
                if (!wait_for(deadline > now() ? deadline - now() : 0, [&] { return find_named_disk(spec, disk); })) {
                    std::snprintf(setup.problem, sizeof setup.problem, "disk %.*s did not appear within %u s",
                                  static_cast<int>(spec.text.size()), spec.text.data(), config.disk_timeout_seconds);
                    return setup;
                }
                ++facts.disk_count;
                continue;
            }
            FoundPartition partition;
            if (!wait_for(deadline > now() ? deadline - now() : 0, [&] { return find_partition(spec.image.device, partition); })) {
                std::snprintf(setup.problem, sizeof setup.problem,
                              "disk %.*s: no partition %.*s (with a known filesystem) appeared within %u s",
                              static_cast<int>(spec.text.size()), spec.text.data(),
                              static_cast<int>(spec.image.device.value.size()), spec.image.device.value.data(),
                              config.disk_timeout_seconds);
                return setup;
            }
            char directory[64];
            std::snprintf(directory, sizeof directory, "%s/%zu", layout::kMountDir, i);
            // Read-only until the image proved usable: a bad image never costs a write. With
            // snapshot the guest's writes go to RAM and it stays read-only.
            int error_code = 0;
            if (!mount_partition(partition, directory, true, error_code)) {
                std::snprintf(setup.problem, sizeof setup.problem, "disk %.*s: cannot mount %s (%s): %s",
                              static_cast<int>(spec.text.size()), spec.text.data(), partition.device.c_str(),
                              partition.filesystem.type, std::strerror(error_code));
                return setup;
            }
            log_info("disks: %s (%s %s) mounted read-only at %s", partition.device.c_str(), partition.filesystem.type,
                     partition.filesystem.label.c_str(), directory);
            image_disks[image_disk_count++] = partition.disk;
            Text file;
            if (!path_of(file, directory, spec.image.path) || !read_image(file, disk, setup.problem, sizeof setup.problem))
                return setup;
            if (!config.snapshot) {
                if (const Status remounted = sys::remount_read_write(directory); !remounted.ok()) {
                    std::snprintf(setup.problem, sizeof setup.problem,
                                  "disk %.*s: %s cannot be written (%s); snapshot = yes would boot it without writing",
                                  static_cast<int>(spec.text.size()), spec.text.data(), partition.device.c_str(),
                                  std::strerror(remounted.error().code));
                    return setup;
                }
                log_info("disks: %s remounted read-write for the guest's image", partition.device.c_str());
            }
            ++facts.disk_count;
        }
        // A disk given whole to the guest must not also hold a partition the host has mounted.
        for (size_t i = 0; i < facts.disk_count; ++i)
            for (size_t j = 0; j < image_disk_count; ++j)
                if (facts.disks[i].block_device && facts.disks[i].name.view() == image_disks[j].view()) {
                    std::snprintf(setup.problem, sizeof setup.problem,
                                  "disk %s is given to the guest whole, but the host mounted a partition of it for "
                                  "an image",
                                  facts.disks[i].path.c_str());
                    return setup;
                }
    }
    for (size_t i = 0; i < facts.disk_count; ++i) {
        const HostDisk& disk = facts.disks[i];
        if (disk.block_device && !exclude_disk.empty() && disk.name.view() == exclude_disk) {
            std::snprintf(setup.problem, sizeof setup.problem,
                          "disk %s holds the HAL's own files (uefi_vars); it cannot also be the guest's", disk.path.c_str());
            return setup;
        }
    }
    setup.ok = true;
    return setup;
}

}  // namespace hal
