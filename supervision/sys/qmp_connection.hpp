// hal-init's own QMP monitor on QEMU as an event source: connects (QEMU creates the socket a
// moment after it starts, so it retries), reads messages for the supervisor, and carries the
// supervisor's commands; signals go to QEMU's pid.
#pragma once

#include <sys/types.h>

#include "base/sys/event_loop.hpp"
#include "supervision/sys/qmp_client.hpp"
#include "supervision/sys/supervisor.hpp"

namespace hal {

class QmpConnection : public EventSource, public QemuControl {
public:
    using ReadyHook = void (*)(pid_t qemu, void* context);

    // A fresh connection for the QEMU `qemu`; `ready` runs once, when QMP's greeting arrives
    // (QEMU has created its devices by then).
    void reset(const char* socket_path, pid_t qemu, ReadyHook ready, void* context);
    void set_supervisor(QemuSupervisor* supervisor) { supervisor_ = supervisor; }
    void close() { client_.close(); }

    // QemuControl
    bool connected() override { return client_.connected(); }
    bool execute(const char* command) override { return client_.execute(command); }
    bool send(const char* json) override { return client_.send(json); }
    void signal(int number) override;

    // EventSource
    size_t descriptors(int* fds, size_t capacity) override;
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    QmpClient client_;
    const char* socket_path_ = "";
    pid_t qemu_ = 0;
    ReadyHook ready_ = nullptr;
    void* ready_context_ = nullptr;
    bool ready_reported_ = false;
    QemuSupervisor* supervisor_ = nullptr;
};

}  // namespace hal
