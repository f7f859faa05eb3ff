// The UEFI guest's variable store: a private writable copy in /run/hal for QEMU's second pflash,
// taken from a file on a host partition when uefi_vars names one (and written back there,
// atomically, only after QEMU has exited), from the packed OVMF template otherwise.
#pragma once

#include <cstdint>
#include <string_view>

#include "disks/sys/partitions.hpp"
#include "platform/settings.hpp"

namespace hal {

class UefiVariableStore {
public:
    // Finds (waiting until `deadline_ms`) the partition uefi_vars names, so the disk step can
    // keep its disk away from the guest. Empty when uefi_vars is unset or the partition is absent.
    std::string_view locate(StorageEnvironment& environment, const PlatformSettings& settings,
                            uint64_t deadline_ms);

    // Before each launch of a UEFI guest: layout::kUefiVars from the persisted file when there
    // is one, else from `template_path`. Logs whether boot entries persist. False when even the
    // template cannot be copied (the guest cannot start).
    bool prepare(StorageEnvironment& environment, const char* template_path);

    // After QEMU exited: the store goes back to the host partition (temporary file, fsync,
    // rename, directory fsync), when uefi_vars is in use.
    void save(StorageEnvironment& environment);

private:
    bool load_persisted(StorageEnvironment& environment, const char* template_path);
    Status write_back();

    bool configured_ = false;  // uefi_vars set
    bool found_ = false;       // its partition is there
    bool persist_ = false;     // copy back after QEMU exits
    FileOnDevice file_;
    FixedString<kPathCapacity> text_;  // DEVICE:/PATH as configured, for log lines
    FoundPartition partition_;
    FixedString<kPathCapacity> path_;  // the file, under the mount point while mounted
};

}  // namespace hal
