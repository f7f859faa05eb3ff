// finit_module(2) and init_module(2).
#include "modules/sys/kernel_module.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace hal::sys {
namespace {

Status loaded(long result, const char* operation) {
    if (result != 0 && errno != EEXIST) return error_from_errno(operation);
    return ok_status();
}

}  // namespace

Status load_module_file(int fd, const char* /*path*/) {
    return loaded(::syscall(SYS_finit_module, fd, "", 0), "finit_module");
}

Status load_module_image(const void* image, size_t size, const char* /*path*/) {
    return loaded(::syscall(SYS_init_module, image, size, ""), "init_module");
}

}  // namespace hal::sys
