// libFuzzer target: the QMP message parser must accept or reject any bytes without a fault.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "supervision/qmp_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto message =
        hal::parse_qmp_message(std::string_view(reinterpret_cast<const char*>(data), size));
    // Every field the parser returns must lie inside the input.
    for (std::string_view field :
         {message.event, message.reason, message.error_class, message.error_text}) {
        if (field.empty()) continue;
        const auto* begin = reinterpret_cast<const uint8_t*>(field.data());
        if (begin < data || begin + field.size() > data + size) __builtin_trap();
    }
    return 0;
}
