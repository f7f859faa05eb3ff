// Child processes hal-init starts besides QEMU (hal-display, rescue shells): whoever started
// one is told when it ends, by the reaper that collects every child.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace hal {

class ChildWatcher {
public:
    // True when `pid` was this watcher's child (and is now handled).
    virtual bool on_child_exited(pid_t pid, int status, uint64_t now_ms) {
        (void)pid, (void)status, (void)now_ms;
        return false;
    }

protected:
    ~ChildWatcher() = default;
};

}  // namespace hal
