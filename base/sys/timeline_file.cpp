// Written to a temporary file and renamed, so a reader never sees half of it.
#include "base/sys/timeline_file.hpp"

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/timeline.hpp"

namespace hal::sys {
namespace {

Status write_new(const char* temporary, const char* data, size_t size) {
    const int fd = TRY(open_file(temporary, kCreateTruncate));
    const Status written = write_all(fd, data, size);
    close_fd(fd);
    if (!written.ok()) return written;
    return replace_file(temporary, layout::kBootTimeline);
}

}  // namespace

void publish_boot_timeline(const char* moment) {
    static char json[48 * 1024];
    static char line[880];  // a log record holds about 1 KiB with its prefix
    const Timeline& timeline = boot_timeline();
    const size_t size = timeline.render_json(json, sizeof json - 1);
    if (size > 0) {
        json[size] = '\n';
        const char* temporary = "/run/hal/boot.json.tmp";
        const Status replaced = write_new(temporary, json, size + 1);
        if (!replaced.ok())
            log_warning("boot: cannot write %s: %s", layout::kBootTimeline,
                        replaced.error().operation);
    }
    if (timeline.render_line(line, sizeof line) > 0)
        log_debug("boot: timeline %s (ms since hal-init started): %s", moment, line);
}

}  // namespace hal::sys
