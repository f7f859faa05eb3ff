// Loading one module into the kernel: the only system call of the modules capability,
// in a file of its own so unit tests link a fake in its place.
#pragma once

#include "base/result.hpp"

namespace hal::sys {

// finit_module(2) on the file at `path`; EEXIST (already loaded) counts as success.
Status load_module(const char* path);

}  // namespace hal::sys
