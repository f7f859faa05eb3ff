// modules.list (names, aliases, @groups) resolved through the kernel's modules.dep,
// modules.softdep, modules.alias and modules.builtin into what the image carries and loads.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/problem.hpp"

namespace hal::pack {

struct ModuleRequest {
    enum class Kind { kName, kAlias, kDirectory };
    Kind kind = Kind::kName;
    // A normalized module name ('-' -> '_'), an alias glob, or a directory of the module tree
    // ("kernel/drivers/ata/", with a trailing slash).
    std::string text;
    bool recursive = false;  // kDirectory: its subdirectories too
    bool optional = false;   // trailing '?'
    unsigned line = 0;
    std::string group;  // the @group it came from, for messages
};

// What a kernel ships, from lib/modules/KVER.
struct ModuleIndex {
    std::map<std::string, std::string> path_by_name;               // name -> "kernel/...ko"
    std::map<std::string, std::vector<std::string>> dependencies;  // path -> dep paths, as listed
    std::vector<std::pair<std::string, std::string>> aliases;      // (glob, module name)
    std::map<std::string, std::vector<std::string>> softdep_pre;   // name -> names or aliases
    std::map<std::string, std::vector<std::string>> softdep_post;
    std::set<std::string> builtin;  // names built into the kernel
};

struct Resolution {
    std::vector<std::string> load_order;  // every packed module path, dependencies first
    std::vector<std::string> early;       // paths hal-init loads at boot whatever the hardware
    std::vector<std::string>
        filesystems;                   // names the list asks for that are filesystems (fs- alias)
    std::vector<std::string> builtin;  // requested names the kernel has built in
    std::vector<std::string> missing_optional;  // optional entries the kernel does not have
};

// modules.list: one entry per line, '#' comments. An entry is a module name, an alias glob
// (anything with ':'), a directory of the module tree (`kernel/drivers/ata/` its modules,
// `kernel/drivers/net/ethernet/**` or dracut's `=drivers/net/ethernet` those below it too),
// or @group; a trailing '?' makes it optional. `@name = entry entry...` defines a group
// (anywhere in the file); a group named again adds nothing unless it was optional before.
Checked<std::vector<ModuleRequest>> parse_module_list(std::string_view text,
                                                      const std::string& file_name);
CheckedStatus parse_modules_dep(std::string_view text, const std::string& file_name,
                                ModuleIndex& index);
void parse_modules_builtin(std::string_view text, ModuleIndex& index);
void parse_modules_alias(std::string_view text, ModuleIndex& index);
void parse_modules_softdep(std::string_view text, ModuleIndex& index);

// True for aliases a device's modalias can match (pci:, virtio:, scsi:, acpi*:...), as
// opposed to request aliases (char-major-*, devname:, fs-*) and CPU feature aliases.
bool is_device_alias(std::string_view alias);

// Orders the requested modules, their dependencies and soft dependencies so that each
// loads after everything it needs, each once. Modules named directly that no device alias
// could load become the early list, but for filesystems (an fs-TYPE alias), which hal-init
// loads when it mounts one. Errors name the entry, line and kernel version.
Checked<Resolution> resolve_modules(const std::vector<ModuleRequest>& requests,
                                    const ModuleIndex& index, const std::string& list_file,
                                    const std::string& kernel_version);

// The image's index files: just the packed modules' lines.
std::string filtered_modules_dep(const Resolution& resolution, const ModuleIndex& index,
                                 const std::map<std::string, std::string>& renamed = {});
std::string filtered_modules_alias(const Resolution& resolution, const ModuleIndex& index);
std::string filtered_modules_softdep(const Resolution& resolution, const ModuleIndex& index);

// The kernel's spelling of a module name: '-' -> '_' ("crc32c-intel" -> "crc32c_intel").
std::string normalized_module_name(std::string_view name);

}  // namespace hal::pack
