// The launcher: a pure function from (config, host facts) to QEMU's argv, used by hal-init.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config.hpp"
#include "common/result.hpp"

namespace hal {

// What hal-init found out about the machine it runs on.
struct HostFacts {
    bool kvm_device = false;             // /dev/kvm could be opened read-write
    bool cpu_virtualization = false;     // vmx or svm in /proc/cpuinfo flags
    uint32_t cpus = 1;                   // online CPUs
    uint64_t memory_total_kib = 0;       // MemTotal from /proc/meminfo
};

inline constexpr size_t kArgvCapacity = 192;
inline constexpr size_t kArgvStorage = 8192;

// A NUL-terminated argv whose strings live inside the object. Additions past the capacity
// mark it overflowed instead of truncating.
class Argv {
public:
    Argv() { pointers_[0] = nullptr; }
    Argv(const Argv&) = delete;
    Argv& operator=(const Argv&) = delete;

    void add(std::string_view argument);
    void add_format(const char* format, ...) __attribute__((format(printf, 2, 3)));

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
    Accel accel = Accel::kTcg;           // what QEMU will use (never kAuto)
    const char* accel_reason = "";       // why, for the log
    bool accel_warning = false;          // true when the reason deserves a warning
    uint32_t cpus = 1;
    uint32_t memory_mib = 0;
};

// The decisions, separately testable: accelerator, CPU count, memory.
LaunchPlan plan_launch(const Config& config, const HostFacts& facts);

// Fills `argv` for `qemu_path`. Fails with EOVERFLOW when the argv does not fit.
Status build_qemu_argv(const Config& config, const LaunchPlan& plan, const char* qemu_path, Argv& argv);

}  // namespace hal
