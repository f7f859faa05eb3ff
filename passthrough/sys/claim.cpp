// The passthrough plan carried out through sysfs, with its log lines.
#include "passthrough/sys/claim.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/setting_text.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "passthrough/sys/pci.hpp"

namespace hal {
namespace {

PciFunction g_functions[kMaxPciFunctions];  // 16 KiB: kept off PID 1's stack

using namespace std::string_view_literals;
// Why a function goes to the guest, in PassReason's order.
constexpr std::string_view kReasons =
    "named\0of a kind named\0in the same IOMMU group\0passthrough = auto"sv;

// vfio-pci's own alias for the function (its modalias with vfio_ in front).
void set_vfio_alias(const PciAddress& address, FixedString<112>& alias) {
    char modalias[96];
    if (!alias.assign("vfio_") || !alias.append(read_modalias(address, modalias, sizeof modalias)))
        alias.assign("vfio_pci:v");
}

constexpr uint32_t kStorageClass = 0x01;  // PCI base class: mass storage controller

}  // namespace

PassthroughClaim reserve_passthrough(const PassthroughSettings& settings, bool host_keeps_nics) {
    PassthroughClaim claim;
    if (!settings.any()) return claim;
    const size_t count = read_pci_functions(g_functions);
    const bool iommu = iommu_active();
    const PassthroughPlan plan =
        plan_passthrough(settings, {g_functions, count}, iommu, iommu ? "" : missing_iommu_reason(),
                         host_keeps_nics);
    for (size_t i = 0; i < plan.note_count; ++i)
        log_warning("passthrough: %s", plan.notes[i].c_str());
    for (size_t i = 0; i < plan.count; ++i) {
        const PciFunction& function = g_functions[plan.passed[i].index];
        char address[16];
        format_pci_address(function.address, address);
        if (function.class_code >> 16 == kStorageClass) {
            log_info(
                "passthrough: %s (%04x:%04x, %s): its driver reads its disks first; handed "
                "over after the disk search",
                address, function.vendor, function.device, class_label(function.class_code));
            claim.reserved[claim.count++] = {function, plan.passed[i].reason, true};
            continue;
        }
        if (const Status reserved = reserve_for_vfio(function.address); !reserved.ok()) {
            log_warning(
                "passthrough: %s: cannot reserve it for vfio-pci (%s: %s): the host "
                "keeps it",
                address, reserved.error().operation, std::strerror(reserved.error().code));
            continue;
        }
        claim.reserved[claim.count++] = {function, plan.passed[i].reason};
    }
    if (claim.count > 0) set_vfio_alias(claim.reserved[0].function.address, claim.vfio_alias);
    return claim;
}

namespace {

// Binds one reserved function and logs it; false only when its failure is fatal.
bool bind_one(const ReservedFunction& reserved, const char* driver_before, PassedDevices& devices,
              FixedString<192>& fatal) {
    const PciFunction& function = reserved.function;
    char address[16];
    format_pci_address(function.address, address);
    if (!bind_to_vfio(function.address)) {
        char line[192];
        std::snprintf(line, sizeof line, "passthrough: %s (%04x:%04x) did not bind to vfio-pci",
                      address, function.vendor, function.device);
        if (reserved.reason == PassReason::kNamed) {
            fatal.assign(line);
            return false;
        }
        log_warning("%s: the guest starts without it", line);
        return true;
    }
    FixedString<32> reset;
    read_reset_method(function.address, reset);
    log_info(
        "passthrough: %s (%04x:%04x, %s, %s) to the guest: IOMMU group %d, driver "
        "before %s, reset method %s",
        address, function.vendor, function.device, class_label(function.class_code),
        enum_name(reserved.reason, kReasons), function.iommu_group, driver_before, reset.c_str());
    devices.devices[devices.count++] = {function.address, function.pcie};
    if (reset.view() == "none" && !devices.needs_machine_reset)
        log_info(
            "passthrough: a device without a reset method goes to the guest: a guest reboot "
            "or a restart of QEMU reboots the machine instead, which resets it");
    devices.needs_machine_reset = devices.needs_machine_reset || reset.view() == "none";
    return true;
}

}  // namespace

bool bind_passthrough(const PassthroughClaim& claim, PassedDevices& devices,
                      FixedString<192>& fatal) {
    devices.count = 0;
    for (size_t i = 0; i < claim.count; ++i) {
        const ReservedFunction& reserved = claim.reserved[i];
        if (reserved.deferred) continue;
        const char* before =
            reserved.function.driver.empty() ? "none" : reserved.function.driver.c_str();
        if (!bind_one(reserved, before, devices, fatal)) return false;
    }
    return true;
}

namespace {

// The function's address as it appears inside a sysfs path: "/0000:03:00.0/".
void path_part(const PciAddress& address, char (&out)[20]) {
    char text[16];
    format_pci_address(address, text);
    std::snprintf(out, sizeof out, "/%s/", text);
}

// The block device `name` (vdb, nvme0n1p2) sits below the function whose path part is `part`.
bool block_device_behind(std::string_view name, const char* part) {
    char link[96], resolved[256];
    std::snprintf(link, sizeof link, "/sys/class/block/%.*s", static_cast<int>(name.size()),
                  name.data());
    return sys::resolve_path(link, resolved, sizeof resolved).ok() &&
           std::strstr(resolved, part) != nullptr;
}

// A filesystem the HAL has mounted on a block device behind the function (an image file's).
bool holds_mounted_filesystem(const char* part) {
    static char mounts[16 * 1024];
    if (!sys::read_file("/proc/self/mounts", mounts, sizeof mounts).ok()) return false;
    for (std::string_view rest = mounts; !rest.empty();) {
        const std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(std::min(rest.size(), line.size() + 1));
        if (line.substr(0, 5) != "/dev/") continue;
        if (block_device_behind(line.substr(5, line.find(' ') - 5), part)) return true;
    }
    return false;
}

// Drops the disks behind `part` from `disks`; their names into `names` for the log.
void drop_disks_behind(const char* part, FoundDisks& disks, FixedString<128>& names) {
    size_t kept = 0;
    for (size_t i = 0; i < disks.count; ++i) {
        if (std::strstr(disks.disks[i].order_key.c_str(), part) == nullptr) {
            if (kept != i) disks.disks[kept] = disks.disks[i];
            ++kept;
            continue;
        }
        if (i == 0 && !disks.passed_boot) disks.passed_boot = disks.disks[0].boot;
        if (!names.empty()) names.append(", ");
        names.append(disks.disks[i].name.view());
    }
    disks.count = kept;
}

// A member of the group that keeps it from being the guest's: bound to a host driver. QEMU
// could not open the group. "" when every member is free, vfio-pci's, or a bridge's port.
bool group_blocked(int group, char (&member)[16], char (&driver)[32]) {
    char directory[64];
    std::snprintf(directory, sizeof directory, "/sys/kernel/iommu_groups/%d/devices", group);
    bool blocked = false;
    (void)sys::for_each_entry(directory, [&](const char* name) {
        const auto address = parse_pci_address(name);
        if (blocked || !address.ok() || !current_driver(address.value(), driver, sizeof driver))
            return;
        if (std::strcmp(driver, "vfio-pci") == 0 || std::strcmp(driver, "pcieport") == 0 ||
            std::strcmp(driver, "pci-stub") == 0)
            return;
        blocked = true;
        std::snprintf(member, sizeof member, "%s", name);
    });
    return blocked;
}

// Drops each device whose IOMMU group a host driver still holds (a storage controller the
// host kept, say): one line, or `fatal` when the list named it.
bool drop_unviable_groups(const PassthroughClaim& claim, PassedDevices& devices,
                          FixedString<192>& fatal) {
    size_t kept = 0;
    for (size_t i = 0; i < devices.count; ++i) {
        const ReservedFunction* reserved = nullptr;
        for (size_t r = 0; r < claim.count; ++r)
            if (claim.reserved[r].function.address == devices.devices[i].address)
                reserved = &claim.reserved[r];
        char member[16], driver[32], line[192], address[16];
        if (reserved && group_blocked(reserved->function.iommu_group, member, driver)) {
            format_pci_address(devices.devices[i].address, address);
            std::snprintf(line, sizeof line,
                          "passthrough: %s: its IOMMU group %d is not free for the guest: %s is "
                          "bound to %s",
                          address, reserved->function.iommu_group, member, driver);
            if (reserved->reason == PassReason::kNamed) {
                fatal.assign(line);
                return false;
            }
            log_warning("%s: the guest starts without it", line);
            continue;
        }
        devices.devices[kept++] = devices.devices[i];
    }
    devices.count = kept;
    return true;
}

}  // namespace

bool hand_over_storage(const PassthroughClaim& claim, std::string_view kept_disk, FoundDisks& disks,
                       PassedDevices& devices, FixedString<192>& fatal) {
    for (size_t i = 0; i < claim.count; ++i) {
        const ReservedFunction& reserved = claim.reserved[i];
        if (!reserved.deferred) continue;
        char part[20], address[16];
        path_part(reserved.function.address, part);
        format_pci_address(reserved.function.address, address);
        const bool vars = !kept_disk.empty() && block_device_behind(kept_disk, part);
        if (vars || holds_mounted_filesystem(part)) {
            log_warning("passthrough: %s: the host keeps it: %s is on a disk behind it", address,
                        vars ? "the uefi_vars file" : "a filesystem hal-init uses");
            continue;
        }
        char before[32] = "none";
        (void)current_driver(reserved.function.address, before, sizeof before);
        if (const Status released = reserve_for_vfio(reserved.function.address); !released.ok()) {
            log_warning("passthrough: %s: cannot release it from %s (%s: %s): the host keeps it",
                        address, before, released.error().operation,
                        std::strerror(released.error().code));
            continue;
        }
        FixedString<128> names;
        drop_disks_behind(part, disks, names);
        if (!names.empty())
            log_info("passthrough: %s: the guest reaches %s through it, not emulated", address,
                     names.c_str());
        const size_t passed = devices.count;
        if (!bind_one(reserved, before, devices, fatal)) return false;
        // Its disks left the host with its driver: without the controller the guest has none.
        if (devices.count == passed && !names.empty()) {
            fatal.assign("passthrough: ");
            fatal.append(address);
            fatal.append(" did not bind to vfio-pci, and its disks left the host with its driver");
            return false;
        }
    }
    return drop_unviable_groups(claim, devices, fatal);
}

}  // namespace hal
