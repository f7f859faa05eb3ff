// The boot timeline (base/timeline.hpp) where a person finds it: /run/hal/boot.json, replaced
// whole each time, and one debug line in the log.
#pragma once

namespace hal::sys {

// `moment` says when ("at QEMU exec", "modules all loaded").
void publish_boot_timeline(const char* moment);

}  // namespace hal::sys
