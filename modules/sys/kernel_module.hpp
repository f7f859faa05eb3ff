// Loading one module into the kernel: the only system calls of the modules capability, in a
// file of their own so unit tests link a fake in their place. `path` names the module for
// the fake's record; the kernel is given the descriptor or the bytes.
#pragma once

#include <cstddef>

#include "base/result.hpp"

namespace hal::sys {

// finit_module(2) on the open module file; EEXIST (already loaded) counts as success.
Status load_module_file(int fd, const char* path);
// init_module(2) on a module's ELF bytes in memory; EEXIST counts as success.
Status load_module_image(const void* image, size_t size, const char* path);

}  // namespace hal::sys
