// Fake mounts: recorded, always successful (the tests' fixture trees are plain directories).
#include "base/sys/mount.hpp"
#include "tests/unit/fakes/fakes.hpp"

namespace hal::sys {

Status mount_filesystem(const char* source, const char* target, const char* type,
                        unsigned long flags, const char* options) {
    fake::record(std::string("mount ") + source + " " + target + " " + type +
                 (flags & kMountReadOnly ? " ro" : " rw") +
                 (options && *options ? std::string(" ") + options : std::string()));
    return ok_status();
}

Status unmount_detached(const char* target) {
    fake::record(std::string("umount -l ") + target);
    return ok_status();
}

Status unmount(const char* target) {
    fake::record(std::string("umount ") + target);
    return ok_status();
}

Status remount_read_write(const char* target) {
    fake::record(std::string("remount rw ") + target);
    return ok_status();
}

}  // namespace hal::sys
