// Step 3 of the boot plan: load the packer's ordered module list with finit_module.
#pragma once

#include <cstdint>

namespace hal {

struct ModuleLoadSummary {
    uint32_t listed = 0;
    uint32_t loaded = 0;   // including modules that were already present
    uint32_t failed = 0;
    uint64_t elapsed_ms = 0;
};

// Reads /lib/modules/KVER/modules.load and loads each module in order. A failure is logged
// with the module and errno and the next module is tried: one broken driver must not stop
// the machine from booting its guest.
ModuleLoadSummary load_listed_modules(const char* kernel_release);

}  // namespace hal
