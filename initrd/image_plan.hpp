// Turns the packer's inputs into a complete file plan: config, modules, QEMU, firmware, init.
#pragma once

#include <string>
#include <vector>

#include "initrd/compressor.hpp"
#include "initrd/file_plan.hpp"

namespace hal::pack {

struct PackInputs {
    std::string kernel_version;
    std::string module_root = "/";  // holds lib/modules/KVER
    std::string modules_list;
    std::string config;
    std::string qemu;
    std::string init;
    std::string display;  // hal-display, packed unless the config says display = none
    std::vector<std::string> firmware_dirs;  // searched first, before QEMU's own data dirs
    std::string qemu_module_dir;             // empty: derived from the QEMU binary's prefix
    std::string rescue_shell;                // a static busybox for /bin/sh, or empty
    bool hostonly = false;        // only what this machine's devices need (initrd/hostonly.hpp)
    std::string hostonly_record;  // a recorded modalias list instead of this host's /sys
    std::string sysfs = "/sys";
    ModuleCompression module_compression;  // each module its own zstd frame, or plain .ko
    unsigned threads = 0;                  // for compressing the modules; 0: every CPU
    // The image is for a machine that boots with Secure Boot on (--secure-boot): firmware =
    // auto packs the Secure Boot OVMF too, and unsigned modules are worth a warning.
    bool secure_boot = false;
};

struct PlanSummary {
    size_t modules = 0;
    size_t early_modules = 0;  // loaded at boot whatever the hardware
    size_t module_firmware = 0;
    size_t libraries = 0;
    size_t firmware = 0;
    bool static_qemu = false;
    std::vector<std::string> notes;  // things worth telling the user (builtin/optional modules)
    // Firmware a packed module names that the module root lacks: (module, file).
    std::vector<std::pair<std::string, std::string>> missing_firmware;
    std::string firmware_root;
    std::vector<std::pair<std::string, std::string>> packed_firmware;  // (module, file)
    std::vector<std::pair<std::string, std::string>> hostonly;  // (module, why) with --hostonly
    std::vector<std::string> unsigned_modules;  // names of packed modules with no signature
};

CheckedStatus plan_image(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary);

}  // namespace hal::pack
