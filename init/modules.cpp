// Loading of modules.load: one finit_module per line, in the packer's dependency order.
#include "init/modules.hpp"

#include <cstdio>
#include <cstring>

#include "common/image_layout.hpp"
#include "common/modules_dep.hpp"
#include "common/text.hpp"
#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {
namespace {

constexpr size_t kModulesLoadCapacity = 64 * 1024;
char g_modules_load[kModulesLoadCapacity];

}  // namespace

ModuleLoadSummary load_listed_modules(const char* kernel_release) {
    ModuleLoadSummary summary;
    const uint64_t started = sys::monotonic_ms();
    FixedString<kPathCapacity> directory;
    FixedString<kPathCapacity> list_path;
    if (!directory.assign(layout::kModulesDir) || !directory.append('/') || !directory.append(kernel_release) ||
        !list_path.assign(directory.view()) || !list_path.append('/') || !list_path.append(layout::kModulesLoad)) {
        log_error("modules: module directory name for kernel %s is too long", kernel_release);
        return summary;
    }
    const auto size = sys::read_file(list_path.c_str(), g_modules_load, sizeof g_modules_load);
    if (!size.ok()) {
        log_warning("modules: cannot read %s: %s; no modules loaded", list_path.c_str(),
                    std::strerror(size.error().code));
        return summary;
    }
    LineReader reader(std::string_view(g_modules_load, size.value()));
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        ++summary.listed;
        FixedString<kPathCapacity> module_path;
        ModuleName name;
        if (!module_path.assign(directory.view()) || !module_path.append('/') || !module_path.append(line) ||
            !module_name_from_path(line, name)) {
            log_error("modules: %s line %u: not a module path: %.*s", list_path.c_str(), reader.number(),
                      static_cast<int>(line.size()), line.data());
            ++summary.failed;
            continue;
        }
        const uint64_t before = sys::monotonic_ms();
        const Status loaded = sys::load_module(module_path.c_str());
        if (loaded.ok()) {
            ++summary.loaded;
            log_debug("modules: %s loaded in %llu ms", name.c_str(),
                      static_cast<unsigned long long>(sys::monotonic_ms() - before));
        } else {
            ++summary.failed;
            log_warning("modules: %s: %s failed: %s (errno %d)", name.c_str(), loaded.error().operation,
                        std::strerror(loaded.error().code), loaded.error().code);
        }
    }
    summary.elapsed_ms = sys::monotonic_ms() - started;
    return summary;
}

}  // namespace hal
