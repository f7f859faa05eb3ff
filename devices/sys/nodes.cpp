// Static device node creation from sysfs and uevents: the fallback when devtmpfs is missing.
#include "devices/sys/nodes.hpp"

#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/text.hpp"

namespace hal {
namespace {

// Nodes everyone may use; anything else is root-only (only root runs in the image).
constexpr std::string_view kWorldNodes[] = {"null", "zero", "full",    "random", "urandom",
                                            "tty",  "ptmx", "net/tun", "kvm"};

unsigned node_mode(std::string_view name) {
    for (std::string_view world : kWorldNodes)
        if (name == world) return 0666;
    return 0600;
}

bool parse_device_numbers(std::string_view text, unsigned& major, unsigned& minor) {
    text = trim(text);
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    const auto parsed_major = parse_unsigned(text.substr(0, colon));
    const auto parsed_minor = parse_unsigned(text.substr(colon + 1));
    if (!parsed_major || !parsed_minor || *parsed_major > 4095 || *parsed_minor > 1048575)
        return false;
    major = static_cast<unsigned>(*parsed_major);
    minor = static_cast<unsigned>(*parsed_minor);
    return true;
}

// Creates /dev/NAME (and its directories, for names like net/tun).
bool make_node(std::string_view name, bool block, unsigned major, unsigned minor) {
    if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/')
        return false;
    FixedString<kPathCapacity> path;
    if (!path.assign("/dev/")) return false;
    for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '/') (void)sys::make_directory(path.c_str(), 0755);
        if (!path.append(name[i])) return false;
    }
    const Status made =
        sys::make_char_or_block_node(path.c_str(), block, major, minor, node_mode(name));
    if (!made.ok()) {
        log_warning("devices: mknod %s failed: %s", path.c_str(), std::strerror(made.error().code));
        return false;
    }
    return true;
}

// The DEVNAME= line of a sysfs uevent file, falling back to the directory's own name.
std::string_view device_name(std::string_view uevent, std::string_view fallback) {
    LineReader reader(uevent);
    std::string_view line;
    while (reader.next(line))
        if (starts_with(line, "DEVNAME=")) return line.substr(8);
    return fallback;
}

}  // namespace

void create_standard_links() {
    (void)sys::make_symlink("/proc/self/fd", "/dev/fd");
    (void)sys::make_symlink("/proc/self/fd/0", "/dev/stdin");
    (void)sys::make_symlink("/proc/self/fd/1", "/dev/stdout");
    (void)sys::make_symlink("/proc/self/fd/2", "/dev/stderr");
}

unsigned create_nodes_from_sysfs() {
    unsigned created = 0;
    (void)sys::for_each_entry("/sys/class", [&](const char* device_class) {
        FixedString<kPathCapacity> class_dir;
        if (!class_dir.assign("/sys/class/") || !class_dir.append(device_class)) return;
        const bool block = std::strcmp(device_class, "block") == 0;
        (void)sys::for_each_entry(class_dir.c_str(), [&](const char* device) {
            FixedString<kPathCapacity> base;
            if (!base.assign(class_dir.view()) || !base.append('/') || !base.append(device)) return;
            char numbers[32];
            char uevent[1024];
            FixedString<kPathCapacity> path;
            if (!path.assign(base.view()) || !path.append("/dev")) return;
            const auto numbers_size = sys::read_file(path.c_str(), numbers, sizeof numbers);
            unsigned major = 0, minor = 0;
            if (!numbers_size.ok() ||
                !parse_device_numbers({numbers, numbers_size.value()}, major, minor))
                return;
            if (!path.assign(base.view()) || !path.append("/uevent")) return;
            const auto uevent_size = sys::read_file(path.c_str(), uevent, sizeof uevent);
            const std::string_view name = device_name(
                uevent_size.ok() ? std::string_view(uevent, uevent_size.value()) : "", device);
            if (make_node(name, block, major, minor)) ++created;
        });
    });
    return created;
}

void create_node_for_uevent(const Uevent& event) {
    if (event.devname.empty() || event.major.empty() || event.minor.empty()) return;
    const auto major = parse_unsigned(event.major);
    const auto minor = parse_unsigned(event.minor);
    if (!major || !minor || *major > 4095 || *minor > 1048575) return;
    if (make_node(event.devname, event.subsystem == "block", static_cast<unsigned>(*major),
                  static_cast<unsigned>(*minor)))
        log_debug("devices: created /dev/%.*s", static_cast<int>(event.devname.size()),
                  event.devname.data());
}

}  // namespace hal
