// The image's module index (modules.dep, modules.softdep, modules.alias) in fixed-size tables,
// parsed by hal-init at boot and by unit tests; it points into the caller's text buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kmod/modules_dep.hpp"

namespace hal {

inline constexpr size_t kMaxModules = 512;
inline constexpr size_t kMaxEdges = 4096;
inline constexpr size_t kMaxAliases = 8192;

// Why one module refers to another.
enum class EdgeKind : uint8_t {
    kDependency,  // modules.dep: pulled in, loaded first, and its failure blocks `from`
    kPreSoftdep,  // softdep pre: pulled in, loaded first, but its failure blocks nothing
    kPostSoftdep, // softdep post: pulled in by `from`, loaded after it
};

struct ModuleEntry {
    std::string_view path;  // relative to /lib/modules/KVER
    ModuleName name;
};

class ModuleTable {
public:
    // Each loader fails on a malformed line or a full table and reports the line number.
    bool load_dependencies(std::string_view modules_dep, unsigned& bad_line);
    bool load_softdeps(std::string_view modules_softdep, unsigned& bad_line);
    bool load_aliases(std::string_view modules_alias, unsigned& bad_line);
    // Builds the adjacency lists; call after the loaders, before the queries below.
    void finalize();

    size_t size() const { return count_; }
    const ModuleEntry& entry(size_t index) const { return modules_[index]; }
    int find_name(std::string_view name) const;  // '-' and '_' equal; -1 when absent
    int find_path(std::string_view path) const;

    // Modules `index` pulls in when requested (dependencies and post-softdeps).
    std::span<const uint16_t> pulls(size_t index) const { return range(pull_start_, pull_list_, index); }
    // Modules that must have loaded before `index`, and whose failure means `index` cannot.
    std::span<const uint16_t> required(size_t index) const { return range(hard_start_, hard_list_, index); }
    // Modules that go before `index` when they are part of the same boot, failed or not
    // (pre-softdeps, and modules that named `index` as their post-softdep).
    std::span<const uint16_t> ordered_after(size_t index) const { return range(soft_start_, soft_list_, index); }

    // Calls visit(module index) for every alias pattern that matches `modalias`.
    template <class Visit>
    void for_each_match(std::string_view modalias, Visit&& visit) const;

private:
    struct Edge {
        uint16_t from, to;
        EdgeKind kind;
    };
    struct Alias {
        std::string_view pattern;
        uint16_t module;
    };

    int add_path(std::string_view path);
    bool add_edge(int from, int to, EdgeKind kind);
    bool add_softdep_edges(int module, std::string_view word, EdgeKind kind);
    std::span<const uint16_t> range(const uint16_t* starts, const uint16_t* list, size_t index) const {
        return {list + starts[index], static_cast<size_t>(starts[index + 1] - starts[index])};
    }
    static bool alias_matches(std::string_view pattern, std::string_view modalias);

    ModuleEntry modules_[kMaxModules];
    size_t count_ = 0;
    Edge edges_[kMaxEdges];
    size_t edge_count_ = 0;
    Alias aliases_[kMaxAliases];
    size_t alias_count_ = 0;
    uint16_t pull_start_[kMaxModules + 1] = {};
    uint16_t pull_list_[kMaxEdges] = {};
    uint16_t hard_start_[kMaxModules + 1] = {};
    uint16_t hard_list_[kMaxEdges] = {};
    uint16_t soft_start_[kMaxModules + 1] = {};
    uint16_t soft_list_[kMaxEdges] = {};
};

template <class Visit>
void ModuleTable::for_each_match(std::string_view modalias, Visit&& visit) const {
    for (size_t i = 0; i < alias_count_; ++i)
        if (alias_matches(aliases_[i].pattern, modalias)) visit(static_cast<int>(aliases_[i].module));
}

}  // namespace hal
