// Host facts from /dev/kvm, /proc/cpuinfo, /proc/meminfo and /sys CPU lists.
#include "init/host_probe.hpp"

#include "init/sys/sys.hpp"
#include "launcher/host_facts.hpp"

namespace hal {
namespace {

// Only the first CPU's block of /proc/cpuinfo matters; 16 KiB holds it on any machine.
constexpr size_t kCpuinfoPrefix = 16 * 1024;
char g_text[kCpuinfoPrefix];

uint32_t online_cpus() {
    char list[256];
    const auto size = sys::read_file("/sys/devices/system/cpu/online", list, sizeof list);
    return size.ok() ? cpu_list_count({list, size.value()}).value_or(1) : 1;
}

}  // namespace

const CpuIdentity& cpu_identity() {
    static CpuIdentity identity;
    static bool read = false;
    if (!read) {
        read = true;
        if (auto size = sys::read_file_prefix("/proc/cpuinfo", g_text, sizeof g_text); size.ok()) {
            const std::string_view cpuinfo(g_text, size.value());
            identity.vendor.assign(cpuinfo_vendor(cpuinfo).substr(0, decltype(identity.vendor)::kCapacity - 1));
            identity.virtualization = cpuinfo_has_virtualization(cpuinfo);
        }
    }
    return identity;
}

HostFacts probe_host() {
    HostFacts facts;
    if (auto kvm = sys::open_file("/dev/kvm", sys::kReadWrite); kvm.ok()) {
        facts.kvm_device = true;
        sys::close_fd(kvm.value());
    }
    facts.cpu_virtualization = cpu_identity().virtualization;
    if (auto size = sys::read_file_prefix("/proc/meminfo", g_text, sizeof g_text); size.ok())
        facts.memory_total_kib = meminfo_total_kib({g_text, size.value()}).value_or(0);
    facts.cpus = online_cpus();
    return facts;
}

}  // namespace hal
