// The RFB (VNC) protocol as hal-display speaks it to QEMU's VNC server: the client messages it
// sends, and a streaming parser for what the server sends that never buffers a whole frame
// (raw pixels go to the caller as they arrive) and checks every size. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hal::rfb {

// Pseudo-encodings QEMU's server knows (RFC 6143 and the QEMU extensions).
inline constexpr int32_t kEncodingRaw = 0;
inline constexpr int32_t kEncodingDesktopSize = -223;
inline constexpr int32_t kEncodingPointerTypeChange = -257;
inline constexpr int32_t kEncodingExtendedKeyEvent = -258;

// Screens larger than this are refused: a server claiming more is broken or hostile.
inline constexpr uint32_t kMaxDimension = 8192;

// The pixel format hal-display asks for: 32-bit XRGB little-endian, as DRM's XRGB8888.
inline constexpr uint8_t kBytesPerPixel = 4;

// What the parser reports. Every callback's data lives only during the call. (No pure
// virtuals and no virtual destructor: hal-display links without libstdc++'s runtime.)
class Events {
public:
    virtual void server_init(uint16_t width, uint16_t height) { (void)width, (void)height; }
    // `count` pixels (XRGB8888) of row `y`, starting at column `x`.
    virtual void pixels(uint16_t x, uint16_t y, const uint8_t* data, size_t count) {
        (void)x, (void)y, (void)data, (void)count;
    }
    // One framebuffer update message was complete: time to show it and ask for the next.
    virtual void update_done() {}
    virtual void desktop_size(uint16_t width, uint16_t height) { (void)width, (void)height; }
    virtual void pointer_absolute(bool absolute) { (void)absolute; }
    virtual void bell() {}

protected:
    ~Events() = default;
};

enum class ParseResult { kOk, kError };

// Server-to-client messages, from the protocol version on. Feed it whatever bytes arrived;
// it keeps what does not make a whole item yet (at most a header) and goes on next time.
class ServerParser {
public:
    explicit ServerParser(Events& events) : events_(events) {}

    // Consumes all of `data`. On error the connection is unusable; `error()` says why.
    ParseResult feed(std::span<const uint8_t> data);
    const char* error() const { return error_; }
    bool initialized() const { return state_ > State::kServerInit; }

    // The client's answer the handshake needs next (version, security choice, ClientInit),
    // written once `feed` has reached that point; empty when nothing is due.
    std::span<const uint8_t> take_reply();

private:
    enum class State : uint8_t {
        kVersion,
        kSecurityTypes,
        kSecurityResult,
        kServerInit,
        kServerName,
        kMessageType,
        kUpdateHeader,
        kRectHeader,
        kRectPixels,
        kColourMap,
        kColourEntries,
        kCutTextHeader,
        kCutText,
    };

    bool need(size_t count, std::span<const uint8_t>& data);  // fills header_ up to count
    bool fail(const char* why);
    bool step(std::span<const uint8_t>& data);
    bool step_handshake(std::span<const uint8_t>& data);
    bool step_message(std::span<const uint8_t>& data);
    bool skip(std::span<const uint8_t>& data);
    bool read_pixels(std::span<const uint8_t>& data);
    bool start_rect();
    bool finish_rect();
    void set_reply(const uint8_t* bytes, size_t size);

    Events& events_;
    State state_ = State::kVersion;
    const char* error_ = "";
    uint8_t header_[24];
    size_t have_ = 0;
    uint8_t reply_[16];
    size_t reply_size_ = 0;
    uint16_t width_ = 0, height_ = 0;
    uint32_t skip_ = 0;  // bytes of a name, cut text or colour map still to skip
    uint16_t rects_left_ = 0;
    // The raw rectangle being received.
    uint16_t rect_x_ = 0, rect_y_ = 0, rect_width_ = 0, rect_height_ = 0;
    uint64_t rect_offset_ = 0;  // pixels of it already delivered
    uint8_t partial_[kBytesPerPixel];
    size_t partial_size_ = 0;
};

// Client messages; each writes into `out` (at least 20 bytes) and returns the size.
size_t set_pixel_format(uint8_t* out);
size_t set_encodings(uint8_t* out, std::span<const int32_t> encodings);  // out: 4 + 4 * count
size_t update_request(uint8_t* out, bool incremental, uint16_t width, uint16_t height);
size_t pointer_event(uint8_t* out, uint8_t buttons, uint16_t x, uint16_t y);
// QEMU's extended key event: the key by its number (XT scancode, 0x80 | code for E0 keys).
size_t extended_key_event(uint8_t* out, bool down, uint32_t keysym, uint32_t key_number);

}  // namespace hal::rfb
