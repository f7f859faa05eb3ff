// The monitor from sysfs: /sys/class/drm connectors, else /sys/class/graphics framebuffers.
#include "display/sys/monitor.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"

namespace hal {
namespace {

// A connected DRM connector (cardN-NAME; cardN itself and renderD* are not) with a mode.
bool probe_connectors(MonitorFacts& facts) {
    bool found = false;
    (void)sys::for_each_entry("/sys/class/drm", [&](const char* name) {
        if (found || !starts_with(name, "card") || std::strchr(name, '-') == nullptr) return;
        char directory[96], buffer[256];
        std::snprintf(directory, sizeof directory, "/sys/class/drm/%s", name);
        const auto status = sys::read_attribute(directory, "status", buffer, sizeof buffer);
        if (!status.ok() || !connector_connected(status.value())) return;
        static char modes[4096];
        const auto list = sys::read_attribute(directory, "modes", modes, sizeof modes);
        const auto mode = list.ok() ? preferred_mode(list.value()) : std::nullopt;
        if (!mode) return;
        found = facts.present = true;
        facts.mode = *mode;
        log_info("display: monitor on %s, native mode %ux%u; the guest's screen goes there", name,
                 mode->width, mode->height);
    });
    return found;
}

// A host whose display has no DRM driver (a GPU the image has no driver for, Debian's kernel
// having no simpledrm) still has the firmware's framebuffer: efifb, vesafb.
bool probe_framebuffers(MonitorFacts& facts) {
    bool found = false;
    (void)sys::for_each_entry("/sys/class/graphics", [&](const char* name) {
        if (found || !starts_with(name, "fb")) return;
        char directory[96], buffer[64], size_text[64];
        std::snprintf(directory, sizeof directory, "/sys/class/graphics/%s", name);
        const auto driver = sys::read_attribute(directory, "name", buffer, sizeof buffer);
        if (!driver.ok() || framebuffer_of_drm(driver.value())) return;
        const uint64_t bits = sys::read_number_attribute(directory, "bits_per_pixel", 0);
        const auto size_attribute =
            sys::read_attribute(directory, "virtual_size", size_text, sizeof size_text);
        const auto size =
            size_attribute.ok() ? framebuffer_size(size_attribute.value()) : std::nullopt;
        if (!size || bits == 0) return;
        const int driver_size = static_cast<int>(driver.value().size());
        if (bits != 32) {
            log_warning(
                "display: framebuffer %s (%.*s) is %llu bits a pixel; hal-display draws 32 "
                "(XRGB8888)",
                name, driver_size, driver.value().data(), static_cast<unsigned long long>(bits));
            return;
        }
        found = facts.present = true;
        facts.mode = *size;
        facts.framebuffer.assign("/dev/");
        facts.framebuffer.append(name);
        log_info(
            "display: no DRM monitor; framebuffer %s (%.*s) %ux%u; the guest's screen goes there",
            name, driver_size, driver.value().data(), size->width, size->height);
    });
    return found;
}

}  // namespace

MonitorFacts probe_monitor(const DisplaySettings& settings) {
    MonitorFacts facts;
    if (settings.mode == DisplayMode::kNone) {
        log_info("display: none (display = none): the guest has no screen");
        return facts;
    }
    if (!sys::path_exists(layout::kDisplay)) {
        log_warning("display: %s is not in this image; the guest has no screen", layout::kDisplay);
        return facts;
    }
    if (!probe_connectors(facts) && !probe_framebuffers(facts))
        log_info(
            "display: no connected monitor (no DRM connector, no framebuffer); the guest runs "
            "headless");
    return facts;
}

}  // namespace hal
