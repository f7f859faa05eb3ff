// Bounded waiting for device nodes that devtmpfs creates when a driver binds.
#include "init/devices.hpp"

#include "init/sys/sys.hpp"

namespace hal {
namespace {

constexpr uint32_t kPollIntervalMs = 10;

}  // namespace

std::optional<uint64_t> wait_for_path(const char* path, uint64_t timeout_ms) {
    const uint64_t started = sys::monotonic_ms();
    while (true) {
        if (sys::path_exists(path)) return sys::monotonic_ms() - started;
        if (sys::monotonic_ms() - started >= timeout_ms) return std::nullopt;
        sys::sleep_ms(kPollIntervalMs);
    }
}

}  // namespace hal
