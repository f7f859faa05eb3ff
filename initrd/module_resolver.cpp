// modules.list and modules.dep parsing, and the depth-first ordering of the load list.
#include "initrd/module_resolver.hpp"

#include <algorithm>

#include "common/modules_dep.hpp"
#include "common/text.hpp"

namespace hal::pack {
namespace {

std::string normalized(std::string_view name) {
    std::string result(name);
    std::replace(result.begin(), result.end(), '-', '_');
    return result;
}

bool name_of_path(std::string_view path, std::string& name) {
    ModuleName fixed;
    if (!module_name_from_path(path, fixed)) return false;
    name = std::string(fixed.view());
    return true;
}

bool valid_module_name(std::string_view name) {
    if (name.empty() || name.size() >= kModuleNameCapacity) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// Depth-first post-order: a module is appended after all of its dependencies.
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
        // modules.dep lists dependencies so that loading them last-to-first works; walking
        // them in that order keeps the result close to what modprobe would do.
        const auto& dependencies = found->second;
        for (auto it = dependencies.rbegin(); it != dependencies.rend(); ++it)
            if (!visit(*it, error)) return false;
        stack_.pop_back();
        done_.insert(path);
        resolution_.load_order.push_back(path);
        return true;
    }

private:
    const ModuleIndex& index_;
    Resolution& resolution_;
    std::set<std::string> done_;
    std::vector<std::string> stack_;
};

}  // namespace

bool parse_module_list(std::string_view text, const std::string& file_name, std::vector<ModuleRequest>& requests,
                       std::string& error) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        ModuleRequest request;
        request.line = reader.number();
        if (ends_with(line, "?")) {
            request.optional = true;
            line = trim(line.substr(0, line.size() - 1));
        }
        if (!valid_module_name(line)) {
            error = file_name + " line " + std::to_string(reader.number()) + ": '" + std::string(line) +
                    "' is not a module name";
            return false;
        }
        request.name = normalized(line);
        requests.push_back(request);
    }
    return true;
}

bool parse_modules_dep(std::string_view text, const std::string& file_name, ModuleIndex& index, std::string& error) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        if (trim(line).empty()) continue;
        DepLine parsed;
        std::string name;
        if (!parse_dep_line(line, parsed) || !name_of_path(parsed.module_path, name)) {
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
        std::string name;
        if (name_of_path(trim(line), name)) index.builtin.insert(name);
    }
}

bool resolve_modules(const std::vector<ModuleRequest>& requests, const ModuleIndex& index,
                     const std::string& list_file, const std::string& kernel_version, Resolution& resolution,
                     std::string& error) {
    Orderer orderer(index, resolution);
    for (const auto& request : requests) {
        const auto found = index.path_by_name.find(request.name);
        if (found == index.path_by_name.end()) {
            if (index.builtin.count(request.name)) {
                resolution.builtin.push_back(request.name);
                continue;
            }
            if (request.optional) {
                resolution.missing_optional.push_back(request.name);
                continue;
            }
            error = list_file + " line " + std::to_string(request.line) + ": module '" + request.name +
                    "' not found for kernel " + kernel_version + " (mark it optional with a trailing '?')";
            return false;
        }
        std::string cycle;
        if (!orderer.visit(found->second, cycle)) {
            error = list_file + " line " + std::to_string(request.line) + ": module '" + request.name + "': " + cycle;
            return false;
        }
    }
    return true;
}

std::string filtered_modules_dep(const Resolution& resolution, const ModuleIndex& index) {
    std::string text;
    for (const auto& path : resolution.load_order) {
        text += path + ":";
        for (const auto& dependency : index.dependencies.at(path)) text += " " + dependency;
        text += "\n";
    }
    return text;
}

}  // namespace hal::pack
