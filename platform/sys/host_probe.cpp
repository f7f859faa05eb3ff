// Host facts from /dev/kvm, /proc/cpuinfo, /proc/meminfo, /sys CPU lists, the device tree and
// /dev/tpm0.
#include "platform/sys/host_probe.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "platform/host_text.hpp"

namespace hal {
namespace {

// Only the first CPU's block of /proc/cpuinfo matters; 16 KiB holds it on any machine.
constexpr size_t kCpuinfoPrefix = 16 * 1024;
char g_text[kCpuinfoPrefix];
// Device trees of real boards are tens of KiB; this leaves room for large SoCs' overlays.
constexpr size_t kDeviceTreeCapacity = 1024 * 1024;
constexpr const char* kDeviceTreePath = "/sys/firmware/fdt";

uint32_t online_cpus() {
    char list[256];
    const auto size = sys::read_file("/sys/devices/system/cpu/online", list, sizeof list);
    return size.ok() ? cpu_list_count({list, size.value()}).value_or(1) : 1;
}

}  // namespace

CpuIdentity read_cpu_identity() {
    CpuIdentity identity;
    if (auto size = sys::read_file_prefix("/proc/cpuinfo", g_text, sizeof g_text); size.ok()) {
        const std::string_view cpuinfo(g_text, size.value());
        identity.vendor.assign(
            cpuinfo_vendor(cpuinfo).substr(0, decltype(identity.vendor)::kCapacity - 1));
        identity.virtualization = cpuinfo_has_virtualization(cpuinfo);
    }
    return identity;
}

const BoardIdentity& board_identity() {
    static BoardIdentity board;
    static bool read = false;
    if (read) return board;
    read = true;
    static char blob[kDeviceTreeCapacity];
    const auto size = sys::read_file(kDeviceTreePath, blob, sizeof blob);
    if (!size.ok()) {
        if (size.error().code == ENOENT)
            log_debug("platform: no device tree (%s absent)", kDeviceTreePath);
        else
            log_warning("platform: cannot read %s: %s", kDeviceTreePath,
                        std::strerror(size.error().code));
        return board;
    }
    switch (hal::board_identity(blob, size.value(), board)) {
        case BoardResult::kFound:
            log_info("platform: device tree board \"%s\" (compatible \"%s\")", board.model.c_str(),
                     board.compatible.c_str());
            break;
        case BoardResult::kInvalidTree:
            log_warning("platform: %s (%zu bytes) is not a valid device tree; board unknown",
                        kDeviceTreePath, size.value());
            break;
        case BoardResult::kTextTooLong:
            log_warning("platform: %s names a board longer than %zu characters; board unknown",
                        kDeviceTreePath, kBoardTextCapacity - 1);
            break;
    }
    return board;
}

namespace {

// /dev/tpm0 and what sysfs says of it: its TPM version and driver (the guest's front end),
// and whether the driver has a cancel file (QEMU's passthrough writes to it).
void probe_tpm(TpmFacts& tpm) {
    constexpr std::string_view kTpmClass = "/sys/class/tpm/tpm0";
    tpm = {};
    tpm.present = sys::path_exists("/dev/tpm0");
    if (!tpm.present) return;
    tpm.version_major =
        static_cast<uint32_t>(sys::read_number_attribute(kTpmClass, "tpm_version_major", 0));
    char target[256];
    tpm.driver.assign(sys::bound_driver(kTpmClass, target, sizeof target, ""));
    tpm.cancel = sys::attribute_exists(kTpmClass, "device/cancel");
    // QEMU opens it exclusively; a TPM already open elsewhere would stop QEMU at its start.
    if (auto fd = sys::open_file("/dev/tpm0", sys::kReadWrite); fd.ok()) {
        sys::close_fd(fd.value());
    } else {
        tpm.open_error = fd.error().code;
        log_warning("tpm: /dev/tpm0 does not open: %s", std::strerror(tpm.open_error));
    }
}

}  // namespace

void probe_host(PlatformFacts& facts) {
    if (auto kvm = sys::open_file("/dev/kvm", sys::kReadWrite); kvm.ok()) {
        facts.kvm_device = true;
        sys::close_fd(kvm.value());
    }
    facts.cpu_virtualization = read_cpu_identity().virtualization;
    if (auto size = sys::read_file_prefix("/proc/meminfo", g_text, sizeof g_text); size.ok())
        facts.memory_total_kib = meminfo_total_kib({g_text, size.value()}).value_or(0);
    facts.cpus = online_cpus();
    facts.board = board_identity();
    facts.ovmf = sys::path_exists(layout::kOvmfCode) && sys::path_exists(layout::kOvmfVars);
    facts.ovmf_secure =
        sys::path_exists(layout::kOvmfSecureCode) && sys::path_exists(layout::kOvmfSecureVars);
    probe_tpm(facts.tpm);
}

}  // namespace hal
