// A QMP message parser for hal-init: every message is untrusted input from QEMU, so the
// parser bounds its size, nesting and token count and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hal {

inline constexpr size_t kQmpMaxMessage = 64 * 1024;
inline constexpr size_t kJsonMaxTokens = 512;
inline constexpr unsigned kJsonMaxDepth = 32;

enum class QmpKind { kInvalid, kGreeting, kReturn, kError, kEvent };

struct QmpMessage {
    QmpKind kind = QmpKind::kInvalid;
    const char* problem = "";      // why a message is kInvalid
    std::string_view event;        // "SHUTDOWN", "POWERDOWN", ... (raw JSON string contents)
    std::string_view error_class;  // for kError
    std::string_view error_text;
    // SHUTDOWN's data: guest = true when the guest asked for it; reason such as
    // "guest-shutdown", "host-qmp-quit", "host-signal", "guest-reset".
    bool has_guest = false;
    bool guest = false;
    std::string_view reason;
    // WATCHDOG's data: what QEMU did about it ("none", "reset", "pause", ...).
    std::string_view action;
    // The command's "id" echoed by a return or error (a string id; empty when none).
    std::string_view id;
    // A query-stats return: how many numeric statistic values it held and their sum.
    unsigned stat_values = 0;
    uint64_t stat_sum = 0;
};

// Parses one JSON object (one QMP line). Strings are returned as their raw contents between
// the quotes; QMP's names never contain escapes, and anything we compare against is ASCII.
QmpMessage parse_qmp_message(std::string_view text);

}  // namespace hal
