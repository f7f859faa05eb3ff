// Parsing of the image's modules.dep / modules.softdep / modules.alias into flat tables.
#include "modules/module_table.hpp"

#include <algorithm>

#include "base/glob.hpp"
#include "base/text.hpp"

namespace hal {

// FNV-1a; module names hash with '-' and '_' as one character, as they compare.
size_t ModuleTable::hash(std::string_view text, bool module_name) {
    uint32_t value = 2166136261u;
    for (char c : text)
        value = (value ^ static_cast<uint8_t>(module_name && c == '-' ? '_' : c)) * 16777619u;
    return value & (kModuleHashSlots - 1);
}

int ModuleTable::find_name(std::string_view name) const {
    for (size_t slot = hash(name, true);; slot = (slot + 1) & (kModuleHashSlots - 1)) {
        if (name_slots_[slot] == 0) return -1;
        const int index = name_slots_[slot] - 1;
        if (same_module_name(modules_[index].name.view(), name)) return index;
    }
}

int ModuleTable::find_path(std::string_view path) const {
    for (size_t slot = hash(path, false);; slot = (slot + 1) & (kModuleHashSlots - 1)) {
        if (path_slots_[slot] == 0) return -1;
        const int index = path_slots_[slot] - 1;
        if (modules_[index].path() == path) return index;
    }
}

int ModuleTable::add_path(std::string_view path) {
    const int existing = find_path(path);
    if (existing >= 0) return existing;
    if (count_ >= kMaxModules) return -1;
    ModuleEntry& entry = modules_[count_];
    if (!module_name_from_path(path, entry.name)) return -1;
    entry.path_text = path.data();
    entry.path_size = static_cast<uint32_t>(path.size());
    // Both tables stay at most half full (kModuleHashSlots = 2 * kMaxModules): probes end.
    size_t slot = hash(path, false);
    while (path_slots_[slot]) slot = (slot + 1) & (kModuleHashSlots - 1);
    path_slots_[slot] = static_cast<uint16_t>(count_ + 1);
    if (find_name(entry.name.view()) < 0) {
        slot = hash(entry.name.view(), true);
        while (name_slots_[slot]) slot = (slot + 1) & (kModuleHashSlots - 1);
        name_slots_[slot] = static_cast<uint16_t>(count_ + 1);
    }
    return static_cast<int>(count_++);
}

bool ModuleTable::add_edge(int from, int to, EdgeKind kind) {
    if (from < 0 || to < 0 || edge_count_ >= kMaxEdges) return false;
    edges_[edge_count_++] = Edge{static_cast<uint16_t>(from), static_cast<uint16_t>(to), kind};
    return true;
}

namespace {

// Calls `add(line)` for each line with content; the first line it refuses is the error.
template <class Add>
Parsed<Unit> each_line(std::string_view text, const char* message, Add&& add) {
    const unsigned refused = for_each_content_line(text, add);
    if (refused != 0) return ParseError{message, refused};
    return Unit{};
}

}  // namespace

bool ModuleTable::add_dependency_line(std::string_view line) {
    DepLine parsed;
    if (!parse_dep_line(line, parsed)) return false;
    const int module = add_path(parsed.module_path);
    if (module < 0) return false;
    std::string_view rest = parsed.dependencies;
    std::string_view dependency;
    while (next_word(rest, dependency))
        if (!add_edge(module, add_path(dependency), EdgeKind::kDependency)) return false;
    return true;
}

Parsed<Unit> ModuleTable::load_dependencies(std::string_view modules_dep) {
    return each_line(modules_dep, "malformed, or more modules or dependencies than the table holds",
                     [&](std::string_view line) { return add_dependency_line(line); });
}

// Softdep targets are module names or aliases such as "crct10dif"; like modprobe, every
// module an alias matches is a target.
bool ModuleTable::add_softdep_edges(int module, std::string_view word, EdgeKind kind) {
    const int by_name = find_name(word);
    if (by_name >= 0) return by_name == module || add_edge(module, by_name, kind);
    for (size_t i = 0; i < alias_count_; ++i)
        if (aliases_[i].module != module && glob_match(aliases_[i].pattern(), word) &&
            !add_edge(module, aliases_[i].module, kind))
            return false;
    return true;
}

bool ModuleTable::add_softdep_line(std::string_view rest) {
    std::string_view word, module_name;
    if (!next_word(rest, word) || word != "softdep" || !next_word(rest, module_name)) return false;
    const int module = find_name(module_name);
    if (module < 0) return true;            // not packed: nothing to order
    EdgeKind kind = EdgeKind::kPreSoftdep;  // words before any "pre:"/"post:" count as pre
    while (next_word(rest, word)) {
        if (word == "pre:")
            kind = EdgeKind::kPreSoftdep;
        else if (word == "post:")
            kind = EdgeKind::kPostSoftdep;
        else if (!add_softdep_edges(module, word, kind))
            return false;
    }
    return true;
}

Parsed<Unit> ModuleTable::load_softdeps(std::string_view modules_softdep) {
    return each_line(modules_softdep, "malformed, or more edges than the table holds",
                     [&](std::string_view line) { return add_softdep_line(line); });
}

bool ModuleTable::add_alias_line(std::string_view rest) {
    std::string_view keyword, pattern, module_name;
    if (!next_word(rest, keyword) || keyword != "alias" || !next_word(rest, pattern) ||
        !next_word(rest, module_name))
        return false;
    const int module = find_name(module_name);
    if (module < 0) return true;  // alias of a module the image does not carry
    if (alias_count_ >= kMaxAliases) return false;
    const size_t literal = pattern.find_first_of("*?[");
    const size_t length = literal == std::string_view::npos ? pattern.size() : literal;
    aliases_[alias_count_++] = Alias{pattern.data(), static_cast<uint32_t>(pattern.size()),
                                     static_cast<uint16_t>(module), static_cast<uint16_t>(length)};
    return true;
}

Parsed<Unit> ModuleTable::load_aliases(std::string_view modules_alias) {
    return each_line(modules_alias, "malformed, or more aliases than the table holds",
                     [&](std::string_view line) { return add_alias_line(line); });
}

void ModuleTable::literal_range(std::string_view literal, size_t& first, size_t& last) const {
    auto key = [this](size_t i) {
        const Alias& alias = aliases_[by_literal_[i]];
        return alias.pattern().substr(0, alias.literal);
    };
    size_t low = 0, high = indexed_aliases_;
    while (low < high) {
        const size_t middle = (low + high) / 2;
        if (key(middle) < literal)
            low = middle + 1;
        else
            high = middle;
    }
    first = low;
    high = indexed_aliases_;
    while (low < high) {
        const size_t middle = (low + high) / 2;
        if (key(middle) <= literal)
            low = middle + 1;
        else
            high = middle;
    }
    last = low;
}

void ModuleTable::finalize() {
    // The alias index: by literal start, so a modalias finds its candidates by binary search.
    for (size_t i = 0; i < alias_count_; ++i) by_literal_[i] = static_cast<uint32_t>(i);
    std::sort(by_literal_, by_literal_ + alias_count_, [this](uint32_t a, uint32_t b) {
        return aliases_[a].pattern().substr(0, aliases_[a].literal) <
               aliases_[b].pattern().substr(0, aliases_[b].literal);
    });
    indexed_aliases_ = alias_count_;
    // Counting sort of the edges into three adjacency lists (CSR): what a module pulls in,
    // what it requires, and what it merely follows.
    // Every edge joins two modules below count_: only those counters are used.
    uint16_t pull_count[kMaxModules], hard_count[kMaxModules], soft_count[kMaxModules];
    std::fill_n(pull_count, count_, 0);
    std::fill_n(hard_count, count_, 0);
    std::fill_n(soft_count, count_, 0);
    auto waiter = [](const Edge& edge) {
        return edge.kind == EdgeKind::kPostSoftdep ? edge.to : edge.from;
    };
    auto awaited = [](const Edge& edge) {
        return edge.kind == EdgeKind::kPostSoftdep ? edge.from : edge.to;
    };
    for (size_t i = 0; i < edge_count_; ++i) {
        const Edge& edge = edges_[i];
        ++pull_count[edge.from];
        ++(edge.kind == EdgeKind::kDependency ? hard_count : soft_count)[waiter(edge)];
    }
    pull_start_[0] = hard_start_[0] = soft_start_[0] = 0;
    for (size_t i = 0; i < count_; ++i) {
        pull_start_[i + 1] = static_cast<uint16_t>(pull_start_[i] + pull_count[i]);
        hard_start_[i + 1] = static_cast<uint16_t>(hard_start_[i] + hard_count[i]);
        soft_start_[i + 1] = static_cast<uint16_t>(soft_start_[i] + soft_count[i]);
    }
    uint16_t pull_fill[kMaxModules], hard_fill[kMaxModules], soft_fill[kMaxModules];
    std::fill_n(pull_fill, count_, 0);
    std::fill_n(hard_fill, count_, 0);
    std::fill_n(soft_fill, count_, 0);
    for (size_t i = 0; i < edge_count_; ++i) {
        const Edge& edge = edges_[i];
        pull_list_[pull_start_[edge.from] + pull_fill[edge.from]++] = edge.to;
        const uint16_t module = waiter(edge);
        if (edge.kind == EdgeKind::kDependency)
            hard_list_[hard_start_[module] + hard_fill[module]++] = awaited(edge);
        else
            soft_list_[soft_start_[module] + soft_fill[module]++] = awaited(edge);
    }
}

bool ModuleTable::alias_matches(std::string_view pattern, std::string_view modalias) {
    return glob_match(pattern, modalias);
}

}  // namespace hal
