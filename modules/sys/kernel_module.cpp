// finit_module(2).
#include "modules/sys/kernel_module.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/sys/fs.hpp"

namespace hal::sys {

Status load_module(const char* path) {
    const int fd = TRY(open_file(path, kReadOnly));
    const long result = ::syscall(SYS_finit_module, fd, "", 0);
    const int saved = errno;
    close_fd(fd);
    if (result != 0 && saved != EEXIST) return Error{"finit_module", saved};
    return ok_status();
}

}  // namespace hal::sys
