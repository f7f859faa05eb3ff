// Early mounts, in the order later steps need them, and the static /dev fallback.
#include "devices/sys/early_mounts.hpp"

#include <sys/mount.h>

#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "devices/sys/nodes.hpp"

namespace hal {
namespace {

struct EarlyMount {
    const char* source;
    const char* target;
    const char* type;
    unsigned long flags;
    const char* options;
};

constexpr unsigned long kNoDevSuidExec = MS_NODEV | MS_NOSUID | MS_NOEXEC;
constexpr EarlyMount kEarlyMounts[] = {
    {"proc", "/proc", "proc", kNoDevSuidExec, nullptr},
    {"sysfs", "/sys", "sysfs", kNoDevSuidExec, nullptr},
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    {"tmpfs", "/tmp", "tmpfs", MS_NODEV | MS_NOSUID, "mode=1777"},
    {"tmpfs", "/run", "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755"},
};
constexpr EarlyMount kStaticDev = {"tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755"};

Status mount_one(const EarlyMount& early) {
    Status made = sys::make_directory(early.target, 0755);
    if (made.ok())
        made = sys::mount_filesystem(early.source, early.target, early.type, early.flags,
                                     early.options);
    // EBUSY: the kernel mounted it already (e.g. CONFIG_DEVTMPFS_MOUNT), which is fine.
    if (made.ok() || made.error().code == EBUSY) return ok_status();
    log_error("mounts: %s %s on %s failed: %s", made.error().operation, early.type, early.target,
              std::strerror(made.error().code));
    return made;
}

}  // namespace

Status mount_early_filesystems(bool& devtmpfs) {
    Status result = ok_status();
    devtmpfs = true;
    for (const EarlyMount& early : kEarlyMounts) {
        Status mounted = mount_one(early);
        if (!mounted.ok() && std::strcmp(early.type, "devtmpfs") == 0) {
            devtmpfs = false;
            mounted = mount_one(kStaticDev);
        }
        if (!mounted.ok()) result = mounted;
    }
    const Status run_dir = sys::make_directory(layout::kRunDir, 0700);
    if (!run_dir.ok()) {
        log_error("mounts: mkdir %s failed: %s", layout::kRunDir,
                  std::strerror(run_dir.error().code));
        return run_dir.error();
    }
    create_standard_links();
    return result;
}

unsigned use_static_dev(bool devtmpfs_mounted) {
    if (devtmpfs_mounted) {
        // Detached: the open /dev/kmsg and console descriptors keep working.
        (void)sys::unmount_detached("/dev");
        (void)mount_one(kStaticDev);
    }
    const unsigned created = create_nodes_from_sysfs();
    create_standard_links();
    return created;
}

}  // namespace hal
