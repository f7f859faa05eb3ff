// The passthrough plan; no I/O.
#include "passthrough/plan.hpp"

#include <cstdio>
#include <cstring>

namespace hal {
namespace {

uint32_t base_class(uint32_t code) { return code >> 16; }
uint32_t sub_class(uint32_t code) { return (code >> 8) & 0xff; }

bool matches(const PciSelector& selector, const PciFunction& function) {
    switch (selector.kind) {
        case SelectorKind::kAddress: return selector.address == function.address;
        case SelectorKind::kId:
            return selector.vendor == function.vendor && selector.device == function.device;
        case SelectorKind::kKind: return is_kind(function.class_code, selector.device_kind);
    }
    return false;
}

template <class... Args>
void note(PassthroughPlan& plan, const char* format, Args... args) {
    if (plan.note_count == kMaxPlanNotes) return;
    char line[224];
    // A longer note is cut at the line's end: still one line, and the plan goes on.
    const int length = std::snprintf(line, sizeof line, format, args...);
    if (length < 0) return;
    plan.notes[plan.note_count++].assign(line);
}

// "0000:00:1f.0 (8086:2918, ISA bridge)"
void describe(const PciFunction& function, char (&out)[64]) {
    char address[16];
    format_pci_address(function.address, address);
    std::snprintf(out, sizeof out, "%s (%04x:%04x, %s)", address, function.vendor, function.device,
                  class_label(function.class_code));
}

void note_unmatched(PassthroughPlan& plan, const PciSelector& selector) {
    if (selector.kind == SelectorKind::kAddress) {
        char address[16];
        format_pci_address(selector.address, address);
        note(plan, "%s: no such PCI device", address);
    } else if (selector.kind == SelectorKind::kId) {
        note(plan, "%04x:%04x: no PCI device has that ID", selector.vendor, selector.device);
    } else {
        note(plan, "%s: no device of that kind", device_kind_name(selector.device_kind));
    }
}

// What the list asks for, per function, and why; notes what it cannot have.
struct Wishes {
    bool wanted[kMaxPciFunctions] = {};
    PassReason reason[kMaxPciFunctions] = {};
    bool decided[kMaxPciFunctions] = {};
    bool kept[kMaxPciFunctions] = {};  // the host uses it: its group stays (auto and all)
};

void match_selectors(const PassthroughSettings& settings, std::span<const PciFunction> functions,
                     Wishes& wishes, PassthroughPlan& plan) {
    for (size_t s = 0; s < settings.count; ++s) {
        const PciSelector& selector = settings.selectors[s];
        bool matched = false;
        for (size_t i = 0; i < functions.size(); ++i) {
            if (!matches(selector, functions[i])) continue;
            matched = true;
            if (is_chipset_function(functions[i].class_code) ||
                is_pci_bridge(functions[i].class_code)) {
                char what[64];
                describe(functions[i], what);
                note(plan, "%s is a chipset function the host keeps", what);
                continue;
            }
            // A device named by its address or ID is named, whatever else also matched it.
            if (selector.kind != SelectorKind::kKind || !wishes.wanted[i])
                wishes.reason[i] =
                    selector.kind == SelectorKind::kKind ? PassReason::kKind : PassReason::kNamed;
            wishes.wanted[i] = true;
        }
        if (!matched) note_unmatched(plan, selector);
    }
}

// auto and all: every endpoint in an IOMMU group, but the console's GPU (releasing it from
// the console is not done yet) and, when the host keeps its own address, the NICs.
void wish_everything(const PassthroughSettings& settings, std::span<const PciFunction> functions,
                     bool host_keeps_nics, Wishes& wishes, PassthroughPlan& plan) {
    const PassReason reason =
        settings.scope == PassthroughScope::kAll ? PassReason::kNamed : PassReason::kAuto;
    for (size_t i = 0; i < functions.size(); ++i) {
        const PciFunction& function = functions[i];
        if (is_chipset_function(function.class_code) || is_pci_bridge(function.class_code) ||
            function.iommu_group < 0)
            continue;
        char what[64];
        describe(function, what);
        if (function.boot_vga) {
            note(plan, "%s shows the host's console: the host keeps it", what);
            wishes.kept[i] = true;
            continue;
        }
        if (host_keeps_nics && is_kind(function.class_code, DeviceKind::kNic)) {
            note(plan, "%s: the host keeps its NICs (net.manage)", what);
            wishes.kept[i] = true;
            continue;
        }
        wishes.wanted[i] = true;
        wishes.reason[i] = reason;
    }
}

// The group of `functions[first]` as a whole: every endpoint in it goes, or none does.
void take_group(std::span<const PciFunction> functions, size_t first, Wishes& wishes,
                PassthroughPlan& plan) {
    const int group = functions[first].iommu_group;
    char keepers[160] = "";
    size_t kept = 0;
    for (size_t i = 0; i < functions.size(); ++i) {
        if (functions[i].iommu_group != group) continue;
        wishes.decided[i] = true;
        if (!is_chipset_function(functions[i].class_code) && !wishes.kept[i]) continue;
        char address[16];
        format_pci_address(functions[i].address, address);
        const size_t used = std::strlen(keepers);
        if (kept++ < 4)
            std::snprintf(keepers + used, sizeof keepers - used, "%s%s %s", used ? ", " : "",
                          address, class_label(functions[i].class_code));
    }
    if (kept > 0) {
        char what[64];
        describe(functions[first], what);
        note(plan,
             "%s: its IOMMU group %d also holds %s%s, which the host keeps: the group "
             "stays with the host",
             what, group, keepers, kept > 4 ? " ..." : "");
        return;
    }
    for (size_t i = 0; i < functions.size(); ++i) {
        if (functions[i].iommu_group != group || is_pci_bridge(functions[i].class_code)) continue;
        if (plan.count == kMaxPassed) {
            char what[64];
            describe(functions[i], what);
            note(plan, "%s stays with the host: at most 32 functions go to the guest", what);
            continue;
        }
        plan.passed[plan.count++] = {i, wishes.wanted[i] ? wishes.reason[i] : PassReason::kGroup};
    }
}

}  // namespace

bool is_chipset_function(uint32_t code) {
    const uint32_t base = base_class(code);
    if (base == 0x06) return !is_pci_bridge(code);   // host, ISA/LPC and other bridges
    if (base == 0x05 || base == 0x08) return true;   // memory controllers, system peripherals
    return base == 0x0c && sub_class(code) == 0x05;  // SMBus
}

bool is_pci_bridge(uint32_t code) {
    return base_class(code) == 0x06 && (sub_class(code) == 0x04 || sub_class(code) == 0x09);
}

bool is_kind(uint32_t code, DeviceKind kind) {
    const uint32_t base = base_class(code), sub = sub_class(code);
    switch (kind) {
        case DeviceKind::kGpu: return base == 0x03;
        case DeviceKind::kAudio: return base == 0x04 && (sub == 0x01 || sub == 0x03);
        case DeviceKind::kUsb: return base == 0x0c && sub == 0x03;
        case DeviceKind::kNic: return base == 0x02;
        case DeviceKind::kStorage: return base == 0x01;
    }
    return false;
}

const char* class_label(uint32_t code) {
    for (const DeviceKind kind : {DeviceKind::kGpu, DeviceKind::kAudio, DeviceKind::kUsb,
                                  DeviceKind::kNic, DeviceKind::kStorage})
        if (is_kind(code, kind)) return device_kind_name(kind);
    switch (code >> 8) {
        case 0x0600: return "host bridge";
        case 0x0601: return "ISA bridge";
        case 0x0604: return "PCI bridge";
        case 0x0c05: return "SMBus";
        case 0x0806: return "IOMMU";
    }
    if (base_class(code) == 0x06) return "bridge";
    if (base_class(code) == 0x08) return "system peripheral";
    if (base_class(code) == 0x05) return "memory controller";
    return "other";
}

PassthroughPlan plan_passthrough(const PassthroughSettings& settings,
                                 std::span<const PciFunction> functions, bool iommu,
                                 const char* no_iommu_reason, bool host_keeps_nics) {
    PassthroughPlan plan;
    if (!settings.any()) return plan;
    if (!iommu) {
        note(plan, "no IOMMU is active (%s): every device is emulated", no_iommu_reason);
        return plan;
    }
    if (functions.size() > kMaxPciFunctions) functions = functions.first(kMaxPciFunctions);
    Wishes wishes;
    if (settings.scope == PassthroughScope::kList)
        match_selectors(settings, functions, wishes, plan);
    else
        wish_everything(settings, functions, host_keeps_nics, wishes, plan);
    for (size_t i = 0; i < functions.size(); ++i) {
        if (!wishes.wanted[i] || wishes.decided[i]) continue;
        if (functions[i].iommu_group < 0) {
            char what[64];
            describe(functions[i], what);
            note(plan, "%s is in no IOMMU group: it stays with the host", what);
            wishes.decided[i] = true;
            continue;
        }
        take_group(functions, i, wishes, plan);
    }
    return plan;
}

}  // namespace hal
