// Step 1 of the boot plan: the early filesystems every later step relies on.
#pragma once

#include "base/result.hpp"

namespace hal {

// proc, sysfs, devtmpfs on /dev, tmpfs on /tmp and /run, plus /run/hal. Logs each failure
// with its mount point; fails when any of them failed. Without devtmpfs in the kernel, /dev
// becomes a tmpfs and `devtmpfs` is set false (the caller then fills it from sysfs).
Status mount_early_filesystems(bool& devtmpfs);

// Replaces /dev with a tmpfs whose nodes come from sysfs (hal.devtmpfs=no, or no devtmpfs
// in the kernel); returns how many nodes were created.
unsigned use_static_dev(bool devtmpfs_mounted);

}  // namespace hal
