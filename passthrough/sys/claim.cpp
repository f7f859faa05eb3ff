// The passthrough plan carried out through sysfs, with its log lines.
#include "passthrough/sys/claim.hpp"

#include <cstdio>
#include <cstring>

#include "base/setting_text.hpp"
#include "base/sys/log.hpp"
#include "passthrough/sys/pci.hpp"

namespace hal {
namespace {

PciFunction g_functions[kMaxPciFunctions];  // 16 KiB: kept off PID 1's stack

using namespace std::string_view_literals;
// Why a function goes to the guest, in PassReason's order.
constexpr std::string_view kReasons = "named\0of a kind named\0in the same IOMMU group"sv;

// vfio-pci's own alias for the function (its modalias with vfio_ in front).
void set_vfio_alias(const PciAddress& address, FixedString<112>& alias) {
    char modalias[96];
    if (!alias.assign("vfio_") || !alias.append(read_modalias(address, modalias, sizeof modalias)))
        alias.assign("vfio_pci:v");
}

}  // namespace

PassthroughClaim reserve_passthrough(const PassthroughSettings& settings) {
    PassthroughClaim claim;
    if (settings.count == 0) return claim;
    const size_t count = read_pci_functions(g_functions);
    const bool iommu = iommu_active();
    const PassthroughPlan plan = plan_passthrough(settings, {g_functions, count}, iommu,
                                                  iommu ? "" : missing_iommu_reason());
    for (size_t i = 0; i < plan.note_count; ++i)
        log_warning("passthrough: %s", plan.notes[i].c_str());
    for (size_t i = 0; i < plan.count; ++i) {
        const PciFunction& function = g_functions[plan.passed[i].index];
        char address[16];
        format_pci_address(function.address, address);
        if (const Status reserved = reserve_for_vfio(function); !reserved.ok()) {
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

bool bind_passthrough(const PassthroughClaim& claim, PassedDevices& devices,
                      FixedString<192>& fatal) {
    devices.count = 0;
    for (size_t i = 0; i < claim.count; ++i) {
        const ReservedFunction& reserved = claim.reserved[i];
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
            continue;
        }
        FixedString<32> reset;
        read_reset_method(function.address, reset);
        log_info(
            "passthrough: %s (%04x:%04x, %s, %s) to the guest: IOMMU group %d, driver "
            "before %s, reset method %s",
            address, function.vendor, function.device, class_label(function.class_code),
            enum_name(reserved.reason, kReasons), function.iommu_group,
            function.driver.empty() ? "none" : function.driver.c_str(), reset.c_str());
        devices.devices[devices.count++] = {function.address, function.pcie};
        devices.needs_machine_reset = devices.needs_machine_reset || reset.view() == "none";
    }
    if (devices.needs_machine_reset)
        log_info(
            "passthrough: a device without a reset method goes to the guest: a guest reboot "
            "or a restart of QEMU reboots the machine instead, which resets it");
    return true;
}

}  // namespace hal
