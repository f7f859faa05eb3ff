// Connection retries, message dispatch, and signals for the supervisor.
#include "supervision/sys/qmp_connection.hpp"

#include "base/sys/log.hpp"
#include "base/sys/process.hpp"

namespace hal {
namespace {
constexpr int64_t kRetryMs = 100;
}  // namespace

void QmpConnection::reset(const char* socket_path, pid_t qemu, ReadyHook ready, void* context) {
    client_.close();
    socket_path_ = socket_path;
    qemu_ = qemu;
    ready_ = ready;
    ready_context_ = context;
    ready_reported_ = false;
}

void QmpConnection::signal(int number) { (void)sys::send_signal(qemu_, number); }

size_t QmpConnection::descriptors(int* fds, size_t capacity) {
    if (capacity == 0 || !client_.connected()) return 0;
    fds[0] = client_.fd();
    return 1;
}

int64_t QmpConnection::deadline_in(uint64_t) { return client_.connected() ? -1 : kRetryMs; }

void QmpConnection::on_event(uint64_t now_ms, const bool* ready, size_t count) {
    if (!client_.connected()) {
        if (client_.try_connect(socket_path_)) log_debug("qmp: connected");
        return;
    }
    if (count == 0 || !ready[0]) return;
    client_.read([&](const QmpMessage& message) {
        // The greeting comes from QEMU's main loop, which runs once every device and
        // backend exists (the socket itself accepts connections earlier).
        if (!ready_reported_ && ready_) ready_(qemu_, ready_context_);
        ready_reported_ = true;
        if (supervisor_) supervisor_->on_qmp_message(message, now_ms);
    });
}

}  // namespace hal
