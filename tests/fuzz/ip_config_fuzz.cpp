// libFuzzer target: the kernel's ip= syntax (ip=CLIENT:SERVER:GATEWAY:NETMASK:...).
#include "net/ip_config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    const auto setting = hal::parse_ip_setting(text);
    if (!setting.ok() && setting.error().message == nullptr) __builtin_trap();
    // A static setting always has an address and a netmask.
    if (setting.ok() && setting.value().mode == hal::NetMode::kStatic &&
        (setting.value().client == 0 || setting.value().netmask == 0))
        __builtin_trap();
    uint32_t address = 0;
    (void)hal::parse_ipv4(text, address);
    return 0;
}
