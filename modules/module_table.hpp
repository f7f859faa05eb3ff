// The image's module index (modules.dep, modules.softdep, modules.alias) in fixed-size tables,
// parsed by hal-init at boot and by unit tests; it points into the caller's text buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "modules/modules_dep.hpp"

namespace hal {

// Measured on Debian 12's 6.1 kernel: the generic image packs 580 modules with about 7,000
// aliases; the kernel's whole tree is 4,023 modules with 26,000 aliases. These hold either.
inline constexpr size_t kMaxModules = 4096;
inline constexpr size_t kMaxEdges = 16384;
inline constexpr size_t kMaxAliases = 65536;
inline constexpr size_t kModuleHashSlots = 8192;  // a power of two, twice kMaxModules

// Why one module refers to another.
enum class EdgeKind : uint8_t {
    kDependency,   // modules.dep: pulled in, loaded first, and its failure blocks `from`
    kPreSoftdep,   // softdep pre: pulled in, loaded first, but its failure blocks nothing
    kPostSoftdep,  // softdep post: pulled in by `from`, loaded after it
};

struct ModuleEntry {
    // The path relative to /lib/modules/KVER, in the caller's modules.dep text (kept as a
    // pointer and a size: a table holds 4,096 entries, constructed without a loop of
    // string_view constructors).
    const char* path_text;
    uint32_t path_size;
    ModuleName name;
    std::string_view path() const { return {path_text, path_size}; }
};

class ModuleTable {
public:
    // Each loader stops at a malformed line or a full table, and says which line.
    Parsed<Unit> load_dependencies(std::string_view modules_dep);
    Parsed<Unit> load_softdeps(std::string_view modules_softdep);
    Parsed<Unit> load_aliases(std::string_view modules_alias);
    // Builds the adjacency lists and the alias index; call after the loaders, before the
    // queries below.
    void finalize();

    size_t size() const { return count_; }
    const ModuleEntry& entry(size_t index) const { return modules_[index]; }
    int find_name(std::string_view name) const;  // '-' and '_' equal; -1 when absent
    int find_path(std::string_view path) const;

    // Modules `index` pulls in when requested (dependencies and post-softdeps).
    std::span<const uint16_t> pulls(size_t index) const {
        return range(pull_start_, pull_list_, index);
    }
    // Modules that must have loaded before `index`, and whose failure means `index` cannot.
    std::span<const uint16_t> required(size_t index) const {
        return range(hard_start_, hard_list_, index);
    }
    // Modules that go before `index` when they are part of the same boot, failed or not
    // (pre-softdeps, and modules that named `index` as their post-softdep).
    std::span<const uint16_t> ordered_after(size_t index) const {
        return range(soft_start_, soft_list_, index);
    }

    // Calls visit(module index) for every alias pattern that matches `modalias`. Only patterns
    // whose literal start (up to the first wildcard) begins `modalias` are tried: with tens of
    // thousands of aliases and a hundred devices, matching them all would cost seconds.
    template <class Visit>
    void for_each_match(std::string_view modalias, Visit&& visit) const;

private:
    struct Edge {
        uint16_t from, to;
        EdgeKind kind;
    };
    struct Alias {
        // A pointer and a size rather than a string_view: string_view's constructor is not
        // trivial, and 65,536 of them per table dominated the making of one (the fuzz target).
        const char* text;
        uint32_t size;
        uint16_t module;
        uint16_t literal;  // length of the pattern's start before any wildcard
        std::string_view pattern() const { return {text, size}; }
    };

    int add_path(std::string_view path);
    bool add_edge(int from, int to, EdgeKind kind);
    bool add_softdep_edges(int module, std::string_view word, EdgeKind kind);
    bool add_dependency_line(std::string_view line);
    bool add_softdep_line(std::string_view line);
    bool add_alias_line(std::string_view line);
    std::span<const uint16_t> range(const uint16_t* starts, const uint16_t* list,
                                    size_t index) const {
        return {list + starts[index], static_cast<size_t>(starts[index + 1] - starts[index])};
    }
    static bool alias_matches(std::string_view pattern, std::string_view modalias);
    // Aliases (indexes) sorted by their literal start, and the range with exactly this one.
    void literal_range(std::string_view literal, size_t& first, size_t& last) const;
    static size_t hash(std::string_view text, bool module_name);

    ModuleEntry modules_[kMaxModules];
    size_t count_ = 0;
    Edge edges_[kMaxEdges];
    size_t edge_count_ = 0;
    Alias aliases_[kMaxAliases];
    size_t alias_count_ = 0;
    // What finalize() builds. Only the hash slots and the list starts are zeroed at
    // construction (empty lists, no aliases indexed until finalize); the lists and the alias
    // order are written before anything reads them, so a table costs 56 KB of zeroing to make,
    // not 440 KB (the fuzz target makes one per input).
    size_t indexed_aliases_ = 0;
    uint32_t by_literal_[kMaxAliases];
    uint16_t name_slots_[kModuleHashSlots] = {};  // module index + 1, 0 for an empty slot
    uint16_t path_slots_[kModuleHashSlots] = {};
    uint16_t pull_start_[kMaxModules + 1] = {};
    uint16_t pull_list_[kMaxEdges];
    uint16_t hard_start_[kMaxModules + 1] = {};
    uint16_t hard_list_[kMaxEdges];
    uint16_t soft_start_[kMaxModules + 1] = {};
    uint16_t soft_list_[kMaxEdges];
};

template <class Visit>
void ModuleTable::for_each_match(std::string_view modalias, Visit&& visit) const {
    for (size_t length = 0; length <= modalias.size(); ++length) {
        size_t first = 0, last = 0;
        literal_range(modalias.substr(0, length), first, last);
        for (size_t i = first; i < last; ++i) {
            const Alias& alias = aliases_[by_literal_[i]];
            if (alias_matches(alias.pattern(), modalias)) visit(static_cast<int>(alias.module));
        }
    }
}

}  // namespace hal
