// modules.list parsing and resolution: dependency-first ordering, soft dependencies, aliases.
#include "initrd/module_resolver.hpp"

#include <algorithm>

#include "base/glob.hpp"
#include "modules/modules_dep.hpp"
#include "base/text.hpp"

namespace hal::pack {
namespace {

bool valid_module_name(std::string_view name) {
    if (name.empty() || name.size() >= kModuleNameCapacity) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string line_prefix(const std::string& file, unsigned line) { return file + " line " + std::to_string(line) + ": "; }

// One entry word ("virtio_blk", "pci:v00008086d*?", "@storage") into a request.
bool parse_entry(std::string_view word, unsigned line, const std::string& file, ModuleRequest& request,
                 std::string& error) {
    request = ModuleRequest{};
    request.line = line;
    if (ends_with(word, "?")) {
        request.optional = true;
        word.remove_suffix(1);
    }
    if (word.find(':') != std::string_view::npos) {
        request.kind = ModuleRequest::Kind::kAlias;
        request.text = std::string(word);
        return true;
    }
    // Directories: kernel/drivers/ata/ (its modules), kernel/.../** and =drivers/... (all below).
    if (starts_with(word, "kernel/") || starts_with(word, "=")) {
        request.kind = ModuleRequest::Kind::kDirectory;
        std::string_view path = word;
        if (starts_with(path, "=")) {
            path.remove_prefix(1);
            request.recursive = true;
        }
        if (ends_with(path, "/**")) {
            path.remove_suffix(3);
            request.recursive = true;
        } else if (ends_with(path, "/*")) {
            path.remove_suffix(2);
        }
        while (ends_with(path, "/")) path.remove_suffix(1);
        if (path.empty() || path.find("..") != std::string_view::npos || path.find('*') != std::string_view::npos) {
            error = line_prefix(file, line) + "'" + std::string(word) + "' is not a module directory";
            return false;
        }
        request.text = (starts_with(path, "kernel/") ? std::string() : std::string("kernel/")) + std::string(path) + "/";
        return true;
    }
    if (!valid_module_name(word)) {
        error = line_prefix(file, line) + "'" + std::string(word) + "' is not a module name, alias or @group";
        return false;
    }
    request.text = normalized_module_name(word);
    return true;
}

// Depth-first post-order: a module is appended after everything it needs, its post-softdeps
// after it.
class Orderer {
public:
    Orderer(const ModuleIndex& index, Resolution& resolution) : index_(index), resolution_(resolution) {}

    bool visit(const std::string& path, std::string& error) {
        if (done_.count(path)) return true;
        if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
            error = "dependency cycle:";
            bool in_cycle = false;
            for (const auto& member : stack_) {
                in_cycle = in_cycle || member == path;
                if (in_cycle) error += " " + member + " ->";
            }
            error += " " + path;
            return false;
        }
        stack_.push_back(path);
        const auto found = index_.dependencies.find(path);
        if (found == index_.dependencies.end()) {
            error = "module file " + path + " is named as a dependency but has no modules.dep line";
            return false;
        }
        // modules.dep lists dependencies so that loading them last-to-first works.
        const auto& dependencies = found->second;
        for (auto it = dependencies.rbegin(); it != dependencies.rend(); ++it)
            if (!visit(*it, error)) return false;
        const std::string name = module_name_of(path);
        if (!visit_softdeps(index_.softdep_pre, name, error)) return false;
        stack_.pop_back();
        done_.insert(path);
        resolution_.load_order.push_back(path);
        return visit_softdeps(index_.softdep_post, name, error);
    }

private:
    // Soft dependencies are best effort, as in modprobe: ones the kernel lacks are skipped.
    bool visit_softdeps(const std::map<std::string, std::vector<std::string>>& table, const std::string& name,
                        std::string& error) {
        const auto found = table.find(name);
        if (found == table.end()) return true;
        for (const auto& target : found->second)
            for (const auto& path : softdep_paths(target))
                if (path != stack_path() && !visit(path, error)) return false;
        return true;
    }
    // A name, or every module an alias matches (as modprobe loads them all).
    std::vector<std::string> softdep_paths(const std::string& target) const {
        const auto by_name = index_.path_by_name.find(normalized_module_name(target));
        if (by_name != index_.path_by_name.end()) return {by_name->second};
        std::vector<std::string> paths;
        for (const auto& [pattern, module] : index_.aliases) {
            const auto path = index_.path_by_name.find(module);
            if (glob_match(pattern, target) && path != index_.path_by_name.end() &&
                std::find(paths.begin(), paths.end(), path->second) == paths.end())
                paths.push_back(path->second);
        }
        return paths;
    }
    std::string stack_path() const { return stack_.empty() ? std::string() : stack_.back(); }

    const ModuleIndex& index_;
    Resolution& resolution_;
    std::set<std::string> done_;
    std::vector<std::string> stack_;
};

bool has_device_alias(const ModuleIndex& index, const std::string& name) {
    return std::any_of(index.aliases.begin(), index.aliases.end(),
                       [&](const auto& alias) { return alias.second == name && is_device_alias(alias.first); });
}

// Filesystems load when hal-init mounts one (by their fs-TYPE alias), not at every boot.
bool has_filesystem_alias(const ModuleIndex& index, const std::string& name) {
    return std::any_of(index.aliases.begin(), index.aliases.end(), [&](const auto& alias) {
        return alias.second == name && alias.first.rfind("fs-", 0) == 0;
    });
}

}  // namespace

std::string module_name_of(std::string_view path) {
    ModuleName name;
    return module_name_from_path(path, name) ? std::string(name.view()) : std::string();
}

bool is_device_alias(std::string_view alias) {
    const size_t colon = alias.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view bus = alias.substr(0, colon);
    return bus != "cpu" && bus != "devname";
}

bool parse_module_list(std::string_view text, const std::string& file_name, std::vector<ModuleRequest>& requests,
                       std::string& error) {
    std::map<std::string, std::vector<ModuleRequest>> groups;
    std::vector<std::pair<std::string_view, unsigned>> entries;
    LineReader reader(text);
    std::string_view line;
    // First pass: group definitions, so a group may be used before it is defined.
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        const size_t equals = line.find('=');
        if (line.front() != '@' || equals == std::string_view::npos) {
            if (line.find_first_of(" \t") != std::string_view::npos) {
                error = line_prefix(file_name, reader.number()) + "one entry per line (or `@group = entries`)";
                return false;
            }
            entries.emplace_back(line, reader.number());
            continue;
        }
        const std::string name(trim(line.substr(1, equals - 1)));
        if (!valid_module_name(name)) {
            error = line_prefix(file_name, reader.number()) + "'@" + name + "' is not a group name";
            return false;
        }
        if (groups.count(name)) {
            error = line_prefix(file_name, reader.number()) + "group @" + name + " is defined twice";
            return false;
        }
        auto& members = groups[name];
        std::string_view rest = line.substr(equals + 1);
        std::string_view word;
        while (next_word(rest, word)) {
            if (word.front() == '@') {
                error = line_prefix(file_name, reader.number()) + "group @" + name + " names another group (" +
                        std::string(word) + "); groups do not nest";
                return false;
            }
            ModuleRequest member;
            if (!parse_entry(word, reader.number(), file_name, member, error)) return false;
            member.group = name;
            members.push_back(member);
        }
    }
    // Second pass: entries in file order, groups expanded in place. A group used again adds
    // nothing (its modules are already requested), unless it was only optional before: so the
    // requests stay linear in the file's size however often a large group is named.
    std::map<std::string, bool> expanded;  // group -> expanded as required
    for (auto [entry, number] : entries) {
        if (entry.front() != '@') {
            ModuleRequest request;
            if (!parse_entry(entry, number, file_name, request, error)) return false;
            requests.push_back(request);
            continue;
        }
        const bool optional = ends_with(entry, "?");
        const std::string name(entry.substr(1, entry.size() - 1 - (optional ? 1 : 0)));
        const auto group = groups.find(name);
        if (group == groups.end()) {
            error = line_prefix(file_name, number) + "group @" + name + " is not defined";
            return false;
        }
        const auto before = expanded.find(name);
        if (before != expanded.end() && (before->second || optional)) continue;
        expanded[name] = !optional;
        for (ModuleRequest member : group->second) {
            member.optional = member.optional || optional;
            requests.push_back(member);
        }
    }
    return true;
}

bool parse_modules_dep(std::string_view text, const std::string& file_name, ModuleIndex& index, std::string& error) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        if (trim(line).empty()) continue;
        DepLine parsed;
        const std::string name = parse_dep_line(line, parsed) ? module_name_of(parsed.module_path) : "";
        if (name.empty()) {
            error = file_name + " line " + std::to_string(reader.number()) + ": not a modules.dep line";
            return false;
        }
        const std::string path(parsed.module_path);
        index.path_by_name.emplace(name, path);
        auto& dependencies = index.dependencies[path];
        std::string_view rest = parsed.dependencies;
        std::string_view dependency;
        while (next_word(rest, dependency)) dependencies.emplace_back(dependency);
    }
    return true;
}

void parse_modules_builtin(std::string_view text, ModuleIndex& index) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        const std::string name = module_name_of(trim(line));
        if (!name.empty()) index.builtin.insert(name);
    }
}

void parse_modules_alias(std::string_view text, ModuleIndex& index) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        std::string_view rest = trim(strip_comment(line));
        std::string_view keyword, pattern, module;
        if (next_word(rest, keyword) && keyword == "alias" && next_word(rest, pattern) && next_word(rest, module))
            index.aliases.emplace_back(std::string(pattern), normalized_module_name(module));
    }
}

void parse_modules_softdep(std::string_view text, ModuleIndex& index) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        std::string_view rest = trim(strip_comment(line));
        std::string_view keyword, module, word;
        if (!next_word(rest, keyword) || keyword != "softdep" || !next_word(rest, module)) continue;
        auto* target = &index.softdep_pre[normalized_module_name(module)];
        while (next_word(rest, word)) {
            if (word == "pre:") target = &index.softdep_pre[normalized_module_name(module)];
            else if (word == "post:") target = &index.softdep_post[normalized_module_name(module)];
            else target->emplace_back(word);
        }
    }
}

bool resolve_modules(const std::vector<ModuleRequest>& requests, const ModuleIndex& index,
                     const std::string& list_file, const std::string& kernel_version, Resolution& resolution,
                     std::string& error) {
    Orderer orderer(index, resolution);
    std::set<std::string> early;
    auto where = [&](const ModuleRequest& request) {
        return line_prefix(list_file, request.line) + (request.group.empty() ? "" : "@" + request.group + ": ");
    };
    for (const auto& request : requests) {
        std::vector<std::string> paths;
        if (request.kind == ModuleRequest::Kind::kName) {
            const auto found = index.path_by_name.find(request.text);
            if (found != index.path_by_name.end()) {
                paths.push_back(found->second);
                if (has_filesystem_alias(index, request.text)) {
                    if (std::find(resolution.filesystems.begin(), resolution.filesystems.end(), request.text) ==
                        resolution.filesystems.end())
                        resolution.filesystems.push_back(request.text);
                } else if (!has_device_alias(index, request.text)) {
                    early.insert(found->second);
                }
            } else if (index.builtin.count(request.text)) {
                resolution.builtin.push_back(request.text);
            }
        } else if (request.kind == ModuleRequest::Kind::kDirectory) {
            // Every module file in the directory (and below it, recursive); drivers among
            // them load when their device is there, so none of them joins the early list.
            for (const auto& [path, dependencies] : index.dependencies) {
                if (path.compare(0, request.text.size(), request.text) != 0) continue;
                if (!request.recursive && path.find('/', request.text.size()) != std::string::npos) continue;
                paths.push_back(path);
            }
        } else {
            // An alias entry: every module one of whose patterns matches it, like modprobe,
            // or whose pattern the entry matches as a glob (pci:v00008086d* names a vendor).
            for (const auto& [pattern, module] : index.aliases) {
                if (!glob_match(pattern, request.text) && !glob_match(request.text, pattern)) continue;
                const auto found = index.path_by_name.find(module);
                if (found != index.path_by_name.end() &&
                    std::find(paths.begin(), paths.end(), found->second) == paths.end())
                    paths.push_back(found->second);
            }
        }
        const bool satisfied = !paths.empty() || (request.kind == ModuleRequest::Kind::kName &&
                                                  index.builtin.count(request.text));
        if (!satisfied) {
            if (request.optional) {
                resolution.missing_optional.push_back(request.text);
                continue;
            }
            const char* what = request.kind == ModuleRequest::Kind::kAlias       ? "alias '"
                               : request.kind == ModuleRequest::Kind::kDirectory ? "module directory '"
                                                                                 : "module '";
            error = where(request) + what + request.text +
                    (request.kind == ModuleRequest::Kind::kDirectory ? "' has no modules" : "' not found") +
                    " for kernel " + kernel_version + " (mark it optional with a trailing '?')";
            return false;
        }
        for (const auto& path : paths) {
            std::string cycle;
            if (!orderer.visit(path, cycle)) {
                error = where(request) + "'" + request.text + "': " + cycle;
                return false;
            }
        }
    }
    for (const auto& path : resolution.load_order)
        if (early.count(path)) resolution.early.push_back(path);
    return true;
}

std::string filtered_modules_dep(const Resolution& resolution, const ModuleIndex& index,
                                 const std::map<std::string, std::string>& renamed) {
    auto image_path = [&renamed](const std::string& path) {
        const auto found = renamed.find(path);
        return found == renamed.end() ? path : found->second;
    };
    std::string text;
    for (const auto& path : resolution.load_order) {
        text += image_path(path) + ":";
        for (const auto& dependency : index.dependencies.at(path)) text += " " + image_path(dependency);
        text += "\n";
    }
    return text;
}

std::string filtered_modules_alias(const Resolution& resolution, const ModuleIndex& index) {
    std::set<std::string> packed;
    for (const auto& path : resolution.load_order) packed.insert(module_name_of(path));
    std::string text;
    for (const auto& [pattern, module] : index.aliases)
        if (packed.count(module)) text += "alias " + pattern + " " + module + "\n";
    return text;
}

std::string filtered_modules_softdep(const Resolution& resolution, const ModuleIndex& index) {
    std::string text;
    for (const auto& path : resolution.load_order) {
        const std::string name = module_name_of(path);
        const auto pre = index.softdep_pre.find(name);
        const auto post = index.softdep_post.find(name);
        if (pre == index.softdep_pre.end() && post == index.softdep_post.end()) continue;
        text += "softdep " + name;
        if (pre != index.softdep_pre.end() && !pre->second.empty()) {
            text += " pre:";
            for (const auto& target : pre->second) text += " " + target;
        }
        if (post != index.softdep_post.end() && !post->second.empty()) {
            text += " post:";
            for (const auto& target : post->second) text += " " + target;
        }
        text += "\n";
    }
    return text;
}

std::string normalized_module_name(std::string_view name) {
    std::string result(name);
    std::replace(result.begin(), result.end(), '-', '_');
    return result;
}

}  // namespace hal::pack
