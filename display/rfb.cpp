// RFB 3.8 client side: handshake with security type None, raw framebuffer updates, QEMU's
// pseudo-encodings; every length checked before use. No I/O.
#include "display/rfb.hpp"

#include <cstring>

namespace hal::rfb {
namespace {

constexpr uint8_t kSecurityNone = 1;
constexpr uint32_t kMaxSkip = 16u * 1024 * 1024;  // names, cut text, colour maps
constexpr uint8_t kMessageUpdate = 0, kMessageColourMap = 1, kMessageBell = 2, kMessageCutText = 3;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t be32(const uint8_t* p) {
    return (static_cast<uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}
void put16(uint8_t* p, uint16_t value) {
    p[0] = static_cast<uint8_t>(value >> 8);
    p[1] = static_cast<uint8_t>(value);
}
void put32(uint8_t* p, uint32_t value) {
    put16(p, static_cast<uint16_t>(value >> 16));
    put16(p + 2, static_cast<uint16_t>(value));
}

}  // namespace

bool ServerParser::fail(const char* why) {
    error_ = why;
    return false;
}

void ServerParser::set_reply(const uint8_t* bytes, size_t size) {
    if (size <= sizeof reply_ - reply_size_) {
        std::memcpy(reply_ + reply_size_, bytes, size);
        reply_size_ += size;
    }
}

std::span<const uint8_t> ServerParser::take_reply() {
    const std::span<const uint8_t> reply(reply_, reply_size_);
    reply_size_ = 0;
    return reply;
}

bool ServerParser::need(size_t count, std::span<const uint8_t>& data) {
    const size_t take =
        count > have_ ? (count - have_ < data.size() ? count - have_ : data.size()) : 0;
    std::memcpy(header_ + have_, data.data(), take);
    have_ += take;
    data = data.subspan(take);
    return have_ >= count;
}

// A rectangle is complete: the next one, or the end of the update.
bool ServerParser::finish_rect() {
    if (--rects_left_ == 0) {
        events_.update_done();
        state_ = State::kMessageType;
    } else {
        state_ = State::kRectHeader;
    }
    return true;
}

bool ServerParser::start_rect() {
    const uint16_t x = be16(header_), y = be16(header_ + 2), width = be16(header_ + 4),
                   height = be16(header_ + 6);
    const int32_t encoding = static_cast<int32_t>(be32(header_ + 8));
    have_ = 0;
    switch (encoding) {
        case kEncodingRaw:
            if (static_cast<uint32_t>(x) + width > width_ ||
                static_cast<uint32_t>(y) + height > height_)
                return fail("a raw rectangle lies outside the screen");
            rect_x_ = x, rect_y_ = y, rect_width_ = width, rect_height_ = height;
            rect_offset_ = 0;
            partial_size_ = 0;
            if (static_cast<uint64_t>(width) * height > 0) {
                state_ = State::kRectPixels;
                return true;
            }
            break;
        case kEncodingDesktopSize:
            if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension)
                return fail("the server announced an impossible screen size");
            width_ = width, height_ = height;
            events_.desktop_size(width, height);
            break;
        case kEncodingPointerTypeChange: events_.pointer_absolute(x != 0); break;
        case kEncodingExtendedKeyEvent: break;  // the server's acknowledgement that it takes them
        default: return fail("the server used an encoding that was not asked for");
    }
    return finish_rect();
}

// The handshake: version, security type None, the shared flag, the server's init message.
bool ServerParser::step_handshake(std::span<const uint8_t>& data) {
    switch (state_) {
        case State::kVersion:
            if (!need(12, data)) return true;
            if (std::memcmp(header_, "RFB 003.00", 10) != 0 || header_[11] != '\n' ||
                header_[10] < '3')
                return fail("not an RFB 3.x server");
            set_reply(reinterpret_cast<const uint8_t*>("RFB 003.008\n"), 12);
            have_ = 0;
            state_ = State::kSecurityTypes;
            return true;
        case State::kSecurityTypes: {
            if (!need(1, data)) return true;
            const size_t count = header_[0];
            if (count == 0) return fail("the server refused the connection");
            if (count > sizeof header_ - 1)
                return fail("the server offers too many security types");
            if (!need(1 + count, data)) return true;
            if (std::memchr(header_ + 1, kSecurityNone, count) == nullptr)
                return fail(
                    "the server wants authentication (hal-display speaks only security type None)");
            set_reply(&kSecurityNone, 1);
            have_ = 0;
            state_ = State::kSecurityResult;
            return true;
        }
        case State::kSecurityResult: {
            if (!need(4, data)) return true;
            if (be32(header_) != 0) return fail("the server rejected security type None");
            const uint8_t shared = 1;  // a restarted hal-display must not be locked out
            set_reply(&shared, 1);
            have_ = 0;
            state_ = State::kServerInit;
            return true;
        }
        default: break;
    }
    if (!need(24, data)) return true;
    width_ = be16(header_), height_ = be16(header_ + 2);
    if (width_ > kMaxDimension || height_ > kMaxDimension)
        return fail("the server's screen is impossibly large");
    skip_ = be32(header_ + 20);
    if (skip_ > kMaxSkip) return fail("the server's name is impossibly long");
    have_ = 0;
    events_.server_init(width_, height_);
    state_ = State::kServerName;
    return true;
}

// Bytes the client does not use: the server's name, colour map entries, cut text.
bool ServerParser::skip(std::span<const uint8_t>& data) {
    const size_t take = skip_ < data.size() ? skip_ : data.size();
    skip_ -= static_cast<uint32_t>(take);
    data = data.subspan(take);
    if (skip_ == 0) state_ = State::kMessageType;
    return true;
}

// A server message's type and its fixed header.
bool ServerParser::step_message(std::span<const uint8_t>& data) {
    switch (state_) {
        case State::kMessageType:
            if (!need(1, data)) return true;
            switch (header_[0]) {
                case kMessageUpdate: state_ = State::kUpdateHeader; return true;
                case kMessageColourMap: state_ = State::kColourMap; return true;
                case kMessageCutText: state_ = State::kCutTextHeader; return true;
                case kMessageBell:
                    have_ = 0;
                    events_.bell();
                    return true;
                default: return fail("the server sent an unknown message type");
            }
        case State::kUpdateHeader:
            if (!need(4, data)) return true;
            rects_left_ = be16(header_ + 2);
            have_ = 0;
            if (rects_left_ == 0) events_.update_done();
            state_ = rects_left_ == 0 ? State::kMessageType : State::kRectHeader;
            return true;
        case State::kRectHeader:
            if (!need(12, data)) return true;
            return start_rect();
        case State::kColourMap:
            if (!need(6, data)) return true;
            skip_ = 6u * be16(header_ + 4);
            have_ = 0;
            state_ = skip_ ? State::kColourEntries : State::kMessageType;
            return true;
        default: break;
    }
    if (!need(8, data)) return true;  // kCutTextHeader
    skip_ = be32(header_ + 4);
    if (skip_ > kMaxSkip) return fail("the server's cut text is impossibly long");
    have_ = 0;
    state_ = skip_ ? State::kCutText : State::kMessageType;
    return true;
}

// A raw rectangle's pixels: a pixel split across reads is completed first, then whole runs go
// out row by row.
bool ServerParser::read_pixels(std::span<const uint8_t>& data) {
    const uint64_t total = static_cast<uint64_t>(rect_width_) * rect_height_;
    if (partial_size_ > 0) {
        const size_t take = kBytesPerPixel - partial_size_ < data.size()
                                ? kBytesPerPixel - partial_size_
                                : data.size();
        std::memcpy(partial_ + partial_size_, data.data(), take);
        partial_size_ += take;
        data = data.subspan(take);
        if (partial_size_ < kBytesPerPixel) return true;
        events_.pixels(static_cast<uint16_t>(rect_x_ + rect_offset_ % rect_width_),
                       static_cast<uint16_t>(rect_y_ + rect_offset_ / rect_width_), partial_, 1);
        partial_size_ = 0;
        ++rect_offset_;
    }
    while (rect_offset_ < total && data.size() >= kBytesPerPixel) {
        const uint64_t column = rect_offset_ % rect_width_;
        uint64_t run = rect_width_ - column;
        if (run > data.size() / kBytesPerPixel) run = data.size() / kBytesPerPixel;
        events_.pixels(static_cast<uint16_t>(rect_x_ + column),
                       static_cast<uint16_t>(rect_y_ + rect_offset_ / rect_width_), data.data(),
                       static_cast<size_t>(run));
        rect_offset_ += run;
        data = data.subspan(static_cast<size_t>(run) * kBytesPerPixel);
    }
    if (rect_offset_ >= total) return finish_rect();
    if (!data.empty()) {  // fewer than 4 bytes left: the start of the next pixel
        std::memcpy(partial_, data.data(), data.size());
        partial_size_ = data.size();
        data = {};
    }
    return true;
}

bool ServerParser::step(std::span<const uint8_t>& data) {
    switch (state_) {
        case State::kVersion:
        case State::kSecurityTypes:
        case State::kSecurityResult:
        case State::kServerInit: return step_handshake(data);
        case State::kServerName:
        case State::kColourEntries:
        case State::kCutText: return skip(data);
        case State::kMessageType:
        case State::kUpdateHeader:
        case State::kRectHeader:
        case State::kColourMap:
        case State::kCutTextHeader: return step_message(data);
        case State::kRectPixels: return read_pixels(data);
    }
    return fail("internal parser state");
}

ParseResult ServerParser::feed(std::span<const uint8_t> data) {
    if (*error_) return ParseResult::kError;
    // Each step consumes input or changes state; a step that does neither ends the loop.
    while (!data.empty()) {
        const size_t before = data.size();
        const State was = state_;
        if (!step(data)) return ParseResult::kError;
        if (data.size() == before && state_ == was) break;
    }
    return ParseResult::kOk;
}

size_t set_pixel_format(uint8_t* out) {
    std::memset(out, 0, 20);
    out[0] = 0;   // SetPixelFormat
    out[4] = 32;  // bits per pixel
    out[5] = 24;  // depth
    out[6] = 0;   // little-endian
    out[7] = 1;   // true colour
    put16(out + 8, 255);
    put16(out + 10, 255);
    put16(out + 12, 255);
    out[14] = 16, out[15] = 8, out[16] = 0;  // red, green, blue shifts: XRGB8888
    return 20;
}

size_t set_encodings(uint8_t* out, std::span<const int32_t> encodings) {
    out[0] = 2, out[1] = 0;
    put16(out + 2, static_cast<uint16_t>(encodings.size()));
    for (size_t i = 0; i < encodings.size(); ++i)
        put32(out + 4 + 4 * i, static_cast<uint32_t>(encodings[i]));
    return 4 + 4 * encodings.size();
}

size_t update_request(uint8_t* out, bool incremental, uint16_t width, uint16_t height) {
    out[0] = 3, out[1] = incremental ? 1 : 0;
    put16(out + 2, 0);
    put16(out + 4, 0);
    put16(out + 6, width);
    put16(out + 8, height);
    return 10;
}

size_t pointer_event(uint8_t* out, uint8_t buttons, uint16_t x, uint16_t y) {
    out[0] = 5, out[1] = buttons;
    put16(out + 2, x);
    put16(out + 4, y);
    return 6;
}

size_t extended_key_event(uint8_t* out, bool down, uint32_t keysym, uint32_t key_number) {
    out[0] = 255, out[1] = 0;  // QEMU client message, extended key event
    put16(out + 2, down ? 1 : 0);
    put32(out + 4, keysym);
    put32(out + 8, key_number);
    return 12;
}

}  // namespace hal::rfb
