// Early mounts, in the order later steps need them.
#include "init/mounts.hpp"

#include <sys/mount.h>

#include <cstring>

#include "common/image_layout.hpp"
#include "init/log.hpp"
#include "init/sys/sys.hpp"

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

}  // namespace

Status mount_early_filesystems() {
    Status result = ok_status();
    for (const EarlyMount& early : kEarlyMounts) {
        Status made = sys::make_directory(early.target, 0755);
        if (made.ok()) made = sys::mount_filesystem(early.source, early.target, early.type, early.flags, early.options);
        // EBUSY: the kernel mounted it already (e.g. CONFIG_DEVTMPFS_MOUNT), which is fine.
        if (!made.ok() && made.error().code != EBUSY) {
            log_error("mounts: %s %s on %s failed: %s", made.error().operation, early.type, early.target,
                      std::strerror(made.error().code));
            result = made.error();
        }
    }
    const Status run_dir = sys::make_directory(layout::kRunDir, 0700);
    if (!run_dir.ok()) {
        log_error("mounts: mkdir %s failed: %s", layout::kRunDir, std::strerror(run_dir.error().code));
        return run_dir.error();
    }
    return result;
}

}  // namespace hal
