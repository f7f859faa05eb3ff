// Mounts: one thin wrapper per mount(2)/umount2(2) use.
#pragma once

#include "base/result.hpp"

namespace hal::sys {

inline constexpr unsigned long kMountReadOnly = 1;  // MS_RDONLY
Status mount_filesystem(const char* source, const char* target, const char* type,
                        unsigned long flags, const char* options);
Status unmount_detached(const char* target);    // umount2(MNT_DETACH)
Status unmount(const char* target);             // umount2(0): the filesystem is clean afterwards
Status remount_read_write(const char* target);  // MS_REMOUNT of a read-only mount

}  // namespace hal::sys
