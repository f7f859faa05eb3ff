// The host programs' error (mkinitrd-hal and the tests, never PID 1): a Result whose error owns
// its message, which names the file, line, module or value at fault. Errors gain context as
// they travel up: whoever knows more prepends it.
#pragma once

#include <string>
#include <utility>

#include "base/result.hpp"

namespace hal {

struct Problem {
    std::string message;
};

template <class T>
using Checked = Result<T, Problem>;
using CheckedStatus = Checked<Unit>;

inline Problem problem(std::string message) { return Problem{std::move(message)}; }
inline CheckedStatus done() { return Unit{}; }

}  // namespace hal
