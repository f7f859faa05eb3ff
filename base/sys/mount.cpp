// mount(2) and umount2(2).
#include "base/sys/mount.hpp"

#include <sys/mount.h>

namespace hal::sys {

Status mount_filesystem(const char* source, const char* target, const char* type,
                        unsigned long flags, const char* options) {
    if (::mount(source, target, type, flags, options) != 0) return error_from_errno("mount");
    return ok_status();
}

Status remount_read_write(const char* target) {
    if (::mount(nullptr, target, nullptr, MS_REMOUNT, nullptr) != 0)
        return error_from_errno("mount(MS_REMOUNT)");
    return ok_status();
}

Status unmount(const char* target) {
    if (::umount2(target, 0) != 0) return error_from_errno("umount");
    return ok_status();
}

Status unmount_detached(const char* target) {
    if (::umount2(target, MNT_DETACH) != 0) return error_from_errno("umount");
    return ok_status();
}

}  // namespace hal::sys
