// Formats log records and writes each with a single write(2), so records never interleave.
#include "base/sys/log.hpp"

#include <cstdarg>
#include <cstdio>

#include "base/sys/fs.hpp"

namespace hal::log {
namespace {

int g_kmsg_fd = -1;
bool g_debug = false;
const char* g_program = "hal-init";
Capture g_capture = nullptr;
constexpr size_t kRecordCapacity = 1024;  // /dev/kmsg accepts up to LOG_LINE_MAX (~1 KiB)

}  // namespace

void use_kmsg() {
    auto fd = sys::open_file("/dev/kmsg", sys::kWriteOnly);
    if (fd.ok()) g_kmsg_fd = fd.value();
}

void set_debug(bool enabled) { g_debug = enabled; }
void set_program(const char* name) { g_program = name; }
int kmsg_fd() { return g_kmsg_fd; }
void set_capture(Capture capture) { g_capture = capture; }

void write(Level level, const char* format, ...) {
    if (level == Level::kDebug && !g_debug) return;
    char record[kRecordCapacity];
    const bool to_kmsg = g_kmsg_fd >= 0;
    int prefix = to_kmsg ? std::snprintf(record, sizeof record, "<%d>%s: ", static_cast<int>(level),
                                         g_program)
                         : std::snprintf(record, sizeof record, "%s: ", g_program);
    va_list arguments;
    va_start(arguments, format);
    int body = std::vsnprintf(record + prefix, sizeof record - prefix - 1, format, arguments);
    va_end(arguments);
    if (body < 0) body = 0;
    size_t length = static_cast<size_t>(prefix) + static_cast<size_t>(body);
    // A record too long for one kmsg line is cut and marked, rather than split into two.
    if (length > sizeof record - 2) {
        length = sizeof record - 2;
        record[length - 3] = record[length - 2] = record[length - 1] = '.';
    }
    if (g_capture) {
        record[length] = '\0';
        g_capture(level, record + prefix);
        return;
    }
    record[length++] = '\n';
    (void)sys::write_all(to_kmsg ? g_kmsg_fd : 2, record, length);
}

}  // namespace hal::log
