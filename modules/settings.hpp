// The modules capability's setting `load`: modules loaded at every boot whatever the
// hardware (hal.load=kvm_intel), as a typed list. No I/O.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.hpp"
#include "modules/modules_dep.hpp"

namespace hal {

inline constexpr size_t kMaxForcedModules = 16;

struct ModuleSettings {
    ModuleName load[kMaxForcedModules];  // `load`, in the order given
    size_t load_count = 0;
    bool operator==(const ModuleSettings&) const = default;
};

// Comma-separated module names (letters, digits, '-', '_'); empty entries are skipped.
Parsed<ModuleSettings> parse_module_load(std::string_view text);

}  // namespace hal
