// libFuzzer target: kernel uevent messages as hal-init reads them from the netlink socket.
#include "devices/uevent.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view message = hal::fuzz::as_text(data, size);
    hal::Uevent event;
    if (!hal::parse_uevent(message, event)) return 0;
    for (std::string_view field : {event.action, event.devpath, event.subsystem, event.modalias,
                                   event.devname, event.major, event.minor})
        hal::fuzz::require_inside(field, message);
    return 0;
}
