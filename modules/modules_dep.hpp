// Kernel module naming and the line format of modules.dep, shared by the packer and hal-init.
#pragma once

#include <string_view>

#include "base/text.hpp"

namespace hal {

inline constexpr size_t kModuleNameCapacity = 64;
using ModuleName = FixedString<kModuleNameCapacity>;

// Module names treat '-' and '_' as the same character, as the kernel and modprobe do.
inline bool same_module_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = a[i] == '-' ? '_' : a[i];
        const char y = b[i] == '-' ? '_' : b[i];
        if (x != y) return false;
    }
    return true;
}

// The extensions a module file may carry; the packer decompresses the compressed ones.
inline constexpr std::string_view kModuleExtensions[] = {".ko", ".ko.gz", ".ko.xz", ".ko.zst"};

// "kernel/arch/x86/kvm/kvm-intel.ko" -> "kvm_intel". False when the path is no module file
// or the name does not fit.
inline bool module_name_from_path(std::string_view path, ModuleName& name) {
    const size_t slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    bool stripped = false;
    for (std::string_view extension : kModuleExtensions) {
        if (ends_with(base, extension) && base.size() > extension.size()) {
            base.remove_suffix(extension.size());
            stripped = true;
            break;
        }
    }
    if (!stripped) return false;
    name.clear();
    for (char c : base)
        if (!name.append(c == '-' ? '_' : c)) return false;
    return true;
}

// One modules.dep line: "path: dep1 dep2 ...". The dependencies are the full transitive set,
// listed so that loading them from last to first satisfies every symbol.
struct DepLine {
    std::string_view module_path;
    std::string_view dependencies;  // whitespace-separated paths; use next_word()
};

inline bool parse_dep_line(std::string_view line, DepLine& out) {
    line = trim(line);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    out.module_path = trim(line.substr(0, colon));
    out.dependencies = trim(line.substr(colon + 1));
    return !out.module_path.empty();
}

}  // namespace hal
