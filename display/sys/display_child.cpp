// hal-display's life: spawn with a control socket, restart with doubling backoff, the menu's
// requests, a rescue shell on the console.
#include "display/sys/display_child.hpp"

#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/power.hpp"
#include "base/sys/process.hpp"

namespace hal {
namespace {

constexpr uint64_t kFirstBackoffMs = 1000, kMaxBackoffMs = 30000;
constexpr uint64_t kHealthyRunMs = 60000;  // a run this long resets the backoff
constexpr const char* kConsole = "/dev/tty1";

char* g_environment[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("HOME=/"),
                         const_cast<char*>("TERM=linux"), nullptr};

void tell(int control, const char* message) {
    if (control >= 0) (void)sys::send_message(control, message, std::strlen(message));
}

}  // namespace

void DisplayChild::spawn(uint64_t now_ms) {
    int pair[2];
    if (const Status made = sys::socket_pair(pair); !made.ok()) {
        log_warning("display: %s failed: %s; no screen for the guest", made.error().operation,
                    std::strerror(made.error().code));
        return;
    }
    static char control[] = "3";  // the child's end arrives as fd 3
    static char hotkey[32], stats[16];
    format_hotkey(settings_.menu_hotkey, hotkey, sizeof hotkey);
    std::snprintf(stats, sizeof stats, "%u", settings_.stats_seconds);
    const char* argv[16];
    size_t count = 0;
    for (const char* argument : std::initializer_list<const char*>{
             layout::kDisplay, layout::kVncSocket, "--control", control, "--hotkey", hotkey})
        argv[count++] = argument;
    if (!settings_.input) argv[count++] = "--no-input";
    if (!monitor_.framebuffer.empty()) {
        argv[count++] = "--fbdev";
        argv[count++] = monitor_.framebuffer.c_str();
    }
    if (settings_.stats_seconds) {
        argv[count++] = "--stats";
        argv[count++] = stats;
    }
    if (sys::path_exists("/bin/sh")) argv[count++] = "--shell";
    argv[count] = nullptr;
    const auto pid = sys::spawn(const_cast<char* const*>(argv), g_environment, &pair[1], 1);
    sys::close_fd(pair[1]);
    if (!pid.ok()) {
        sys::close_fd(pair[0]);
        log_warning("display: cannot start %s: %s", layout::kDisplay,
                    std::strerror(pid.error().code));
        return;
    }
    sys::close_fd(control_);
    control_ = pair[0];
    pid_ = pid.value();
    started_at_ = now_ms;
    restart_at_ = 0;
    log_info("display: hal-display running as pid %d", static_cast<int>(pid.value()));
}

void DisplayChild::start_shell() {
    if (shell_) return;
    char* argv[] = {const_cast<char*>("/bin/sh"), nullptr};
    const auto pid = sys::spawn_on_terminal(argv, g_environment, kConsole);
    if (!pid.ok()) {
        log_warning("display: cannot start the rescue shell: %s", std::strerror(pid.error().code));
        tell(control_, "shell-ended");
        return;
    }
    shell_ = pid.value();
    log_info("display: rescue shell on %s (pid %d) from the host menu; the guest keeps running",
             kConsole, static_cast<int>(pid.value()));
}

void DisplayChild::start(const MonitorFacts& monitor, uint64_t now_ms) {
    monitor_ = monitor;
    wanted_ = monitor.present;
    if (!wanted_ || pid_) return;
    spawn(now_ms);
}

void DisplayChild::stop() {
    wanted_ = false;
    restart_at_ = 0;
}

size_t DisplayChild::descriptors(int* fds, size_t capacity) {
    if (capacity == 0 || control_ < 0) return 0;
    fds[0] = control_;
    return 1;
}

int64_t DisplayChild::deadline_in(uint64_t now_ms) {
    if (!restart_at_) return -1;
    return restart_at_ > now_ms ? static_cast<int64_t>(restart_at_ - now_ms) : 0;
}

MenuRequest DisplayChild::read_control() {
    char message[32];
    const auto got = sys::receive_datagram(control_, message, sizeof message - 1);
    if (!got.ok() || got.value() == 0) return MenuRequest::kNone;
    message[got.value()] = '\0';
    if (std::strcmp(message, "menu") == 0)
        log_info("display: the host menu is open on the monitor");
    else if (std::strcmp(message, "back") == 0)
        log_info("display: back to the guest from the host menu");
    else if (std::strcmp(message, "poweroff") == 0)
        return MenuRequest::kPowerOff;
    else if (std::strcmp(message, "reset") == 0)
        return MenuRequest::kReset;
    else if (std::strcmp(message, "shell") == 0)
        start_shell();
    return MenuRequest::kNone;
}

void DisplayChild::on_event(uint64_t now_ms, const bool* ready, size_t count) {
    if (restart_at_ && now_ms >= restart_at_ && wanted_) spawn(now_ms);
    if (count == 0 || !ready[0] || control_ < 0) return;
    const MenuRequest request = read_control();
    if (request != MenuRequest::kNone && handler_) handler_(request, context_);
}

void DisplayChild::restart_later(const char* description, uint64_t now_ms) {
    // A clean exit while QEMU runs is as unexpected as a crash: the screen must come back.
    if (now_ms - started_at_ >= kHealthyRunMs) backoff_ms_ = kFirstBackoffMs;
    restart_at_ = now_ms + backoff_ms_;
    log_warning("display: hal-display %s; the guest keeps running; restarting it in %llu ms",
                description, static_cast<unsigned long long>(backoff_ms_));
    backoff_ms_ = backoff_ms_ * 2 > kMaxBackoffMs ? kMaxBackoffMs : backoff_ms_ * 2;
}

bool DisplayChild::on_child_exited(pid_t pid, int status, uint64_t now_ms) {
    if (pid == 0) return false;
    if (pid == shell_) {
        shell_ = 0;
        log_info("display: the rescue shell ended");
        tell(control_, "shell-ended");
        return true;
    }
    if (pid != pid_) return false;
    pid_ = 0;
    sys::close_fd(control_);
    control_ = -1;
    char description[96];
    sys::describe_exit(status, description, sizeof description);
    sys::console_text_mode();  // a killed hal-display left the fbdev console in graphics mode
    if (!wanted_) {
        log_info("display: hal-display %s after QEMU ended; the console is back on the monitor",
                 description);
        return true;
    }
    restart_later(description, now_ms);
    return true;
}

}  // namespace hal
