// The disk search: automatic (the first bootable disk, or all of them, once storage is quiet)
// or by name (paths, serials, WWIDs, image files on host partitions); every wait is bounded.
#include "disks/sys/discovery.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "disks/sys/disk_reader.hpp"
#include "disks/sys/partitions.hpp"

namespace hal {
namespace {

// After the storage drivers loaded, disks still appear as controllers finish probing (SATA
// links, NVMe namespaces); `all` and a disk-less `auto` wait for this much quiet after the last
// storage uevent (is_storage_activity). 500 ms after the last block device was too short: an
// AHCI controller under TCG added its SCSI hosts and ATA links, then took ~0.5 s to bring its
// link up, and `disk = all` left out the SATA disk that held the OS.
constexpr uint64_t kQuietMs = 1000;
constexpr uint32_t kTickMs = 20;

DiskProblem problem(const char* format, ...) __attribute__((format(printf, 1, 2)));
DiskProblem problem(const char* format, ...) {
    DiskProblem found;
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(found.text, sizeof found.text, format, arguments);
    va_end(arguments);
    return found;
}

int text_size(std::string_view text) { return static_cast<int>(text.size()); }

struct Candidates {
    HostDisk disks[kMaxGuestDisks];
    size_t count = 0;
};

void scan_candidates(std::string_view exclude, Candidates& found) {
    found.count = 0;
    (void)sys::for_each_entry("/sys/block", [&](const char* name) {
        if (found.count == kMaxGuestDisks || name == exclude || !is_candidate_disk(name)) return;
        if (read_host_disk(name, found.disks[found.count])) ++found.count;
    });
}

// `auto` and `all`: whole disks as they appear. `auto` stops at the first bootable one; both
// stop once storage is quiet with some disk found, or at the deadline.
Result<FoundDisks, DiskProblem> find_automatic(StorageEnvironment& environment,
                                               const DiskSettings& settings,
                                               std::string_view exclude, uint64_t deadline) {
    const bool all = settings.specs.first_kind() == DiskSpecKind::kAll;
    static Candidates candidates;
    while (true) {
        scan_candidates(exclude, candidates);
        const uint64_t now = environment.now_ms();
        const bool settled = !environment.drivers_loading() &&
                             now - environment.last_storage_activity_ms() >= kQuietMs;
        bool bootable = false;
        for (size_t i = 0; i < candidates.count; ++i) bootable |= candidates.disks[i].bootable();
        if ((!all && bootable) || (settled && candidates.count > 0) || now >= deadline) break;
        environment.pass(kTickMs);
    }
    if (candidates.count == 0)
        return problem("disk %s did not appear within %u s", settings.specs.text.c_str(),
                       settings.timeout_seconds);
    FoundDisks found;
    found.boot_disk_first = all;
    if (all) {
        for (size_t i = 0; i < candidates.count; ++i)
            found.disks[found.count++] = candidates.disks[i];
    } else {
        found.disks[found.count++] =
            candidates.disks[choose_auto_disk(candidates.disks, candidates.count)];
    }
    return found;
}

// A whole disk named by path, serial or wwid; any block device for a /dev path (a partition
// given whole to the guest is the user's choice).
bool find_named_disk(const DiskSpec& spec, HostDisk& disk) {
    if (spec.kind == DiskSpecKind::kPath) {
        if (!sys::path_exists(spec.value.c_str())) return false;
        const std::string_view name = spec.value.view().substr(spec.value.view().rfind('/') + 1);
        FixedString<kPathCapacity> directory;
        if (directory.assign("/sys/block/") && directory.append(name) &&
            sys::path_exists(directory.c_str()) && read_host_disk(name, disk))
            return true;
        read_other_block_device(spec.value.view(), disk);  // not a whole disk: used as it is
        return true;
    }
    bool found = false;
    (void)sys::for_each_entry("/sys/block", [&](const char* name) {
        if (found || is_virtual_disk(name)) return;
        HostDisk candidate;
        if (!read_host_disk(name, candidate)) return;
        found = spec.kind == DiskSpecKind::kSerial ? disk_has_serial(candidate, spec.value.view())
                                                   : disk_has_wwid(candidate, spec.value.view());
        if (found) disk = candidate;
    });
    return found;
}

uint64_t remaining(StorageEnvironment& environment, uint64_t deadline) {
    const uint64_t now = environment.now_ms();
    return deadline > now ? deadline - now : 0;
}

// An image file: its partition found and mounted read-only until the image proved usable (a
// bad image never costs a write), then read-write unless snapshot keeps the guest's writes in
// RAM.
Result<HostDisk, DiskProblem> attach_image(StorageEnvironment& environment,
                                           const DiskSettings& settings, const DiskSpec& spec,
                                           size_t index, uint64_t deadline,
                                           FixedString<32>& image_disk) {
    const std::string_view text = spec.text.view();
    FoundPartition partition;
    if (!wait_for(environment, remaining(environment, deadline),
                  [&] { return find_partition(spec.image.device, partition); }))
        return problem("disk %.*s: no partition %s (with a known filesystem) appeared within %u s",
                       text_size(text), text.data(), spec.image.device.value.c_str(),
                       settings.timeout_seconds);
    char directory[64];
    std::snprintf(directory, sizeof directory, "%s/%zu", layout::kMountDir, index);
    if (const Status mounted = mount_partition(environment, partition, directory, true);
        !mounted.ok())
        return problem("disk %.*s: cannot mount %s (%s): %s", text_size(text), text.data(),
                       partition.device.c_str(), partition.filesystem.type,
                       std::strerror(mounted.error().code));
    log_info("disks: %s (%s %s) mounted read-only at %s", partition.device.c_str(),
             partition.filesystem.type, partition.filesystem.label.c_str(), directory);
    image_disk = partition.disk;
    FixedString<kPathCapacity> file;
    if (!file.assign(directory) || !file.append(spec.image.path.view()))
        return problem("disk %.*s: the image's path is too long", text_size(text), text.data());
    const auto image = read_image(file.view());
    if (!image.ok()) return problem("%s", image.error().text);
    if (settings.snapshot) return image.value();
    if (const Status remounted = sys::remount_read_write(directory); !remounted.ok())
        return problem(
            "disk %.*s: %s cannot be written (%s); snapshot = yes would boot it without writing",
            text_size(text), text.data(), partition.device.c_str(),
            std::strerror(remounted.error().code));
    log_info("disks: %s remounted read-write for the guest's image", partition.device.c_str());
    return image.value();
}

// A disk given whole to the guest must not also hold a partition the host has mounted.
Result<FoundDisks, DiskProblem> check_not_mounted(const FoundDisks& found,
                                                  const FixedString<32>* image_disks,
                                                  size_t image_disk_count) {
    for (size_t i = 0; i < found.count; ++i)
        for (size_t j = 0; j < image_disk_count; ++j)
            if (found.disks[i].block_device && found.disks[i].name.view() == image_disks[j].view())
                return problem(
                    "disk %s is given to the guest whole, but the host mounted a partition of it "
                    "for an "
                    "image",
                    found.disks[i].path.c_str());
    return found;
}

Result<FoundDisks, DiskProblem> find_listed(StorageEnvironment& environment,
                                            const DiskSettings& settings, uint64_t deadline) {
    FoundDisks found;
    FixedString<32> image_disks[kMaxGuestDisks];  // whole disks holding mounted image partitions
    size_t image_disk_count = 0;
    for (size_t i = 0; i < settings.specs.count; ++i) {
        const DiskSpec& spec = settings.specs.specs[i];
        HostDisk& disk = found.disks[found.count];
        if (spec.kind == DiskSpecKind::kImage) {
            disk = TRY(attach_image(environment, settings, spec, i, deadline,
                                    image_disks[image_disk_count++]));
        } else if (!wait_for(environment, remaining(environment, deadline),
                             [&] { return find_named_disk(spec, disk); })) {
            return problem("disk %s did not appear within %u s", spec.text.c_str(),
                           settings.timeout_seconds);
        }
        ++found.count;
    }
    return check_not_mounted(found, image_disks, image_disk_count);
}

}  // namespace

Result<FoundDisks, DiskProblem> find_guest_disks(StorageEnvironment& environment,
                                                 const DiskSettings& settings,
                                                 std::string_view exclude_disk) {
    const uint64_t deadline = environment.now_ms() + settings.timeout_seconds * 1000ull;
    const DiskSpecKind kind = settings.specs.first_kind();
    FoundDisks found = TRY(kind == DiskSpecKind::kAuto || kind == DiskSpecKind::kAll
                               ? find_automatic(environment, settings, exclude_disk, deadline)
                               : find_listed(environment, settings, deadline));
    for (size_t i = 0; i < found.count; ++i) {
        const HostDisk& disk = found.disks[i];
        if (disk.block_device && !exclude_disk.empty() && disk.name.view() == exclude_disk)
            return problem(
                "disk %s holds the HAL's own files (uefi_vars); it cannot also be the guest's",
                disk.path.c_str());
    }
    if (found.count > 0) read_esp_signs(found.disks[0]);
    return found;
}

}  // namespace hal
