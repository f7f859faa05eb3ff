// Step 1 of the boot plan: the early filesystems every later step relies on.
#pragma once

#include "common/result.hpp"

namespace hal {

// proc, sysfs, devtmpfs on /dev, tmpfs on /tmp and /run, plus /run/hal. Logs each failure
// with its mount point; fails when any of them failed.
Status mount_early_filesystems();

}  // namespace hal
