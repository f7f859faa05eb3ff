// Helpers the unit tests share: a Result's value, required.
#pragma once

#include <doctest/doctest.h>

#include "base/result.hpp"

namespace hal::test {

// The value of `result`; the test case stops when there is none.
template <class T, class E>
T value_of(const Result<T, E>& result) {
    REQUIRE(result.ok());
    return result.value();
}

}  // namespace hal::test
