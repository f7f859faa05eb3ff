// Copy-in and atomic write-back of the UEFI variable store on a host partition.
#include "platform/sys/uefi_vars.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "base/sys/power.hpp"

namespace hal {
namespace {

constexpr const char* kVarsMount = "/run/hal/mnt/uefi-vars";

void unmount_vars() {
    sys::sync_disks();
    if (const Status done = sys::unmount(kVarsMount); !done.ok())
        log_warning("uefi_vars: unmounting %s: %s", kVarsMount, std::strerror(done.error().code));
}

// "LABEL=HALDATA:/hal/vars.fd" as the config wrote it.
void describe(const FileOnDevice& file, FixedString<kPathCapacity>& text) {
    static constexpr const char* kPrefixes[] = {"", "LABEL=", "UUID=", "PARTLABEL="};
    text.assign(kPrefixes[static_cast<int>(file.device.kind)]);
    text.append(file.device.value.view());
    text.append(':');
    text.append(file.path.view());
}

}  // namespace

std::string_view UefiVariableStore::locate(StorageEnvironment& environment,
                                           const PlatformSettings& settings, uint64_t deadline_ms) {
    if (!settings.keep_uefi_vars) return {};
    configured_ = true;
    file_ = settings.uefi_vars;
    describe(file_, text_);
    const uint64_t now = environment.now_ms();
    const auto waited = wait_for(environment, deadline_ms > now ? deadline_ms - now : 0,
                                 [&] { return find_partition(file_.device, partition_); });
    if (!waited) {
        const std::string_view device = text_.view().substr(0, text_.view().find(":/"));
        log_warning("uefi_vars: no partition %.*s appeared; boot entries will not persist",
                    static_cast<int>(device.size()), device.data());
        return {};
    }
    found_ = true;
    return partition_.disk.view();
}

// Mounted read-write to see whether the file can go back there at all, then unmounted while
// the guest runs: a power cut meanwhile leaves the partition clean.
bool UefiVariableStore::load_persisted(StorageEnvironment& environment, const char* template_path) {
    if (const Status mounted = mount_partition(environment, partition_, kVarsMount, false);
        !mounted.ok()) {
        log_warning("uefi_vars: cannot mount %s (%s) read-write: %s; boot entries will not persist",
                    partition_.device.c_str(), partition_.filesystem.type,
                    std::strerror(mounted.error().code));
        return false;
    }
    path_.assign(kVarsMount);
    path_.append(file_.path.view());
    const bool existing = sys::path_exists(path_.c_str());
    const Status copied =
        sys::copy_file(existing ? path_.c_str() : template_path, layout::kUefiVars);
    unmount_vars();
    if (!copied.ok()) {
        log_warning("uefi_vars: cannot read %s: %s; boot entries will not persist", text_.c_str(),
                    std::strerror(copied.error().code));
        return false;
    }
    persist_ = true;
    log_info("uefi_vars: %s %s; boot entries persist", text_.c_str(),
             existing ? "loaded"
                      : "does not exist yet: starting from the empty store, saved after the guest");
    return true;
}

bool UefiVariableStore::prepare(StorageEnvironment& environment, const char* template_path) {
    persist_ = false;
    if (found_ && load_persisted(environment, template_path)) return true;
    if (!configured_)
        log_info(
            "uefi_vars: not set: a fresh variable store; boot entries will not persist (the guest "
            "boots "
            "\\EFI\\BOOT\\BOOTX64.EFI)");
    const Status copied = sys::copy_file(template_path, layout::kUefiVars);
    if (!copied.ok()) {
        log_error("uefi_vars: cannot copy %s to %s: %s", template_path, layout::kUefiVars,
                  std::strerror(copied.error().code));
        return false;
    }
    return true;
}

Status UefiVariableStore::write_back() {
    FixedString<kPathCapacity> temporary, directory;
    temporary.assign(path_.view());
    temporary.append(".tmp");
    directory.assign(path_.view().substr(0, path_.view().rfind('/')));
    Status status = sys::make_directories(directory.c_str(), 0755);
    if (status.ok()) status = sys::copy_file(layout::kUefiVars, temporary.c_str());
    if (status.ok()) status = sys::replace_file(temporary.c_str(), path_.c_str());
    if (!status.ok()) (void)sys::remove_file(temporary.c_str());
    return status;
}

void UefiVariableStore::save(StorageEnvironment& environment) {
    if (!persist_) return;
    persist_ = false;
    if (const Status mounted = mount_partition(environment, partition_, kVarsMount, false);
        !mounted.ok()) {
        log_error("uefi_vars: cannot mount %s to save the variables: %s", partition_.device.c_str(),
                  std::strerror(mounted.error().code));
        return;
    }
    const Status status = write_back();
    if (!status.ok())
        log_error("uefi_vars: saving %s failed (%s: %s); the previous copy is kept", path_.c_str(),
                  status.error().operation, std::strerror(status.error().code));
    else
        log_info("uefi_vars: saved to %s on %s", file_.path.c_str(), partition_.device.c_str());
    unmount_vars();
}

}  // namespace hal
