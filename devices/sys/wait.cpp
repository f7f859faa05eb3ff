// The default clock: the monotonic clock and plain sleeps.
#include "devices/sys/wait.hpp"

#include "base/sys/time.hpp"

namespace hal {

uint64_t DeviceClock::now_ms() { return sys::monotonic_ms(); }
void DeviceClock::pass(uint32_t ms) { sys::sleep_ms(ms); }

}  // namespace hal
