// Counting sockets, cores and threads from CPU locations; no I/O.
#include "platform/cpu_topology.hpp"

namespace hal {
namespace {

constexpr size_t kMaxCpus = 1024;

}  // namespace

std::optional<CpuTopology> topology_from_cpus(const CpuLocation* cpus, size_t count) {
    if (count == 0 || count > kMaxCpus) return std::nullopt;
    // Distinct packages, and distinct (package, core) pairs with how many CPUs each has.
    uint32_t packages[kMaxCpus];
    CpuLocation cores[kMaxCpus];
    uint32_t threads_of[kMaxCpus];
    size_t package_count = 0, core_count = 0;
    for (size_t i = 0; i < count; ++i) {
        size_t p = 0;
        while (p < package_count && packages[p] != cpus[i].package) ++p;
        if (p == package_count) packages[package_count++] = cpus[i].package;
        size_t c = 0;
        while (c < core_count &&
               (cores[c].package != cpus[i].package || cores[c].core != cpus[i].core))
            ++c;
        if (c == core_count) {
            cores[core_count] = cpus[i];
            threads_of[core_count++] = 0;
        }
        ++threads_of[c];
    }
    CpuTopology topology;
    topology.sockets = static_cast<uint32_t>(package_count);
    topology.threads = threads_of[0];
    for (size_t c = 0; c < core_count; ++c)
        if (threads_of[c] != topology.threads) return std::nullopt;
    if (core_count % package_count != 0) return std::nullopt;
    topology.cores = static_cast<uint32_t>(core_count / package_count);
    for (size_t p = 0; p < package_count; ++p) {
        uint32_t in_package = 0;
        for (size_t c = 0; c < core_count; ++c) in_package += cores[c].package == packages[p];
        if (in_package != topology.cores) return std::nullopt;
    }
    return topology;
}

}  // namespace hal
