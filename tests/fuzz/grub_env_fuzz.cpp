// libFuzzer target: GRUB environment blocks (the input, given the header when it has none)
// edited with a flag whose name and value come from the input too.
#include <cstring>
#include <string>

#include "fallback/grub_env.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    const size_t split = text.find('\0');
    const std::string_view value = split == std::string_view::npos ? "" : text.substr(split + 1);
    std::string block(text.substr(0, split));
    if (size % 2 == 0) block.insert(0, hal::kGrubEnvHeader);
    const std::string before = block;
    const std::string_view name = size % 3 == 0 ? "mkinitrd_hal_fallback" : value.substr(0, 8);
    const auto edited = hal::set_grub_env_value(block.data(), block.size(), name, value);
    if (block.size() != before.size()) __builtin_trap();
    if (!edited.ok()) {
        if (block != before || edited.error().message == nullptr) __builtin_trap();
        return 0;
    }
    // What was set reads back, and every other variable is kept.
    if (hal::grub_env_value(block, name) != value) __builtin_trap();
    (void)hal::grub_env_value(before, name);
    char safe[64];
    hal::grub_env_safe_text(value, safe, sizeof safe);
    if (std::strlen(safe) >= sizeof safe) __builtin_trap();
    return 0;
}
