// libFuzzer target: hal-display's RFB (VNC) server-message parser, fed the way a socket
// delivers bytes: in chunks whose sizes the input's first byte chooses. Every pixel run it
// reports must lie inside the framebuffer the server announced (or last resized to).
#include <algorithm>

#include "display/rfb.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

class CheckingEvents final : public hal::rfb::Events {
public:
    void server_init(uint16_t width, uint16_t height) override { width_ = width, height_ = height; }
    void desktop_size(uint16_t width, uint16_t height) override {
        width_ = width, height_ = height;
    }
    void pixels(uint16_t x, uint16_t y, const uint8_t* data, size_t count) override {
        if (data == nullptr || count == 0) __builtin_trap();
        if (y >= height_ || x + count > width_) __builtin_trap();
        volatile uint8_t sink = data[count * hal::rfb::kBytesPerPixel - 1];  // readable, all of it
        (void)sink;
    }

private:
    uint16_t width_ = 0, height_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t chunk = 1 + data[0] % 64;
    CheckingEvents events;
    hal::rfb::ServerParser parser(events);
    for (size_t offset = 1; offset < size; offset += chunk) {
        const size_t count = std::min(chunk, size - offset);
        if (parser.feed({data + offset, count}) == hal::rfb::ParseResult::kError) {
            if (parser.error() == nullptr) __builtin_trap();
            break;
        }
        (void)parser.take_reply();
    }
    return 0;
}
