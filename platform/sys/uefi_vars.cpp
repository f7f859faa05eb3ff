// Copy-in and atomic write-back of the UEFI variable store on a host partition.
#include "platform/sys/uefi_vars.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "disks/filesystem_probe.hpp"
#include "net/sys/nics.hpp"
#include "disks/sys/discovery.hpp"
#include "base/log.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/mount.hpp"
#include "base/sys/power.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {

constexpr const char* kVarsMount = "/run/hal/mnt/uefi-vars";

struct VarsState {
    bool configured = false;  // uefi_vars set and valid
    bool found = false;       // its partition is there
    bool persist = false;     // copy back after QEMU exits
    FileOnDevice file;
    FoundPartition partition;
    FixedString<kPathCapacity> path;  // the file, under kVarsMount while mounted
};
VarsState g_vars;

bool mount_vars(bool read_only, int& error_code) {
    return mount_partition(g_vars.partition, kVarsMount, read_only, error_code);
}

void unmount_vars() {
    sys::sync_disks();
    if (const Status done = sys::unmount(kVarsMount); !done.ok())
        log_warning("uefi_vars: unmounting %s: %s", kVarsMount, std::strerror(done.error().code));
}

}  // namespace

std::string_view locate_uefi_vars_disk(const Config& config, uint64_t deadline_ms) {
    if (config.uefi_vars.empty() || !parse_file_on_device(config.uefi_vars.view(), g_vars.file)) return {};
    g_vars.configured = true;
    const uint64_t now = sys::monotonic_ms();
    const auto waited = wait_for(deadline_ms > now ? deadline_ms - now : 0,
                                 [&] { return find_partition(g_vars.file.device, g_vars.partition); });
    if (!waited) {
        const std::string_view device = config.uefi_vars.view().substr(0, config.uefi_vars.view().find(":/"));
        log_warning("uefi_vars: no partition %.*s appeared; boot entries will not persist",
                    static_cast<int>(device.size()), device.data());
        return {};
    }
    g_vars.found = true;
    return g_vars.partition.disk.view();
}

bool prepare_uefi_vars(const Config& config, const char* template_path) {
    g_vars.persist = false;
    if (g_vars.found) {
        // Mounted read-write to see whether the file can go back there at all, then unmounted
        // while the guest runs: a power cut meanwhile leaves the partition clean.
        int error_code = 0;
        if (!mount_vars(false, error_code)) {
            log_warning("uefi_vars: cannot mount %s (%s) read-write: %s; boot entries will not persist",
                        g_vars.partition.device.c_str(), g_vars.partition.filesystem.type, std::strerror(error_code));
        } else {
            g_vars.path.assign(kVarsMount);
            g_vars.path.append(g_vars.file.path);
            const bool existing = sys::path_exists(g_vars.path.c_str());
            const Status copied = sys::copy_file(existing ? g_vars.path.c_str() : template_path, layout::kUefiVars);
            unmount_vars();
            if (!copied.ok()) {
                log_warning("uefi_vars: cannot read %s: %s; boot entries will not persist", config.uefi_vars.c_str(),
                            std::strerror(copied.error().code));
            } else {
                g_vars.persist = true;
                log_info("uefi_vars: %s %s; boot entries persist", config.uefi_vars.c_str(),
                         existing ? "loaded" : "does not exist yet: starting from the empty store, saved after the guest");
                return true;
            }
        }
    } else if (!g_vars.configured) {
        log_info("uefi_vars: not set: a fresh variable store; boot entries will not persist (the guest boots "
                 "\\EFI\\BOOT\\BOOTX64.EFI)");
    }
    const Status copied = sys::copy_file(template_path, layout::kUefiVars);
    if (!copied.ok()) {
        log_error("uefi_vars: cannot copy %s to %s: %s", template_path, layout::kUefiVars,
                  std::strerror(copied.error().code));
        return false;
    }
    return true;
}

void save_uefi_vars() {
    if (!g_vars.persist) return;
    g_vars.persist = false;
    int error_code = 0;
    if (!mount_vars(false, error_code)) {
        log_error("uefi_vars: cannot mount %s to save the variables: %s", g_vars.partition.device.c_str(),
                  std::strerror(error_code));
        return;
    }
    FixedString<kPathCapacity> temporary;
    temporary.assign(g_vars.path.view());
    temporary.append(".tmp");
    const size_t slash = g_vars.path.view().rfind('/');
    FixedString<kPathCapacity> directory;
    directory.assign(g_vars.path.view().substr(0, slash));
    Status status = sys::make_directories(directory.c_str(), 0755);
    if (status.ok()) status = sys::copy_file(layout::kUefiVars, temporary.c_str());
    if (status.ok()) status = sys::replace_file(temporary.c_str(), g_vars.path.c_str());
    if (!status.ok()) {
        (void)sys::remove_file(temporary.c_str());
        log_error("uefi_vars: saving %s failed (%s: %s); the previous copy is kept", g_vars.path.c_str(),
                  status.error().operation, std::strerror(status.error().code));
    } else {
        log_info("uefi_vars: saved to %.*s on %s", static_cast<int>(g_vars.file.path.size()), g_vars.file.path.data(),
                 g_vars.partition.device.c_str());
    }
    unmount_vars();
}

}  // namespace hal
