// GRUB's environment block: the file grub-editenv makes and GRUB's load_env/save_env read and
// rewrite in place. Its header line, one NAME=VALUE line per variable, then '#' up to its size
// (1024 bytes), which never changes: GRUB writes it through the blocks it already occupies.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.hpp"

namespace hal {

inline constexpr std::string_view kGrubEnvHeader = "# GRUB Environment Block\n";
inline constexpr size_t kGrubEnvMaxSize = 4096;

// The value of `name` in the block, or empty when it is not set. The block must start with
// the header (grub_env_valid).
std::string_view grub_env_value(std::string_view block, std::string_view name);
bool grub_env_valid(std::string_view block);

// Sets `name` to `value` in `block` (`size` bytes, edited in place, same size); an empty value
// removes the variable. Errors: not an environment block, no room left, a name or value GRUB
// would have to escape (only letters, digits and " ,.:;()/=_-" are written).
Parsed<Unit> set_grub_env_value(char* block, size_t size, std::string_view name,
                                std::string_view value);

// `text` with every character set_grub_env_value refuses replaced by '_', at most `capacity`-1
// bytes, into `out`.
void grub_env_safe_text(std::string_view text, char* out, size_t capacity);

}  // namespace hal
