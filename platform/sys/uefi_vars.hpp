// The UEFI guest's variable store: a private writable copy in /run/hal for QEMU's second pflash,
// taken from a file on a host partition when uefi_vars names one (and written back there,
// atomically, only after QEMU has exited), from the packed OVMF template otherwise.
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace hal {

// Finds (waiting until `deadline_ms`) the partition uefi_vars names, so the disk step can
// keep its disk away from the guest. Empty when uefi_vars is unset or the partition is absent.
std::string_view locate_uefi_vars_disk(const Config& config, uint64_t deadline_ms);

// Before each launch of a UEFI guest: layout::kUefiVars from the persisted file when there is
// one, else from `template_path`. Logs whether boot entries persist. False when even the
// template cannot be copied (the guest cannot start).
bool prepare_uefi_vars(const Config& config, const char* template_path);

// After QEMU exited: the store goes back to the host partition (temporary file, fsync,
// rename, directory fsync), when uefi_vars is in use.
void save_uefi_vars();

}  // namespace hal
