// Step 4 of the boot plan: wait, bounded, for the device nodes the config needs.
#pragma once

#include <cstdint>
#include <optional>

namespace hal {

// Polls until `path` exists or `timeout_ms` passed; returns the wait in ms, or nullopt.
// Drivers probe asynchronously, so a node appears some time after its module loaded.
std::optional<uint64_t> wait_for_path(const char* path, uint64_t timeout_ms);

}  // namespace hal
