// libFuzzer target: hal.conf and the kernel command line's hal.KEY=VALUE and ip= words.
// Input: the config file, a NUL, the command line.
#include "config/config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view rest = hal::fuzz::as_text(data, size);
    const std::string_view file = hal::fuzz::next_part(rest);
    static hal::Config config;
    const auto parsed = hal::parse_config(file);
    if (!parsed.ok() && parsed.error().message == nullptr)
        __builtin_trap();  // a rejection always says why
    config = parsed.ok() ? parsed.value() : hal::default_config();
    hal::apply_cmdline_overrides(config, rest,
                                 [&](std::string_view, std::string_view, const char* problem) {
                                     if (problem == nullptr) __builtin_trap();
                                 });
    return 0;
}
