// mkinitrd-hal --list and --verify: what an image holds, and whether it can work.
#pragma once

#include <cstdio>
#include <string>

#include "base/problem.hpp"

namespace hal::pack {

// Every file, largest first per archive (the early one first), then the totals per top-level
// directory and overall, as lsinitrd -s does. The problem says why the image cannot be read.
CheckedStatus list_image(const std::string& path, std::FILE* out);

// Unpacks the image into a temporary directory and checks it: every ELF's interpreter and
// libraries are inside, /init is static, modules.dep matches the packed modules, the config
// parses, and QEMU answers --version in a chroot of the tree (when running as root). Writes one
// line per problem ("warning:" for firmware a module names that is not inside, which is only
// a problem on machines with that device); returns the number of errors, or why the image
// cannot be read at all.
// `secure_boot`: the image is for a machine that boots with Secure Boot on (unsigned modules
// are warned of).
Checked<int> verify_image(const std::string& path, std::FILE* out, bool secure_boot = false);

}  // namespace hal::pack
