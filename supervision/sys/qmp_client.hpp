// hal-init's side of QMP: connect to QEMU's socket, negotiate, send commands, read events.
#pragma once

#include <cstddef>

#include "supervision/qmp_message.hpp"

namespace hal {

class QmpClient {
public:
    // One connection attempt (QEMU creates the socket a moment after it starts).
    bool try_connect(const char* socket_path);
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    void close();

    // {"execute": "NAME"}; false when not connected or the write failed.
    bool execute(const char* command);
    // One complete JSON command, without the line end; same result.
    bool send(const char* json);

    // Reads what is available and calls handle(const QmpMessage&) per complete line. Oversized
    // or malformed lines are dropped and logged. Returns false when QEMU closed the socket.
    template <class Handle>
    bool read(Handle&& handle);

private:
    bool fill();  // read into buffer_; false at EOF or error
    void log_invalid(const char* problem);

    int fd_ = -1;
    char buffer_[kQmpMaxMessage + 1];
    size_t used_ = 0;
    bool discarding_ = false;  // inside an oversized line: drop until its end
    unsigned invalid_logged_ = 0;
};

template <class Handle>
bool QmpClient::read(Handle&& handle) {
    const bool open = fill();
    size_t start = 0;
    for (size_t i = 0; i < used_; ++i) {
        if (buffer_[i] != '\n') continue;
        if (!discarding_) {
            const QmpMessage message = parse_qmp_message({buffer_ + start, i - start});
            if (message.kind == QmpKind::kInvalid)
                log_invalid(message.problem);
            else
                handle(message);
        }
        discarding_ = false;
        start = i + 1;
    }
    // Keep the incomplete tail; a line that fills the whole buffer is too long to be QMP.
    for (size_t i = start; i < used_; ++i) buffer_[i - start] = buffer_[i];
    used_ -= start;
    if (used_ == sizeof buffer_ - 1) {
        log_invalid("message longer than the limit");
        discarding_ = true;
        used_ = 0;
    }
    if (!open) close();
    return open;
}

}  // namespace hal
