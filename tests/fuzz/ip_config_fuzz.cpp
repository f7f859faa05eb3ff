// libFuzzer target: the kernel's ip= syntax (ip=CLIENT:SERVER:GATEWAY:NETMASK:...).
#include "net/ip_config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    hal::IpSetting setting(hal::NetMode::kDhcp);
    const char* problem = nullptr;
    if (!hal::parse_ip_setting(text, setting, problem) && problem == nullptr) __builtin_trap();
    uint32_t address = 0;
    (void)hal::parse_ipv4(text, address);
    return 0;
}
