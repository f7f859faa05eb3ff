// Reads the machine's facts (KVM, CPUs, memory, board) that the launcher decides from.
#pragma once

#include "base/text.hpp"
#include "platform/device_tree.hpp"
#include "platform/facts.hpp"

namespace hal {

// The CPU's vendor and vmx/svm flag from /proc/cpuinfo: the KVM module choice and the
// launcher's accelerator decision both need them.
struct CpuIdentity {
    FixedString<16> vendor;
    bool virtualization = false;
};
CpuIdentity read_cpu_identity();

// The board named by the host's device tree (/sys/firmware/fdt), read once with libfdt and
// logged once; empty fields when the host has no device tree (x86 PCs).
const BoardIdentity& board_identity();

// Fills the KVM, CPU, memory, board, OVMF and TPM fields of `facts` (platform/sys/identity.hpp
// fills the rest).
void probe_host(PlatformFacts& facts);

}  // namespace hal
