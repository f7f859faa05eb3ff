// The hardware watchdog through the kernel's watchdog API (linux/watchdog.h).
#include "supervision/sys/hardware_watchdog.hpp"

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"

namespace hal {
namespace {

constexpr const char* kDevice = "/dev/watchdog0";
// One descriptor for the process: the power paths disarm it wherever they are called from.
int g_watchdog = -1;

}  // namespace

int64_t HardwareWatchdog::deadline_in(uint64_t now_ms) {
    if (!setting_.enabled || given_up_) return -1;
    if (search_started_ms_ == 0) return 0;
    return next_ms_ > now_ms ? static_cast<int64_t>(next_ms_ - now_ms) : 0;
}

void HardwareWatchdog::on_event(uint64_t now_ms, const bool*, size_t) {
    if (!setting_.enabled || given_up_ || now_ms < next_ms_) return;
    if (g_watchdog >= 0)
        pet(now_ms);
    else
        look(now_ms);
}

void HardwareWatchdog::watch(QemuSupervisor* supervisor) {
    supervisor_ = supervisor;
    withheld_ = false;
    if (supervisor_ && g_watchdog >= 0)
        supervisor_->watch_liveness(watchdog_pet_interval_ms(timeout_seconds_),
                                    timeout_seconds_ * 1000ull);
}

void HardwareWatchdog::pet(uint64_t now_ms) {
    next_ms_ = now_ms + watchdog_pet_interval_ms(timeout_seconds_);
    const QemuLiveness* liveness = supervisor_ ? &supervisor_->liveness() : nullptr;
    if (liveness && !liveness->answers(now_ms)) {
        if (!withheld_)
            log_warning(
                "watchdog: QEMU has answered no QMP query for %llu ms: no longer petted; the "
                "machine resets within %u s unless it answers again",
                static_cast<unsigned long long>(liveness->waiting_ms(now_ms)), timeout_seconds_);
        withheld_ = true;
        return;
    }
    if (withheld_) log_info("watchdog: QEMU answers QMP again; petted again");
    withheld_ = false;
    if (::ioctl(g_watchdog, WDIOC_KEEPALIVE, 0) != 0)
        log_warning("watchdog: %s: keepalive failed: %s", kDevice, std::strerror(errno));
}

void HardwareWatchdog::look(uint64_t now_ms) {
    if (search_started_ms_ == 0) search_started_ms_ = now_ms;
    next_ms_ = now_ms + kWatchdogLookEveryMs;
    if (!sys::path_exists(kDevice)) {
        if (now_ms - search_started_ms_ < kWatchdogSearchMs) return;
        given_up_ = true;
        log_info("watchdog: none on this machine (no %s after %llu s): not armed", kDevice,
                 static_cast<unsigned long long>(kWatchdogSearchMs / 1000));
        return;
    }
    g_watchdog = ::open(kDevice, O_WRONLY | O_CLOEXEC);
    if (g_watchdog < 0) {
        given_up_ = true;
        log_warning("watchdog: %s does not open: %s; not armed", kDevice, std::strerror(errno));
        return;
    }
    int timeout = static_cast<int>(setting_.timeout_seconds);
    if (::ioctl(g_watchdog, WDIOC_SETTIMEOUT, &timeout) != 0)
        log_warning("watchdog: %s takes no %u s timeout (%s); it keeps its own", kDevice,
                    setting_.timeout_seconds, std::strerror(errno));
    (void)::ioctl(g_watchdog, WDIOC_GETTIMEOUT, &timeout);
    timeout_seconds_ = timeout > 0 ? static_cast<uint32_t>(timeout) : setting_.timeout_seconds;
    watchdog_info info{};
    (void)::ioctl(g_watchdog, WDIOC_GETSUPPORT, &info);
    log_info(
        "watchdog: %s (%.32s) armed: the machine resets %u s after hal-init's loop stops or "
        "QEMU stops answering QMP; petted every %llu ms",
        kDevice, reinterpret_cast<const char*>(info.identity), timeout_seconds_,
        static_cast<unsigned long long>(watchdog_pet_interval_ms(timeout_seconds_)));
    (void)::ioctl(g_watchdog, WDIOC_KEEPALIVE, 0);
    next_ms_ = now_ms + watchdog_pet_interval_ms(timeout_seconds_);
    watch(supervisor_);  // from now on, QEMU must answer QMP too
}

void disarm_hardware_watchdog() {
    if (g_watchdog < 0) return;
    const bool written = ::write(g_watchdog, "V", 1) == 1;
    const int error = errno;
    ::close(g_watchdog);
    g_watchdog = -1;
    if (written)
        log_info("watchdog: %s disarmed", kDevice);
    else
        log_warning("watchdog: %s: the magic close failed: %s", kDevice, std::strerror(error));
}

}  // namespace hal
