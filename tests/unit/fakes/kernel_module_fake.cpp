// Fake finit_module: the module file must exist below the fixture root (the real loader opens
// it); the load is recorded, or fails as module_failures() says.
#include "modules/sys/kernel_module.hpp"

#include "base/sys/fs.hpp"
#include "tests/unit/fakes/fakes.hpp"

namespace hal::sys {

Status load_module(const char* path) {
    const int fd = TRY(open_file(path, kReadOnly));
    close_fd(fd);
    const std::string text(path);
    fake::wait_if_held(text);
    for (const auto& [suffix, code] : fake::module_failures())
        if (text.size() >= suffix.size() &&
            text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
            fake::record("load_module failed " + text);
            return Error{"finit_module", code};
        }
    fake::record("load_module " + text);
    return ok_status();
}

}  // namespace hal::sys
