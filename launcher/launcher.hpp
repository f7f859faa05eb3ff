// The launcher: a pure function from (config, host facts) to QEMU's argv, used by hal-init.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"
#include "disks/disk_plan.hpp"
#include "display/host_display.hpp"
#include "net/network_plan.hpp"
#include "passthrough/plan.hpp"
#include "platform/boot_firmware.hpp"
#include "platform/cpu_topology.hpp"
#include "platform/facts.hpp"
#include "platform/guest_os.hpp"
#include "platform/tpm.hpp"

namespace hal {

// What hal-init found out about the machine it runs on, each part from the capability that
// probed it.
struct HostFacts {
    PlatformFacts platform;
    FoundDisks disks;
    GuestNetworkFacts network;
    MonitorFacts monitor;
    // The machine's PCI functions bound to vfio-pci for the guest (passthrough).
    PassedDevices passthrough;
    // qmp_serial: the serial port hal-init opened and found to be a terminal that is not the
    // kernel's console (/dev/ttyS1); empty: no operator monitor.
    FixedString<48> operator_qmp_port;
};

inline constexpr size_t kArgvCapacity = 256;
inline constexpr size_t kArgvStorage = 16384;

// A NUL-terminated argv whose strings live inside the object. Additions past the capacity
// mark it overflowed instead of truncating.
class Argv {
public:
    Argv() { pointers_[0] = nullptr; }
    Argv(const Argv&) = delete;
    Argv& operator=(const Argv&) = delete;

    void add(std::string_view argument);
    void add_format(const char* format, ...) __attribute__((format(printf, 2, 3)));
    void clear();

    bool overflowed() const { return overflowed_; }
    size_t size() const { return count_; }
    const char* operator[](size_t index) const { return pointers_[index]; }
    char* const* data() const { return const_cast<char* const*>(pointers_); }

private:
    char storage_[kArgvStorage];
    size_t used_ = 0;
    const char* pointers_[kArgvCapacity + 1];
    size_t count_ = 0;
    bool overflowed_ = false;
};

struct LaunchPlan {
    Accel accel = Accel::kTcg;      // what QEMU will use (never kAuto)
    const char* accel_reason = "";  // why, for the log
    bool accel_warning = false;     // true when the reason deserves a warning
    uint32_t cpus = 1;
    uint32_t memory_mib = 0;
    std::optional<CpuTopology> topology;  // mirrored host topology (identity = host, cpus = auto)
    Machine machine = Machine::kPc;       // uefi-secure needs q35
    const char* machine_reason = "";      // why not the configured machine, for the log
    BootDecision boot;
    GuestOsDecision guest_os;
    bool hyperv = false;  // the vCPUs carry the Hyper-V enlightenments (Windows under KVM)
    TpmDecision tpm;
    const char* vars_template = "";  // the OVMF VARS file the guest's variable store starts from
    DiskPlan disks;
    const char* fatal = nullptr;  // why the guest cannot be started safely, or nullptr
};

// The decisions, separately testable: accelerator, CPUs and topology, memory, firmware, disks.
LaunchPlan plan_launch(const Config& config, const HostFacts& facts);

// Fills `argv` for `qemu_path`. Fails with EOVERFLOW when the argv does not fit.
Status build_qemu_argv(const Config& config, const LaunchPlan& plan, const HostFacts& facts,
                       const char* qemu_path, Argv& argv);

}  // namespace hal
