// What the vCPUs tell the guest about the hypervisor: Windows gets the Hyper-V enlightenments
// every hypervisor gives it (synthetic timers, APIC assists, paravirtual TLB flush and IPIs),
// without which its timer and APIC exits cost it; other guests get the plain host CPU. No I/O.
#pragma once

#include "disks/boot_signs.hpp"
#include "platform/settings.hpp"

namespace hal {

struct GuestOsDecision {
    GuestOs os = GuestOs::kOther;  // windows, linux or other (never auto)
    const char* reason = "";       // for the one log line: why
};

// `signs`: the boot disk's (no disk: nothing to read, other).
GuestOsDecision decide_guest_os(GuestOs setting, const DiskBootSigns& signs);

// QEMU's -cpu features for a Windows guest under KVM (QEMU 7.2 names, each supported by
// Linux 5.x KVM; vpindex before the features that need it, time before stimer). kvm=off hides
// KVM's own CPUID signature: the guest finds Hyper-V alone at 0x40000000 (Windows reads only
// those leaves; Linux picks KVM's when both are there; GPU drivers that refuse to run beside
// KVM's signature do not see it).
inline constexpr const char* kHypervFeatures =
    "kvm=off,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-runtime,hv-time,hv-synic,hv-"
    "stimer,"
    "hv-tlbflush,hv-ipi,hv-frequencies,hv-reset";

}  // namespace hal
