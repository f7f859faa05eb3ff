// Resolves modules.list names through the kernel's modules.dep into an ordered load list.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hal::pack {

struct ModuleRequest {
    std::string name;       // normalized: '-' -> '_'
    bool optional = false;  // "name?" in modules.list
    unsigned line = 0;
};

// What a kernel ships, from lib/modules/KVER: modules.dep and modules.builtin.
struct ModuleIndex {
    std::map<std::string, std::string> path_by_name;                // name -> "kernel/...ko"
    std::map<std::string, std::vector<std::string>> dependencies;   // path -> dep paths, as listed
    std::set<std::string> builtin;                                  // names built into the kernel
};

struct Resolution {
    std::vector<std::string> load_order;        // module paths, every dependency first
    std::vector<std::string> builtin;           // requested names the kernel has built in
    std::vector<std::string> missing_optional;  // optional names the kernel does not have
};

// modules.list: one module name per line, '#' comments, a trailing '?' marks it optional.
bool parse_module_list(std::string_view text, const std::string& file_name, std::vector<ModuleRequest>& requests,
                       std::string& error);
bool parse_modules_dep(std::string_view text, const std::string& file_name, ModuleIndex& index, std::string& error);
void parse_modules_builtin(std::string_view text, ModuleIndex& index);

// Orders the requested modules and their dependencies so that each loads after everything
// it needs, each module once. Errors name the module, the list line and the kernel version.
bool resolve_modules(const std::vector<ModuleRequest>& requests, const ModuleIndex& index,
                     const std::string& list_file, const std::string& kernel_version, Resolution& resolution,
                     std::string& error);

// The modules.dep lines of just the packed modules, in load order.
std::string filtered_modules_dep(const Resolution& resolution, const ModuleIndex& index);

}  // namespace hal::pack
