// The flag goes into the blocks grubenv already occupies: its filesystem is only ever mounted
// read-only (without journal replay), so an OS that hibernated or did not unmount it finds it
// as it left it, as with GRUB's own save_env.
#include "fallback/sys/native_boot.hpp"

#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "devices/sys/wait.hpp"
#include "disks/sys/partitions.hpp"
#include "fallback/grub_env.hpp"
#include "supervision/sys/power.hpp"

namespace hal {
namespace {

constexpr const char* kEnvMount = "/run/hal/mnt/grubenv";
constexpr uint64_t kPartitionWaitMs = 5000;
constexpr size_t kMaxBlocks = 8;

// Where the environment file's bytes are on its partition.
struct EnvPlacement {
    char block[kGrubEnvMaxSize];
    size_t size = 0;
    uint32_t block_size = 0;
    uint64_t physical[kMaxBlocks] = {};
    size_t blocks = 0;
};

// Reads the file and maps its blocks through the read-only mount. "" or what went wrong.
const char* read_placement(const char* path, EnvPlacement& placement) {
    const auto fd = sys::open_file(path, sys::kReadOnly);
    if (!fd.ok()) return "cannot open it";
    const char* problem = nullptr;
    const auto size = sys::file_size(fd.value());
    const auto block_size = sys::filesystem_block_size(fd.value());
    if (!size.ok() || size.value() == 0 || size.value() > kGrubEnvMaxSize)
        problem = "it is not a GRUB environment block (size)";
    else if (!block_size.ok())
        problem = "its filesystem does not tell its block size";
    if (!problem) {
        placement.size = size.value();
        placement.block_size = block_size.value();
        placement.blocks = (placement.size + placement.block_size - 1) / placement.block_size;
        if (placement.blocks > kMaxBlocks) problem = "its blocks are too small to map";
    }
    for (size_t i = 0; !problem && i < placement.blocks; ++i) {
        const auto physical = sys::physical_block(fd.value(), i);
        if (!physical.ok() || physical.value() == 0)
            problem = "its filesystem cannot map its blocks (FIBMAP)";
        else
            placement.physical[i] = physical.value();
    }
    if (!problem) {
        const auto got = sys::read_at(fd.value(), 0, placement.block, placement.size);
        if (!got.ok() || got.value() != placement.size) problem = "cannot read it";
    }
    sys::close_fd(fd.value());
    return problem ? problem : "";
}

// Mounted read-only just long enough to read and map the file.
const char* locate_env(StorageEnvironment& environment, const FoundPartition& partition,
                       const FileOnDevice& file, EnvPlacement& placement) {
    environment.load_filesystem(partition.filesystem.type);
    const bool journal = std::strcmp(partition.filesystem.type, "ext4") == 0 ||
                         std::strcmp(partition.filesystem.type, "ext3") == 0;
    if (!sys::make_directories(kEnvMount, 0700).ok() ||
        !sys::mount_filesystem(partition.device.c_str(), kEnvMount, partition.filesystem.type,
                               sys::kMountReadOnly, journal ? "noload" : "")
             .ok())
        return "cannot mount its partition read-only";
    FixedString<kPathCapacity> path;
    path.assign(kEnvMount);
    path.append(file.path.view());
    const char* problem = read_placement(path.c_str(), placement);
    (void)sys::unmount(kEnvMount);
    return problem;
}

// Each of the file's blocks goes back where it was, synced to the disk.
const char* write_in_place(const FoundPartition& partition, const EnvPlacement& placement) {
    const auto fd = sys::open_file(partition.device.c_str(), sys::kReadWrite);
    if (!fd.ok()) return "cannot open its partition for writing";
    const char* problem = "";
    for (size_t i = 0; i < placement.blocks && !*problem; ++i) {
        const size_t start = i * placement.block_size;
        const size_t length = std::min<size_t>(placement.block_size, placement.size - start);
        const uint64_t offset = placement.physical[i] * placement.block_size;
        if (!sys::write_at_and_sync(fd.value(), offset, placement.block + start, length).ok())
            problem = "writing its blocks failed";
    }
    sys::close_fd(fd.value());
    return problem;
}

// "" when the flag is in place, else why not.
const char* set_flag(StorageEnvironment& environment, const FileOnDevice& file, const char* why,
                     FoundPartition& partition) {
    if (!wait_for(environment, kPartitionWaitMs,
                  [&] { return find_partition(file.device, partition); }))
        return "its partition is not there";
    static EnvPlacement placement;
    placement = EnvPlacement{};
    if (const char* problem = locate_env(environment, partition, file, placement); *problem)
        return problem;
    char value[160];
    grub_env_safe_text(why, value, sizeof value);
    if (!set_grub_env_value(placement.block, placement.size, kGrubFallbackVariable, value).ok())
        return "it is not a GRUB environment block with room for the flag";
    return write_in_place(partition, placement);
}

}  // namespace

void boot_os_natively_next(StorageEnvironment& environment, const FallbackSettings& settings,
                           const char* why) {
    if (settings.mode == FallbackMode::kNone) return;
    if (!settings.has_grubenv) {
        log_info(
            "fallback: bare-metal: no way to boot the OS natively is known (the entries of "
            "mkinitrd-hal --install-boot pass hal.grubenv); the emergency action follows");
        return;
    }
    FoundPartition partition;
    const char* problem = set_flag(environment, settings.grubenv, why, partition);
    if (*problem) {
        log_error(
            "fallback: bare-metal: GRUB's environment %s on %.*s: %s; the emergency action "
            "follows",
            settings.grubenv.path.c_str(),
            static_cast<int>(settings.grubenv.device.value.view().size()),
            settings.grubenv.device.value.view().data(), problem);
        return;
    }
    log_info(
        "fallback: bare-metal: %s: the next boot is the OS's own, natively, once (%s=... in "
        "%s on %s); the one after is the HAL's again",
        why, kGrubFallbackVariable, settings.grubenv.path.c_str(), partition.device.c_str());
    reboot_host("fallback = bare-metal");
}

}  // namespace hal
