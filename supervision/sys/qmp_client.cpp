// QMP socket I/O: non-blocking reads into a bounded line buffer, one write per command.
#include "supervision/sys/qmp_client.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"

namespace hal {

bool QmpClient::try_connect(const char* socket_path) {
    if (fd_ >= 0) return true;
    const auto fd = sys::connect_unix(socket_path);
    if (!fd.ok()) return false;
    fd_ = fd.value();
    used_ = 0;
    discarding_ = false;
    // QEMU answers the greeting's negotiation before it accepts commands or sends events.
    return execute("qmp_capabilities");
}

void QmpClient::close() {
    sys::close_fd(fd_);
    fd_ = -1;
}

bool QmpClient::execute(const char* command) {
    char json[96];
    const int length = std::snprintf(json, sizeof json, "{\"execute\": \"%s\"}", command);
    return length > 0 && static_cast<size_t>(length) < sizeof json && send(json);
}

bool QmpClient::send(const char* json) {
    if (fd_ < 0) return false;
    char line[512];
    const int length = std::snprintf(line, sizeof line, "%s\r\n", json);
    if (length <= 0 || static_cast<size_t>(length) >= sizeof line) return false;
    if (!sys::write_all(fd_, line, static_cast<size_t>(length)).ok()) {
        close();
        return false;
    }
    return true;
}

bool QmpClient::fill() {
    while (used_ < sizeof buffer_ - 1) {
        const auto got = sys::read_some(fd_, buffer_ + used_, sizeof buffer_ - 1 - used_);
        if (!got.ok()) return got.error().code == EAGAIN;
        if (got.value() == 0) return false;
        used_ += got.value();
    }
    return true;
}

void QmpClient::log_invalid(const char* problem) {
    // Logged, never acted on; a flood is cut short so it cannot drown the console.
    constexpr unsigned kLoggedAtMost = 5;
    if (invalid_logged_ < kLoggedAtMost)
        log_warning("qmp: ignored a malformed message from QEMU: %s%s", problem,
                    ++invalid_logged_ == kLoggedAtMost ? " (further ones not logged)" : "");
}

}  // namespace hal
