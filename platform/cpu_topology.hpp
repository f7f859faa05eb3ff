// The host's CPU topology (sockets, cores per socket, threads per core), so a guest with all the
// host's CPUs sees them arranged as the bare metal did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hal {

struct CpuLocation {
    uint32_t package = 0;  // topology/physical_package_id
    uint32_t core = 0;     // topology/core_id (unique within its package)
};

struct CpuTopology {
    uint32_t sockets = 1;
    uint32_t cores = 1;    // per socket
    uint32_t threads = 1;  // per core
    uint32_t total() const { return sockets * cores * threads; }
};

// From every online CPU's location; nullopt when the CPUs do not form a regular grid (QEMU's
// -smp needs the same cores in every socket and the same threads in every core).
std::optional<CpuTopology> topology_from_cpus(const CpuLocation* cpus, size_t count);

}  // namespace hal
