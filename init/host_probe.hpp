// Reads the machine's facts (KVM, CPUs, memory) that the launcher decides from.
#pragma once

#include "common/text.hpp"
#include "launcher/launcher.hpp"

namespace hal {

// The CPU's vendor and vmx/svm flag, read from /proc/cpuinfo once: the KVM module choice
// and the launcher's accelerator decision both need them.
struct CpuIdentity {
    FixedString<16> vendor;
    bool virtualization = false;
};
const CpuIdentity& cpu_identity();

HostFacts probe_host();

}  // namespace hal
