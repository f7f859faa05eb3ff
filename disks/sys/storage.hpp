// What the disk search needs from the rest of the boot: time passing while devices arrive
// (DeviceClock), whether storage drivers are still loading or controllers still announcing
// devices, and filesystem drivers on demand. The boot plan gives the real one (module loader
// and uevents); unit tests give a fake over a fixture tree.
#pragma once

#include <cstdint>
#include <string_view>

#include "devices/sys/wait.hpp"

namespace hal {

class StorageEnvironment : public DeviceClock {
public:
    // True while bus or storage drivers are queued or loading: a disk may still appear.
    virtual bool drivers_loading() { return false; }
    // When a controller last announced a device on the way to a disk (monotonic ms).
    virtual uint64_t last_storage_activity_ms() { return 0; }
    // Loads what mounting a `type` filesystem needs (fs-TYPE, the NLS tables).
    virtual void load_filesystem(std::string_view type) { (void)type; }

protected:
    ~StorageEnvironment() = default;
};

}  // namespace hal
