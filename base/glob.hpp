// Shell-style glob matching (*, ?, [...]) as modprobe applies modules.alias patterns.
#pragma once

#include <string_view>

namespace hal {

// fnmatch(pattern, text, 0) semantics for the subset modules.alias uses: '*' any run,
// '?' one character, '[abc]', '[a-z]', '[!x]' classes, '\\' escapes. Iterative, no recursion,
// so hostile patterns cannot exhaust the stack.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace hal
