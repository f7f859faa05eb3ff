// hal-display: the guest's screen on the host's monitor and the host's keyboards and pointers
// in the guest. A VNC client of QEMU's server on a unix socket that draws into a DRM dumb
// buffer and sends evdev input as QEMU extended key events and pointer events; hal-init runs
// it as its own process (a fault here never touches PID 1) and restarts it when it dies.
//
//   hal-display VNC_SOCKET [--control FD] [--no-input] [--hotkey KEYS] [--shell] [--card PATH]
//               [--fbdev PATH] [--stats SECONDS]
//
// The monitor is the DRM card's (--card, default /dev/dri/card0) or, for a host whose display
// has no DRM driver, the fbdev framebuffer --fbdev names (hal-init chooses).
//
// The control socket (from hal-init) carries the host menu's choices: hal-display sends
// "menu", "back", "poweroff", "reset", "shell"; hal-init sends "shell-ended".
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "display/hotkey.hpp"
#include "display/keymap.hpp"
#include "display/layout.hpp"
#include "display/menu.hpp"
#include "display/pointer.hpp"
#include "display/rfb.hpp"
#include "display/stats.hpp"
#include "display/sys/drm.hpp"
#include "display/sys/fbdev.hpp"
#include "display/sys/input.hpp"

namespace hal {
namespace {

constexpr uint32_t kMaxGuestWidth = 4096, kMaxGuestHeight = 2400;
constexpr uint32_t kConnectTimeoutMs = 30000;
constexpr const char* kConsole = "/dev/tty1";

// The guest's screen as QEMU last sent it; the monitor buffer is drawn from it.
uint8_t g_guest[kMaxGuestWidth * kMaxGuestHeight * 4];

struct Options {
    const char* socket = nullptr;
    const char* card = "/dev/dri/card0";
    const char* fbdev = nullptr;  // draw on this fbdev framebuffer instead of the DRM card
    const char* hotkey_text = "ctrl+alt+esc";
    int control = -1;
    uint32_t stats_seconds = 0;  // a line of figures this often (display_stats); 0: none
    bool input = true;
    bool shell = false;
};

class Display final : public rfb::Events {
public:
    Display(const Options& options, const Hotkey& hotkey)
        : options_(options),
          filter_(hotkey),
          parser_(*this),
          screen_(options.fbdev ? static_cast<sys::Screen&>(fbdev_) : drm_) {}
    ~Display() = default;

    int run();

private:
    // rfb::Events
    void server_init(uint16_t width, uint16_t height) override { resize(width, height); }
    void desktop_size(uint16_t width, uint16_t height) override {
        resize(width, height);
        request_update(false);
    }
    void pixels(uint16_t x, uint16_t y, const uint8_t* data, size_t count) override {
        if (x + count > guest_width_ || y >= guest_height_) return;
        std::memcpy(g_guest + (static_cast<size_t>(y) * guest_width_ + x) * 4, data, count * 4);
        dirty_.include(x, y, static_cast<uint32_t>(count), 1);
        stats_.pixels(count);
    }
    void update_done() override;
    void pointer_absolute(bool absolute) override {
        pointer_.set_absolute(absolute);
        log_info("pointer: the guest's pointer is %s",
                 absolute ? "absolute (a tablet)" : "relative (a mouse)");
    }

    void resize(uint16_t width, uint16_t height);
    void show_guest();
    void request_update(bool incremental);
    void send(const uint8_t* data, size_t size);
    void send_keys(const KeyEvent* keys, size_t count);
    void handle_input(size_t index);
    void handle_key(uint16_t code, bool down);
    void open_menu();
    void close_menu();
    void menu_key(uint16_t code);
    void control(const char* command);
    bool read_server();
    void read_control();
    void report_stats();

    const Options& options_;
    HotkeyFilter filter_;
    rfb::ServerParser parser_;
    sys::DrmScreen drm_;
    sys::FbScreen fbdev_;
    sys::Screen& screen_;  // one of the two
    sys::Inputs inputs_;
    Pointer pointer_;
    Placement placement_;
    Rect dirty_;
    DisplayStats stats_;
    int server_ = -1;
    uint32_t guest_width_ = 0, guest_height_ = 0;
    bool menu_ = false;
    bool shell_ = false;
    bool first_frame_logged_ = false;
    bool screen_failed_ = false;
    bool pointer_moved_ = false;
};

void Display::send(const uint8_t* data, size_t size) {
    if (const Status sent = sys::write_all(server_, reinterpret_cast<const char*>(data), size);
        !sent.ok())
        log_warning("vnc: write failed: %s", std::strerror(sent.error().code));
}

void Display::request_update(bool incremental) {
    uint8_t message[16];
    send(message, rfb::update_request(message, incremental, static_cast<uint16_t>(guest_width_),
                                      static_cast<uint16_t>(guest_height_)));
}

void Display::resize(uint16_t width, uint16_t height) {
    if (width > kMaxGuestWidth || height > kMaxGuestHeight) {
        log_error("vnc: the guest's screen %ux%u is larger than %ux%u; it is cut", width, height,
                  kMaxGuestWidth, kMaxGuestHeight);
        width = static_cast<uint16_t>(width > kMaxGuestWidth ? kMaxGuestWidth : width);
        height = static_cast<uint16_t>(height > kMaxGuestHeight ? kMaxGuestHeight : height);
    }
    guest_width_ = width, guest_height_ = height;
    pointer_.resize(width, height);
    dirty_ = {};
    if (screen_.is_open()) {
        placement_ = place(width, height, screen_.width(), screen_.height());
        std::memset(screen_.pixels(), 0, screen_.stride() * screen_.height());
        log_info("screen: guest %ux%u on the monitor's %ux%u: %s at %u,%u (%ux%u)", width, height,
                 screen_.width(), screen_.height(), placement_.scaled ? "scaled" : "1:1",
                 placement_.x, placement_.y, placement_.width, placement_.height);
    }
}

void Display::show_guest() {
    if (screen_failed_) return;
    if (!screen_.is_open()) {
        const char* device = options_.fbdev ? options_.fbdev : options_.card;
        if (const Status opened = screen_.open(device); !opened.ok()) {
            log_warning("screen: %s: %s failed: %s; the guest's screen is not shown", device,
                        opened.error().operation, std::strerror(opened.error().code));
            screen_failed_ = true;  // said once; the guest keeps the keyboard and pointer
            return;
        }
        placement_ = place(guest_width_, guest_height_, screen_.width(), screen_.height());
    }
    Rect all;
    all.include(0, 0, guest_width_, guest_height_);
    blit(g_guest, guest_width_ * 4, guest_width_, guest_height_, all, screen_.pixels(),
         screen_.stride(), placement_);
    if (const Status shown = screen_.show(); !shown.ok())
        log_warning("screen: %s failed: %s", shown.error().operation,
                    std::strerror(shown.error().code));
}

void Display::update_done() {
    const uint64_t began = stats_.enabled() ? sys::monotonic_us() : 0;
    if (!menu_ && !shell_ && !dirty_.empty()) {
        // The monitor keeps the host's console until the guest's first frame.
        if (!screen_.shown()) {
            show_guest();
            if (!first_frame_logged_) log_info("screen: the guest's first frame is on the monitor");
            first_frame_logged_ = true;
        } else {
            screen_.flush(blit(g_guest, guest_width_ * 4, guest_width_, guest_height_, dirty_,
                               screen_.pixels(), screen_.stride(), placement_));
        }
    }
    dirty_ = {};
    request_update(true);
    if (stats_.enabled()) stats_.update(sys::monotonic_us() - began);
}

void Display::report_stats() {
    char line[256];
    stats_.report(line, sizeof line, sys::monotonic_ms(), sys::process_cpu_us(), guest_width_,
                  guest_height_);
    log_info("%s", line);
}

void Display::send_keys(const KeyEvent* keys, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        const uint32_t number = qemu_key_number(keys[i].code);
        if (number == 0) continue;
        uint8_t message[16];
        send(message, rfb::extended_key_event(message, keys[i].down, 0, number));
    }
}

void Display::handle_key(uint16_t code, bool down) {
    if (menu_) {
        if (down) menu_key(code);
        return;
    }
    KeyEvent out[HotkeyFilter::kMaxOutput];
    bool menu = false;
    const size_t count = filter_.key(code, down, out, menu);
    send_keys(out, count);
    if (menu) open_menu();
}

void Display::handle_input(size_t index) {
    input_event events[64];
    sys::InputDevice device = inputs_.device(index);  // a copy: read() may remove it
    const size_t count = inputs_.read(index, events, 64);
    for (size_t i = 0; i < count; ++i) {
        const input_event& event = events[i];
        if (event.type == EV_KEY && event.value != 2) {
            const bool down = event.value == 1;
            uint8_t bit = 0;
            switch (event.code) {
                case BTN_LEFT:
                case BTN_TOUCH: bit = kLeft; break;
                case BTN_RIGHT:
                case BTN_STYLUS: bit = kRight; break;
                case BTN_MIDDLE: bit = kMiddle; break;
                default:
                    if (event.code < BTN_MISC) handle_key(event.code, down);
                    continue;
            }
            if (menu_ || shell_) continue;
            KeyEvent held[HotkeyFilter::kMaxOutput];
            send_keys(held, filter_.flush(held));  // Ctrl+click: the guest needs the Ctrl first
            pointer_.button(bit, down);
            pointer_moved_ = true;
        } else if (event.type == EV_REL) {
            if (event.code == REL_X)
                pointer_.move_relative(event.value, 0);
            else if (event.code == REL_Y)
                pointer_.move_relative(0, event.value);
            else if (event.code == REL_WHEEL && event.value != 0 && !menu_) {
                // A wheel step is a press and a release of its button.
                const uint8_t wheel = event.value > 0 ? kWheelUp : kWheelDown;
                uint8_t message[8];
                pointer_.button(wheel, true);
                send(message, rfb::pointer_event(message, pointer_.buttons(),
                                                 pointer_.x_for_event(), pointer_.y_for_event()));
                pointer_.button(wheel, false);
            }
            pointer_moved_ = true;
        } else if (event.type == EV_ABS) {
            if (event.code == ABS_X)
                pointer_.move_absolute_x(event.value, device.x_min, device.x_max);
            else if (event.code == ABS_Y)
                pointer_.move_absolute_y(event.value, device.y_min, device.y_max);
            pointer_moved_ = true;
        } else if (event.type == EV_SYN && event.code == SYN_REPORT && pointer_moved_) {
            pointer_moved_ = false;
            if (menu_ || shell_) continue;
            uint8_t message[8];
            send(message, rfb::pointer_event(message, pointer_.buttons(), pointer_.x_for_event(),
                                             pointer_.y_for_event()));
        }
    }
}

void Display::control(const char* command) {
    if (options_.control < 0) return;
    (void)sys::send_message(options_.control, command, std::strlen(command));
}

void Display::open_menu() {
    menu_ = true;
    log_info("menu: %s: the host menu is open", options_.hotkey_text);
    control("menu");
    // Closing the DRM device gives the monitor back to the console, where the menu is drawn.
    screen_.close();
    char text[512];
    const size_t length = menu_text(text, sizeof text, options_.shell, options_.hotkey_text);
    if (const Status written = sys::write_file(kConsole, {text, length}); !written.ok())
        log_warning("menu: cannot write to %s: %s", kConsole, std::strerror(written.error().code));
}

void Display::close_menu() {
    menu_ = false;
    show_guest();
    request_update(false);
}

void Display::menu_key(uint16_t code) {
    const MenuAction action = menu_choice(code, options_.shell);
    if (action == MenuAction::kNone) return;
    log_info("menu: %s", menu_action_command(action));
    control(menu_action_command(action));
    if (action == MenuAction::kShell) {
        // The shell has the console and the keyboard until it exits.
        menu_ = false;
        shell_ = true;
        inputs_.set_grab(false);
        return;
    }
    close_menu();
}

bool Display::read_server() {
    static uint8_t buffer[256 * 1024];
    while (true) {
        const auto got = sys::read_some(server_, reinterpret_cast<char*>(buffer), sizeof buffer);
        if (!got.ok()) {
            if (got.error().code == EAGAIN) return true;
            if (got.error().code != ECONNRESET) {
                log_warning("vnc: read failed: %s", std::strerror(got.error().code));
                return false;
            }
        }
        if (!got.ok() || got.value() == 0) {  // a reset is QEMU exiting with our request unread
            log_info("vnc: QEMU closed the connection (the guest has ended)");
            return false;
        }
        stats_.received(got.value());
        const bool was_initialized = parser_.initialized();
        if (parser_.feed({buffer, got.value()}) != rfb::ParseResult::kOk) {
            log_error("vnc: %s", parser_.error());
            return false;
        }
        const auto reply = parser_.take_reply();
        if (!reply.empty()) send(reply.data(), reply.size());
        if (!was_initialized && parser_.initialized()) {
            uint8_t message[64];
            send(message, rfb::set_pixel_format(message));
            const int32_t encodings[] = {rfb::kEncodingRaw, rfb::kEncodingDesktopSize,
                                         rfb::kEncodingPointerTypeChange,
                                         rfb::kEncodingExtendedKeyEvent};
            send(message, rfb::set_encodings(message, encodings));
            request_update(false);
        }
    }
}

void Display::read_control() {
    char message[64];
    const auto got = sys::receive_datagram(options_.control, message, sizeof message - 1);
    if (!got.ok() || got.value() == 0) return;
    message[got.value()] = '\0';
    if (std::strcmp(message, "shell-ended") == 0 && shell_) {
        log_info("menu: the rescue shell ended; back to the guest");
        shell_ = false;
        inputs_.set_grab(options_.input);
        close_menu();
    }
}

int Display::run() {
    const uint64_t deadline = sys::monotonic_ms() + kConnectTimeoutMs;
    while (true) {
        const auto fd = sys::connect_unix(options_.socket);
        if (fd.ok()) {
            server_ = fd.value();
            break;
        }
        if (sys::monotonic_ms() >= deadline) {
            log_error("vnc: cannot connect to %s: %s", options_.socket,
                      std::strerror(fd.error().code));
            return 1;
        }
        sys::sleep_ms(100);
    }
    if (options_.input) inputs_.start(true);
    stats_.start(options_.stats_seconds, sys::monotonic_ms(), sys::process_cpu_us());
    while (true) {
        // 0 QEMU, 1 hal-init, 2 /dev/input, then the devices.
        constexpr size_t kFixed = 3;
        int fds[kFixed + sys::Inputs::kMaxDevices] = {server_, options_.control,
                                                      inputs_.watch_fd()};
        const size_t devices = inputs_.count();
        for (size_t i = 0; i < devices; ++i) fds[kFixed + i] = inputs_.device(i).fd;
        bool ready[kFixed + sys::Inputs::kMaxDevices] = {};
        const int64_t timeout = stats_.due_in(sys::monotonic_ms());
        if (timeout == 0) {
            report_stats();
            continue;
        }
        if (!sys::wait_any(fds, ready, kFixed + devices, static_cast<int>(timeout)).ok()) continue;
        if (ready[0] && !read_server()) return 0;
        if (ready[1]) read_control();
        if (ready[2]) inputs_.refresh();
        for (size_t i = devices; i-- > 0;)
            if (ready[kFixed + i] && i < inputs_.count()) handle_input(i);
    }
}

bool parse_options(int argc, char** argv, Options& options) {
    if (argc < 2) return false;
    options.socket = argv[1];
    for (int i = 2; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        if (std::strcmp(argv[i], "--control") == 0 && has_value)
            options.control = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--hotkey") == 0 && has_value)
            options.hotkey_text = argv[++i];
        else if (std::strcmp(argv[i], "--card") == 0 && has_value)
            options.card = argv[++i];
        else if (std::strcmp(argv[i], "--fbdev") == 0 && has_value)
            options.fbdev = argv[++i];
        else if (std::strcmp(argv[i], "--stats") == 0 && has_value)
            options.stats_seconds = static_cast<uint32_t>(std::atoi(argv[++i]));
        else if (std::strcmp(argv[i], "--no-input") == 0)
            options.input = false;
        else if (std::strcmp(argv[i], "--shell") == 0)
            options.shell = true;
        else
            return false;
    }
    return true;
}

}  // namespace
}  // namespace hal

int main(int argc, char** argv) {
    hal::log::set_program("hal-display");
    hal::log::use_kmsg();
    static hal::Options options;
    const bool parsed = hal::parse_options(argc, argv, options);
    const auto hotkey = hal::parse_hotkey(options.hotkey_text);
    if (!parsed || !hotkey.ok()) {
        std::fprintf(stderr,
                     "usage: hal-display VNC_SOCKET [--control FD] [--no-input] [--hotkey KEYS] "
                     "[--shell] [--card PATH] "
                     "[--fbdev PATH] [--stats SECONDS]\n");
        return 2;
    }
    static hal::Display display(options, hotkey.value());
    return display.run();
}
