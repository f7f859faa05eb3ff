// hal-display's life: the monitor from sysfs (a DRM connector, else the firmware's fbdev
// framebuffer), spawn with a control socket, restart with doubling backoff, the menu's
// requests, a rescue shell on the console.
#include "display/sys/display_child.hpp"

#include <sys/socket.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "display/host_display.hpp"
#include "base/log.hpp"
#include "supervision/sys/supervisor.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/power.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {

constexpr uint64_t kFirstBackoffMs = 1000, kMaxBackoffMs = 30000;
constexpr uint64_t kHealthyRunMs = 60000;  // a run this long resets the backoff
constexpr const char* kConsole = "/dev/tty1";

struct DisplayState {
    const Config* config = nullptr;
    const HostFacts* facts = nullptr;
    bool wanted = false;       // QEMU runs and the host has a monitor
    pid_t pid = 0;
    pid_t shell = 0;
    int control = -1;          // hal-init's end of the control socket
    uint64_t started_at = 0;
    uint64_t restart_at = 0;   // 0: no restart pending
    uint64_t backoff_ms = kFirstBackoffMs;
    unsigned crashes = 0;
    char framebuffer[32] = "";  // /dev/fbN when the monitor has no DRM driver; "": DRM
};
DisplayState g_display;

char* g_environment[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("HOME=/"),
                         const_cast<char*>("TERM=linux"), nullptr};

bool read_text(const char* path, char* buffer, size_t size, std::string_view& text) {
    const auto got = sys::read_file(path, buffer, size);
    if (!got.ok()) return false;
    text = {buffer, got.value()};
    return true;
}

void spawn_display(uint64_t now_ms) {
    const Config& config = *g_display.config;
    int pair[2];
    if (const Status made = sys::socket_pair(pair); !made.ok()) {
        log_warning("display: %s failed: %s; no screen for the guest", made.error().operation,
                    std::strerror(made.error().code));
        return;
    }
    static char control[] = "3";  // the child's end arrives as fd 3
    static char hotkey[64], stats[16];
    std::snprintf(hotkey, sizeof hotkey, "%s", config.menu_hotkey.c_str());
    std::snprintf(stats, sizeof stats, "%u", config.display_stats_seconds);
    char* argv[16];
    size_t count = 0;
    argv[count++] = const_cast<char*>(layout::kDisplay);
    argv[count++] = const_cast<char*>(layout::kVncSocket);
    argv[count++] = const_cast<char*>("--control");
    argv[count++] = control;
    argv[count++] = const_cast<char*>("--hotkey");
    argv[count++] = hotkey;
    if (!config.input) argv[count++] = const_cast<char*>("--no-input");
    if (g_display.framebuffer[0]) {
        argv[count++] = const_cast<char*>("--fbdev");
        argv[count++] = g_display.framebuffer;
    }
    if (config.display_stats_seconds) {
        argv[count++] = const_cast<char*>("--stats");
        argv[count++] = stats;
    }
    if (sys::path_exists("/bin/sh")) argv[count++] = const_cast<char*>("--shell");
    argv[count] = nullptr;
    const auto pid = sys::spawn(argv, g_environment, &pair[1], 1);
    sys::close_fd(pair[1]);
    if (!pid.ok()) {
        sys::close_fd(pair[0]);
        log_warning("display: cannot start %s: %s", layout::kDisplay, std::strerror(pid.error().code));
        return;
    }
    sys::close_fd(g_display.control);
    g_display.control = pair[0];
    g_display.pid = pid.value();
    g_display.started_at = now_ms;
    g_display.restart_at = 0;
    log_info("display: hal-display running as pid %d", static_cast<int>(pid.value()));
}

void start_shell() {
    if (g_display.shell) return;
    char* argv[] = {const_cast<char*>("/bin/sh"), nullptr};
    const auto pid = sys::spawn_on_terminal(argv, g_environment, kConsole);
    if (!pid.ok()) {
        log_warning("display: cannot start the rescue shell: %s", std::strerror(pid.error().code));
        (void)::send(g_display.control, "shell-ended", 11, MSG_NOSIGNAL);
        return;
    }
    g_display.shell = pid.value();
    log_info("display: rescue shell on %s (pid %d) from the host menu; the guest keeps running",
             kConsole, static_cast<int>(pid.value()));
}

// A host whose display has no DRM driver (a GPU the image has no driver for, Debian's kernel
// having no simpledrm) still has the firmware's framebuffer: efifb, vesafb.
bool probe_framebuffer(HostFacts& facts) {
    g_display.framebuffer[0] = '\0';
    bool found = false;
    (void)sys::for_each_entry("/sys/class/graphics", [&](const char* name) {
        if (found || !starts_with(name, "fb")) return;
        char path[128], buffer[64];
        std::string_view text;
        std::snprintf(path, sizeof path, "/sys/class/graphics/%s/name", name);
        if (!read_text(path, buffer, sizeof buffer, text) || framebuffer_of_drm(text)) return;
        char driver[64];
        std::snprintf(driver, sizeof driver, "%.*s", static_cast<int>(trim(text).size()), trim(text).data());
        std::snprintf(path, sizeof path, "/sys/class/graphics/%s/bits_per_pixel", name);
        const auto bits = read_text(path, buffer, sizeof buffer, text) ? parse_unsigned(trim(text)) : std::nullopt;
        std::snprintf(path, sizeof path, "/sys/class/graphics/%s/virtual_size", name);
        const auto size = read_text(path, buffer, sizeof buffer, text) ? framebuffer_size(text) : std::nullopt;
        if (!size || !bits) return;
        if (*bits != 32) {
            log_warning("display: framebuffer %s (%s) is %llu bits a pixel; hal-display draws 32 (XRGB8888)", name,
                        driver, static_cast<unsigned long long>(*bits));
            return;
        }
        found = true;
        std::snprintf(g_display.framebuffer, sizeof g_display.framebuffer, "/dev/%s", name);
        facts.display = true;
        facts.display_width = size->width;
        facts.display_height = size->height;
        log_info("display: no DRM monitor; framebuffer %s (%s) %ux%u; the guest's screen goes there", name, driver,
                 size->width, size->height);
    });
    return found;
}

}  // namespace

void probe_host_display(const Config& config, HostFacts& facts) {
    facts.display = false;
    if (config.display == DisplayMode::kNone) {
        log_info("display: none (display = none): the guest has no screen");
        return;
    }
    if (!sys::path_exists(layout::kDisplay)) {
        log_warning("display: %s is not in this image; the guest has no screen", layout::kDisplay);
        return;
    }
    bool found = false;
    (void)sys::for_each_entry("/sys/class/drm", [&](const char* name) {
        // Connectors are cardN-NAME; cardN itself and renderD* are not.
        if (found || !starts_with(name, "card") || std::strchr(name, '-') == nullptr) return;
        char path[128], buffer[256];
        std::string_view text;
        std::snprintf(path, sizeof path, "/sys/class/drm/%s/status", name);
        if (!read_text(path, buffer, sizeof buffer, text) || !connector_connected(text)) return;
        std::snprintf(path, sizeof path, "/sys/class/drm/%s/modes", name);
        static char modes[4096];
        std::string_view list;
        const auto mode = read_text(path, modes, sizeof modes, list) ? preferred_mode(list) : std::nullopt;
        if (!mode) return;
        found = true;
        facts.display = true;
        facts.display_width = mode->width;
        facts.display_height = mode->height;
        log_info("display: monitor on %s, native mode %ux%u; the guest's screen goes there", name, mode->width,
                 mode->height);
    });
    if (!found) found = probe_framebuffer(facts);
    if (!found) log_info("display: no connected monitor (no DRM connector, no framebuffer); the guest runs headless");
}

void start_display(const Config& config, const HostFacts& facts) {
    g_display.config = &config;
    g_display.facts = &facts;
    g_display.wanted = facts.display;
    if (!g_display.wanted || g_display.pid) return;
    spawn_display(sys::monotonic_ms());
}

void stop_display() {
    g_display.wanted = false;
    g_display.restart_at = 0;
}

int display_fd() { return g_display.control; }
pid_t display_pid() { return g_display.pid; }
uint64_t display_started_ms() { return g_display.started_at; }

int64_t display_timer_in(uint64_t now_ms) {
    if (!g_display.restart_at) return -1;
    return g_display.restart_at > now_ms ? static_cast<int64_t>(g_display.restart_at - now_ms) : 0;
}

MenuRequest service_display(bool readable, uint64_t now_ms) {
    if (g_display.restart_at && now_ms >= g_display.restart_at && g_display.wanted) spawn_display(now_ms);
    if (!readable || g_display.control < 0) return MenuRequest::kNone;
    char message[32];
    const ssize_t got = ::recv(g_display.control, message, sizeof message - 1, MSG_DONTWAIT);
    if (got <= 0) return MenuRequest::kNone;
    message[got] = '\0';
    if (std::strcmp(message, "menu") == 0) log_info("display: the host menu is open on the monitor");
    else if (std::strcmp(message, "back") == 0) log_info("display: back to the guest from the host menu");
    else if (std::strcmp(message, "poweroff") == 0) return MenuRequest::kPowerOff;
    else if (std::strcmp(message, "reset") == 0) return MenuRequest::kReset;
    else if (std::strcmp(message, "shell") == 0) start_shell();
    return MenuRequest::kNone;
}

bool display_child_exited(pid_t pid, int status, uint64_t now_ms) {
    if (pid == 0) return false;
    if (pid == g_display.shell) {
        g_display.shell = 0;
        log_info("display: the rescue shell ended");
        if (g_display.control >= 0) (void)::send(g_display.control, "shell-ended", 11, MSG_NOSIGNAL);
        return true;
    }
    if (pid != g_display.pid) return false;
    g_display.pid = 0;
    sys::close_fd(g_display.control);
    g_display.control = -1;
    char description[96];
    describe_exit(status, description, sizeof description);
    sys::console_text_mode();  // a killed hal-display left the fbdev console in graphics mode
    if (!g_display.wanted) {
        log_info("display: hal-display %s after QEMU ended; the console is back on the monitor", description);
        return true;
    }
    // A clean exit while QEMU runs is as unexpected as a crash: the screen must come back.
    if (now_ms - g_display.started_at >= kHealthyRunMs) g_display.backoff_ms = kFirstBackoffMs;
    ++g_display.crashes;
    g_display.restart_at = now_ms + g_display.backoff_ms;
    log_warning("display: hal-display %s; the guest keeps running; restarting it in %llu ms", description,
                static_cast<unsigned long long>(g_display.backoff_ms));
    g_display.backoff_ms = g_display.backoff_ms * 2 > kMaxBackoffMs ? kMaxBackoffMs : g_display.backoff_ms * 2;
    return true;
}

}  // namespace hal
