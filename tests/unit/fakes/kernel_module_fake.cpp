// Fake finit_module and init_module: the module file was opened (and a .ko.zst inflated) for
// real by modules/sys/module_file.cpp; the load is recorded, or fails as module_failures()
// says. Bytes handed over in memory must be an ELF file.
#include <cstring>

#include "modules/sys/kernel_module.hpp"
#include "tests/unit/fakes/fakes.hpp"

namespace hal::sys {
namespace {

Status fake_load(const std::string& text, const char* operation) {
    fake::wait_if_held(text);
    for (const auto& [suffix, code] : fake::module_failures())
        if (text.size() >= suffix.size() &&
            text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
            fake::record("load_module failed " + text);
            return Error{operation, code};
        }
    fake::record("load_module " + text);
    return ok_status();
}

}  // namespace

Status load_module_file(int /*fd*/, const char* path) { return fake_load(path, "finit_module"); }

Status load_module_image(const void* image, size_t size, const char* path) {
    if (size < 4 || std::memcmp(image,
                                "\x7f"
                                "ELF",
                                4) != 0) {
        fake::record(std::string("load_module not an ELF ") + path);
        return Error{"init_module", ENOEXEC};
    }
    return fake_load(std::string(path) + " (" + std::to_string(size) + " bytes inflated)",
                     "init_module");
}

}  // namespace hal::sys
