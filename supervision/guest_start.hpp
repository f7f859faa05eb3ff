// Whether a KVM guest started at all. QEMU alive with a vCPU that never runs the firmware
// (seen under nested KVM on an emulated SVM CPU) looks, from the machine's screen, like a
// slow boot that never ends; the stop ladder cannot help (the guest never answers ACPI).
// The measure is vCPU 0's port I/O exits from QMP `query-stats`: every PC firmware (SeaBIOS,
// OVMF) reads fw_cfg and the CMOS through port I/O from its first instructions, so a guest
// that runs passes kStartedIoExits within a second, and one that never ran stays at 0.
#pragma once

#include <cstdint>

namespace hal {

// Port I/O exits of vCPU 0 that count as "the firmware runs". SeaBIOS reaches a boot sector
// with several thousand and OVMF with tens of thousands (measured: README's supervision
// section); a vCPU stuck before its first instruction has none.
inline constexpr uint64_t kStartedIoExits = 200;
inline constexpr uint64_t kStartQueryIntervalMs = 1000;

enum class StartState : uint8_t {
    kWatching,     // no verdict yet
    kStarted,      // the firmware runs: nothing more to watch
    kStuck,        // no progress within the timeout: QEMU is to be killed and started again
    kUnavailable,  // QEMU has no KVM statistics (TCG, an older QEMU): not watched
};

class GuestStartWatch {
public:
    // timeout_ms == 0: not watched (kUnavailable at once).
    GuestStartWatch(uint64_t timeout_ms, uint64_t now_ms);

    StartState state() const { return state_; }
    // ms until a query is due (0: now), or -1 when nothing more is to be sent.
    int64_t next_query_in(uint64_t now_ms) const;
    // ms until the verdict deadline, or -1 once there is a verdict.
    int64_t deadline_in(uint64_t now_ms) const;
    void query_sent(uint64_t now_ms);
    // A reply: `values` statistics found, summing to `io_exits`; none means QEMU has none.
    StartState on_reply(uint64_t now_ms, unsigned values, uint64_t io_exits);
    // QEMU refused the query (an error reply): statistics are not available.
    StartState on_error();
    // Checks the deadline; a QEMU that never answered by then counts as stuck as well.
    StartState tick(uint64_t now_ms);

    uint64_t io_exits() const { return io_exits_; }
    unsigned replies() const { return replies_; }
    uint64_t elapsed_ms(uint64_t now_ms) const { return now_ms - started_ms_; }

private:
    uint64_t timeout_ms_;
    uint64_t started_ms_;
    uint64_t last_query_ms_ = 0;
    bool query_outstanding_ = false;
    bool queried_ = false;
    uint64_t io_exits_ = 0;
    unsigned replies_ = 0;
    StartState state_ = StartState::kWatching;
};

}  // namespace hal
