// hal-display's figures over a window of time (display_stats = SECONDS): how many screen
// updates QEMU sent, how many pixels they carried (also as whole guest screens, the
// full-screen update rate), the bytes read, the time spent drawing them on the monitor and
// the process's own CPU time. The caller supplies every clock reading; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hal {

class DisplayStats {
public:
    // A window starts at `now_ms` with the process's CPU time `cpu_us`; 0 seconds: never due.
    void start(uint32_t seconds, uint64_t now_ms, uint64_t cpu_us);
    bool enabled() const { return period_ms_ != 0; }
    // Milliseconds until the window ends (0: due now); -1 when disabled.
    int64_t due_in(uint64_t now_ms) const;

    void received(uint64_t bytes) { bytes_ += bytes; }
    void pixels(uint64_t count) { pixels_ += count; }
    void update(uint64_t draw_us) { ++updates_, draw_us_ += draw_us; }

    // The window's line ("stats: 5.0 s: 143 updates (28.6/s), ...") into `out`, then a new
    // window from `now_ms`. `width`x`height` is the guest's screen (0: not known yet).
    size_t report(char* out, size_t size, uint64_t now_ms, uint64_t cpu_us, uint32_t width,
                  uint32_t height);

private:
    uint64_t period_ms_ = 0, started_ms_ = 0, started_cpu_us_ = 0;
    uint64_t updates_ = 0, pixels_ = 0, bytes_ = 0, draw_us_ = 0;
};

}  // namespace hal
