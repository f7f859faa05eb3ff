// Result<T, E>: the one error convention of the code base. A value or an error, never both;
// no exceptions. PID 1's errors (Error, ParseError) never allocate; the host programs' errors
// (base/problem.hpp) own their message.
#pragma once

#include <cerrno>
#include <new>
#include <type_traits>
#include <utility>

namespace hal {

// A system call's failure: the operation plus its errno. The caller that knows the file or
// module name logs it once; the error itself carries only static strings.
struct Error {
    const char* operation = "";
    int code = 0;
};

// A parser's rejection of a text: why, as a sentence fragment ("disk has an empty entry"),
// and for a text of many lines, which one (from 1; 0: not tied to a line). Whoever knows the
// key or the file adds it.
struct ParseError {
    const char* message = "";
    unsigned line = 0;
};

struct Unit {};

template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    Result(const T& value) : has_value_(true) { new (&storage_) T(value); }
    Result(T&& value) : has_value_(true) { new (&storage_) T(std::move(value)); }
    Result(E error) : has_value_(false), error_(std::move(error)) {}
    Result(const Result& other) : has_value_(other.has_value_), error_(other.error_) {
        if (has_value_) new (&storage_) T(other.value());
    }
    Result& operator=(const Result& other) {
        if (this == &other) return *this;
        this->~Result();
        return *new (this) Result(other);
    }
    ~Result() {
        if (has_value_) value().~T();
    }

    bool ok() const { return has_value_; }
    explicit operator bool() const { return has_value_; }
    T& value() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
    const T& value() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }
    const E& error() const { return error_; }

private:
    bool has_value_;
    E error_{};
    alignas(T) unsigned char storage_[sizeof(T)];
};

using Status = Result<Unit>;
// What a settings parser returns: the typed value, or why the text is not one.
template <class T>
using Parsed = Result<T, ParseError>;

inline Status ok_status() { return Unit{}; }
inline Error error_from_errno(const char* operation) { return Error{operation, errno}; }

}  // namespace hal

// TRY(expr): evaluate a Result; on error return that error from the enclosing function,
// otherwise yield the value. Uses a GNU statement expression, as SerenityOS does.
#define TRY(expression)                                    \
    ({                                                     \
        auto try_result_ = (expression);                   \
        if (!try_result_.ok()) return try_result_.error(); \
        std::move(try_result_.value());                    \
    })
