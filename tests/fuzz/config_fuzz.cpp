// libFuzzer target: hal.conf and the kernel command line's hal.KEY=VALUE and ip= words.
// Input: the config file, a NUL, the command line.
#include "config/config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view rest = hal::fuzz::as_text(data, size);
    const std::string_view file = hal::fuzz::next_part(rest);
    hal::Config config;
    hal::ConfigError error;
    const bool parsed = hal::parse_config(file, config, error);
    if (!parsed && error.message == nullptr) __builtin_trap();  // a rejection always says why
    unsigned reports = 0;
    hal::apply_cmdline_overrides(config, rest, [&](std::string_view, std::string_view, const hal::ConfigError& problem) {
        if (problem.message == nullptr) __builtin_trap();
        ++reports;
    });
    return 0;
}
