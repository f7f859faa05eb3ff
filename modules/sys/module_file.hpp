// One module file from the image into the kernel: a plain .ko through finit_module(2), a
// .ko.zst inflated in memory (modules/compressed_module.hpp) and given to init_module(2).
#pragma once

#include "base/result.hpp"

namespace hal::sys {

// EEXIST (already loaded) counts as success. A damaged .ko.zst fails with the zstd step's
// error (EBADMSG, EFBIG), nothing is passed to the kernel.
Status load_module(const char* path);

}  // namespace hal::sys
