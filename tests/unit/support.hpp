// Helpers the unit tests share: a Result's value, required.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "base/problem.hpp"
#include "base/result.hpp"

namespace hal::test {

// The value of `result`; the test case stops when there is none.
template <class T, class E>
T value_of(const Result<T, E>& result) {
    REQUIRE(result.ok());
    return result.value();
}

// The problem a host-side call reported ("" when it succeeded), for CHECKs on its wording.
template <class T>
std::string message_of(const Checked<T>& result) {
    return result.ok() ? std::string() : result.error().message;
}

// Succeeds, or stops the test case with the problem as the message.
template <class T>
T checked(const Checked<T>& result) {
    REQUIRE_MESSAGE(result.ok(), message_of(result));
    return result.value();
}

}  // namespace hal::test
