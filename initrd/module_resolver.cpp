// modules.list parsing and resolution: dependency-first ordering, soft dependencies, aliases.
#include "initrd/module_resolver.hpp"

#include <algorithm>

#include "base/glob.hpp"
#include "base/text.hpp"
#include "image/module_file.hpp"
#include "modules/modules_dep.hpp"

namespace hal::pack {
namespace {

bool valid_module_name(std::string_view name) {
    if (name.empty() || name.size() >= kModuleNameCapacity) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string line_prefix(const std::string& file, unsigned line) {
    return file + " line " + std::to_string(line) + ": ";
}

// A directory entry: kernel/drivers/ata/ (its modules), kernel/.../** and =drivers/... (all
// below it).
Checked<ModuleRequest> parse_directory(std::string_view word, unsigned line,
                                       const std::string& file, ModuleRequest request) {
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
    if (path.empty() || path.find("..") != std::string_view::npos ||
        path.find('*') != std::string_view::npos)
        return problem(line_prefix(file, line) + "'" + std::string(word) +
                       "' is not a module directory");
    request.text = (starts_with(path, "kernel/") ? std::string() : std::string("kernel/")) +
                   std::string(path) + "/";
    return request;
}

// One entry word ("virtio_blk", "pci:v00008086d*?", "kernel/drivers/ata/") into a request.
Checked<ModuleRequest> parse_entry(std::string_view word, unsigned line, const std::string& file) {
    ModuleRequest request;
    request.line = line;
    if (ends_with(word, "?")) {
        request.optional = true;
        word.remove_suffix(1);
    }
    if (word.find(':') != std::string_view::npos) {
        request.kind = ModuleRequest::Kind::kAlias;
        request.text = std::string(word);
        return request;
    }
    if (starts_with(word, "kernel/") || starts_with(word, "="))
        return parse_directory(word, line, file, request);
    if (!valid_module_name(word))
        return problem(line_prefix(file, line) + "'" + std::string(word) +
                       "' is not a module name, alias or @group");
    request.text = normalized_module_name(word);
    return request;
}

// Depth-first post-order: a module is appended after everything it needs, its post-softdeps
// after it.
class Orderer {
public:
    Orderer(const ModuleIndex& index, Resolution& resolution)
        : index_(index), resolution_(resolution) {}

    CheckedStatus visit(const std::string& path) {
        if (done_.count(path)) return done();
        if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) return cycle_to(path);
        stack_.push_back(path);
        const auto found = index_.dependencies.find(path);
        if (found == index_.dependencies.end())
            return problem("module file " + path +
                           " is named as a dependency but has no modules.dep line");
        // modules.dep lists dependencies so that loading them last-to-first works.
        const auto& dependencies = found->second;
        for (auto it = dependencies.rbegin(); it != dependencies.rend(); ++it) TRY(visit(*it));
        const std::string name = module_name_of(path);
        TRY(visit_softdeps(index_.softdep_pre, name));
        stack_.pop_back();
        done_.insert(path);
        resolution_.load_order.push_back(path);
        return visit_softdeps(index_.softdep_post, name);
    }

private:
    Problem cycle_to(const std::string& path) const {
        std::string text = "dependency cycle:";
        bool in_cycle = false;
        for (const auto& member : stack_) {
            in_cycle = in_cycle || member == path;
            if (in_cycle) text += " " + member + " ->";
        }
        return problem(text + " " + path);
    }
    // Soft dependencies are best effort, as in modprobe: ones the kernel lacks are skipped.
    CheckedStatus visit_softdeps(const std::map<std::string, std::vector<std::string>>& table,
                                 const std::string& name) {
        const auto found = table.find(name);
        if (found == table.end()) return done();
        for (const auto& target : found->second)
            for (const auto& path : softdep_paths(target))
                if (path != stack_path()) TRY(visit(path));
        return done();
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
    return std::any_of(index.aliases.begin(), index.aliases.end(), [&](const auto& alias) {
        return alias.second == name && is_device_alias(alias.first);
    });
}

// Filesystems load when hal-init mounts one (by their fs-TYPE alias), not at every boot.
bool has_filesystem_alias(const ModuleIndex& index, const std::string& name) {
    return std::any_of(index.aliases.begin(), index.aliases.end(), [&](const auto& alias) {
        return alias.second == name && alias.first.rfind("fs-", 0) == 0;
    });
}

}  // namespace

bool is_device_alias(std::string_view alias) {
    const size_t colon = alias.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view bus = alias.substr(0, colon);
    return bus != "cpu" && bus != "devname";
}

namespace {

using Groups = std::map<std::string, std::vector<ModuleRequest>>;
using Entries = std::vector<std::pair<std::string_view, unsigned>>;

// `@name = entry entry...`: a group's members, with the group named in each.
CheckedStatus parse_group(std::string_view line, unsigned number, const std::string& file_name,
                          Groups& groups) {
    const size_t equals = line.find('=');
    const std::string name(trim(line.substr(1, equals - 1)));
    if (!valid_module_name(name))
        return problem(line_prefix(file_name, number) + "'@" + name + "' is not a group name");
    if (groups.count(name))
        return problem(line_prefix(file_name, number) + "group @" + name + " is defined twice");
    auto& members = groups[name];
    std::string_view rest = line.substr(equals + 1);
    std::string_view word;
    while (next_word(rest, word)) {
        if (word.front() == '@')
            return problem(line_prefix(file_name, number) + "group @" + name +
                           " names another group (" + std::string(word) + "); groups do not nest");
        ModuleRequest member = TRY(parse_entry(word, number, file_name));
        member.group = name;
        members.push_back(member);
    }
    return done();
}

// First pass: group definitions (so a group may be used before it is defined), and the other
// entries in file order.
CheckedStatus read_lines(std::string_view text, const std::string& file_name, Groups& groups,
                         Entries& entries) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        if (line.front() == '@' && line.find('=') != std::string_view::npos) {
            TRY(parse_group(line, reader.number(), file_name, groups));
            continue;
        }
        if (line.find_first_of(" \t") != std::string_view::npos)
            return problem(line_prefix(file_name, reader.number()) +
                           "one entry per line (or `@group = entries`)");
        entries.emplace_back(line, reader.number());
    }
    return done();
}

}  // namespace

Checked<std::vector<ModuleRequest>> parse_module_list(std::string_view text,
                                                      const std::string& file_name) {
    Groups groups;
    Entries entries;
    TRY(read_lines(text, file_name, groups, entries));
    // Second pass: entries in file order, groups expanded in place. A group used again adds
    // nothing (its modules are already requested), unless it was only optional before: so the
    // requests stay linear in the file's size however often a large group is named.
    std::vector<ModuleRequest> requests;
    std::map<std::string, bool> expanded;  // group -> expanded as required
    for (auto [entry, number] : entries) {
        if (entry.front() != '@') {
            requests.push_back(TRY(parse_entry(entry, number, file_name)));
            continue;
        }
        const bool optional = ends_with(entry, "?");
        const std::string name(entry.substr(1, entry.size() - 1 - (optional ? 1 : 0)));
        const auto group = groups.find(name);
        if (group == groups.end())
            return problem(line_prefix(file_name, number) + "group @" + name + " is not defined");
        const auto before = expanded.find(name);
        if (before != expanded.end() && (before->second || optional)) continue;
        expanded[name] = !optional;
        for (ModuleRequest member : group->second) {
            member.optional = member.optional || optional;
            requests.push_back(member);
        }
    }
    return requests;
}

CheckedStatus parse_modules_dep(std::string_view text, const std::string& file_name,
                                ModuleIndex& index) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        if (trim(line).empty()) continue;
        DepLine parsed;
        const std::string name =
            parse_dep_line(line, parsed) ? module_name_of(parsed.module_path) : "";
        if (name.empty())
            return problem(file_name + " line " + std::to_string(reader.number()) +
                           ": not a modules.dep line");
        const std::string path(parsed.module_path);
        index.path_by_name.emplace(name, path);
        auto& dependencies = index.dependencies[path];
        std::string_view rest = parsed.dependencies;
        std::string_view dependency;
        while (next_word(rest, dependency)) dependencies.emplace_back(dependency);
    }
    return done();
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
    for_each_content_line(text, [&](std::string_view rest) {
        std::string_view keyword, pattern, module;
        if (next_word(rest, keyword) && keyword == "alias" && next_word(rest, pattern) &&
            next_word(rest, module))
            index.aliases.emplace_back(std::string(pattern), normalized_module_name(module));
        return true;
    });
}

void parse_modules_softdep(std::string_view text, ModuleIndex& index) {
    for_each_content_line(text, [&](std::string_view rest) {
        std::string_view keyword, module, word;
        if (!next_word(rest, keyword) || keyword != "softdep" || !next_word(rest, module))
            return true;
        auto* target = &index.softdep_pre[normalized_module_name(module)];
        while (next_word(rest, word)) {
            if (word == "pre:")
                target = &index.softdep_pre[normalized_module_name(module)];
            else if (word == "post:")
                target = &index.softdep_post[normalized_module_name(module)];
            else
                target->emplace_back(word);
        }
        return true;
    });
}

namespace {

// The module files one request names, and what it adds to the early, filesystem and builtin
// lists.
class RequestResolver {
public:
    RequestResolver(const ModuleIndex& index, Resolution& resolution)
        : index_(index), resolution_(resolution) {}

    std::vector<std::string> paths(const ModuleRequest& request) {
        switch (request.kind) {
            case ModuleRequest::Kind::kName: return by_name(request.text);
            case ModuleRequest::Kind::kDirectory: return in_directory(request);
            case ModuleRequest::Kind::kAlias: break;
        }
        return by_alias(request.text);
    }
    bool early(const std::string& path) const { return early_.count(path) > 0; }

private:
    std::vector<std::string> by_name(const std::string& name) {
        const auto found = index_.path_by_name.find(name);
        if (found == index_.path_by_name.end()) {
            if (index_.builtin.count(name)) resolution_.builtin.push_back(name);
            return {};
        }
        if (has_filesystem_alias(index_, name)) {
            auto& filesystems = resolution_.filesystems;
            if (std::find(filesystems.begin(), filesystems.end(), name) == filesystems.end())
                filesystems.push_back(name);
        } else if (!has_device_alias(index_, name)) {
            early_.insert(found->second);
        }
        return {found->second};
    }
    // Every module file in the directory (and below it, recursive); drivers among them load
    // when their device is there, so none of them joins the early list.
    std::vector<std::string> in_directory(const ModuleRequest& request) const {
        std::vector<std::string> paths;
        for (const auto& [path, dependencies] : index_.dependencies) {
            if (path.compare(0, request.text.size(), request.text) != 0) continue;
            if (!request.recursive && path.find('/', request.text.size()) != std::string::npos)
                continue;
            paths.push_back(path);
        }
        return paths;
    }
    // Every module one of whose patterns matches the entry, like modprobe, or whose pattern the
    // entry matches as a glob (pci:v00008086d* names a vendor).
    std::vector<std::string> by_alias(const std::string& text) const {
        std::vector<std::string> paths;
        for (const auto& [pattern, module] : index_.aliases) {
            if (!glob_match(pattern, text) && !glob_match(text, pattern)) continue;
            const auto found = index_.path_by_name.find(module);
            if (found != index_.path_by_name.end() &&
                std::find(paths.begin(), paths.end(), found->second) == paths.end())
                paths.push_back(found->second);
        }
        return paths;
    }

    const ModuleIndex& index_;
    Resolution& resolution_;
    std::set<std::string> early_;
};

std::string not_found(const ModuleRequest& request, const std::string& kernel_version) {
    const char* what = request.kind == ModuleRequest::Kind::kAlias       ? "alias '"
                       : request.kind == ModuleRequest::Kind::kDirectory ? "module directory '"
                                                                         : "module '";
    return what + request.text +
           (request.kind == ModuleRequest::Kind::kDirectory ? "' has no modules" : "' not found") +
           " for kernel " + kernel_version + " (mark it optional with a trailing '?')";
}

}  // namespace

Checked<Resolution> resolve_modules(const std::vector<ModuleRequest>& requests,
                                    const ModuleIndex& index, const std::string& list_file,
                                    const std::string& kernel_version) {
    Resolution resolution;
    Orderer orderer(index, resolution);
    RequestResolver resolver(index, resolution);
    auto where = [&](const ModuleRequest& request) {
        return line_prefix(list_file, request.line) +
               (request.group.empty() ? "" : "@" + request.group + ": ");
    };
    for (const auto& request : requests) {
        const std::vector<std::string> paths = resolver.paths(request);
        const bool builtin =
            request.kind == ModuleRequest::Kind::kName && index.builtin.count(request.text);
        if (paths.empty() && !builtin) {
            if (!request.optional)
                return problem(where(request) + not_found(request, kernel_version));
            resolution.missing_optional.push_back(request.text);
            continue;
        }
        for (const auto& path : paths) {
            const auto visited = orderer.visit(path);
            if (!visited.ok())
                return problem(where(request) + "'" + request.text +
                               "': " + visited.error().message);
        }
    }
    for (const auto& path : resolution.load_order)
        if (resolver.early(path)) resolution.early.push_back(path);
    return resolution;
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
        for (const auto& dependency : index.dependencies.at(path))
            text += " " + image_path(dependency);
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
