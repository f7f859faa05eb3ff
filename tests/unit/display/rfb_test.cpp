// Unit tests for the RFB client: the handshake and replies, raw rectangles split at every
// byte boundary, pseudo-encodings, and hostile sizes.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "display/rfb.hpp"

using namespace hal;

namespace {

struct Recorder final : rfb::Events {
    std::vector<uint8_t> frame;  // XRGB, width_ x height_
    uint16_t width = 0, height = 0;
    int updates = 0, bells = 0;
    std::vector<bool> pointer_modes;
    void server_init(uint16_t w, uint16_t h) override {
        width = w, height = h;
        frame.assign(static_cast<size_t>(w) * h * 4, 0);
    }
    void desktop_size(uint16_t w, uint16_t h) override { server_init(w, h); }
    void pixels(uint16_t x, uint16_t y, const uint8_t* data, size_t count) override {
        REQUIRE(x + count <= width);
        REQUIRE(y < height);
        std::memcpy(&frame[(static_cast<size_t>(y) * width + x) * 4], data, count * 4);
    }
    void update_done() override { ++updates; }
    void pointer_absolute(bool absolute) override { pointer_modes.push_back(absolute); }
    void bell() override { ++bells; }
};

void be16(std::vector<uint8_t>& out, uint16_t value) {
    out.push_back(static_cast<uint8_t>(value >> 8));
    out.push_back(static_cast<uint8_t>(value));
}
void be32(std::vector<uint8_t>& out, uint32_t value) {
    be16(out, static_cast<uint16_t>(value >> 16));
    be16(out, static_cast<uint16_t>(value));
}

std::vector<uint8_t> handshake(uint16_t width, uint16_t height) {
    std::vector<uint8_t> out;
    for (char c : std::string("RFB 003.008\n")) out.push_back(static_cast<uint8_t>(c));
    out.push_back(1);
    out.push_back(1);  // security: None
    be32(out, 0);      // security result OK
    be16(out, width);
    be16(out, height);
    out.insert(out.end(), 16, 0);  // pixel format
    be32(out, 4);
    for (char c : std::string("QEMU")) out.push_back(static_cast<uint8_t>(c));
    return out;
}

void rect_header(std::vector<uint8_t>& out, uint16_t x, uint16_t y, uint16_t w, uint16_t h,
                 int32_t encoding) {
    be16(out, x);
    be16(out, y);
    be16(out, w);
    be16(out, h);
    be32(out, static_cast<uint32_t>(encoding));
}

// A 3x2 raw rectangle at 1,1 of pixels numbered 1..6, then a pointer mode change and a bell.
std::vector<uint8_t> session() {
    std::vector<uint8_t> out = handshake(5, 4);
    out.push_back(0);
    out.push_back(0);
    be16(out, 2);
    rect_header(out, 1, 1, 3, 2, rfb::kEncodingRaw);
    for (uint8_t pixel = 1; pixel <= 6; ++pixel) {
        out.push_back(pixel);
        out.push_back(0);
        out.push_back(0);
        out.push_back(0);
    }
    rect_header(out, 1, 0, 0, 0, rfb::kEncodingPointerTypeChange);
    out.push_back(2);  // bell
    return out;
}

void check_frame(const Recorder& recorder) {
    CHECK(recorder.width == 5);
    CHECK(recorder.updates == 1);
    CHECK(recorder.bells == 1);
    CHECK(recorder.pointer_modes == std::vector<bool>{true});
    uint8_t expected = 1;
    for (int y = 1; y <= 2; ++y)
        for (int x = 1; x <= 3; ++x) CHECK(recorder.frame[(y * 5 + x) * 4] == expected++);
    CHECK(recorder.frame[0] == 0);
}

}  // namespace

TEST_CASE(
    "rfb: whole session in one read -> handshake replies, raw pixels placed, pseudo-encodings "
    "reported") {
    Recorder recorder;
    rfb::ServerParser parser(recorder);
    const auto data = session();
    REQUIRE(parser.feed(data) == rfb::ParseResult::kOk);
    const auto reply = parser.take_reply();
    // Version, the chosen security type None, ClientInit shared.
    CHECK(std::string(reply.begin(), reply.end()) == std::string("RFB 003.008\n\x01\x01", 14));
    CHECK(parser.initialized());
    check_frame(recorder);
}

TEST_CASE("rfb: the same session split at every byte -> the same frame") {
    const auto data = session();
    for (size_t split = 1; split < data.size(); ++split) {
        CAPTURE(split);
        Recorder recorder;
        rfb::ServerParser parser(recorder);
        REQUIRE(parser.feed({data.data(), split}) == rfb::ParseResult::kOk);
        REQUIRE(parser.feed({data.data() + split, data.size() - split}) == rfb::ParseResult::kOk);
        check_frame(recorder);
    }
    Recorder one_by_one;
    rfb::ServerParser parser(one_by_one);
    for (uint8_t byte : data) REQUIRE(parser.feed({&byte, 1}) == rfb::ParseResult::kOk);
    check_frame(one_by_one);
}

TEST_CASE("rfb: desktop size, cut text and colour maps are handled or skipped") {
    Recorder recorder;
    rfb::ServerParser parser(recorder);
    auto data = handshake(5, 4);
    data.push_back(3);  // cut text of 3 bytes
    data.insert(data.end(), {0, 0, 0});
    be32(data, 3);
    data.insert(data.end(), {'a', 'b', 'c'});
    data.push_back(0);
    data.push_back(0);
    be16(data, 1);
    rect_header(data, 0, 0, 8, 6, rfb::kEncodingDesktopSize);
    REQUIRE(parser.feed(data) == rfb::ParseResult::kOk);
    CHECK(recorder.width == 8);
    CHECK(recorder.height == 6);
    CHECK(recorder.updates == 1);
}

TEST_CASE("rfb: hostile servers -> clear errors, no out-of-bounds pixels") {
    struct Case {
        std::vector<uint8_t> tail;
        const char* error;
    };
    std::vector<uint8_t> outside, unknown, huge, type;
    outside = {0, 0, 0, 1};
    rect_header(outside, 4, 0, 3, 1, rfb::kEncodingRaw);  // x 4 + 3 > width 5
    unknown = {0, 0, 0, 1};
    rect_header(unknown, 0, 0, 1, 1, 16);  // ZRLE, never asked for
    huge = {0, 0, 0, 1};
    rect_header(huge, 0, 0, 9000, 1, rfb::kEncodingDesktopSize);
    type = {77};
    for (const auto& [tail, error] : std::vector<std::pair<std::vector<uint8_t>, const char*>>{
             {outside, "outside the screen"},
             {unknown, "not asked for"},
             {huge, "impossible screen size"},
             {type, "unknown message type"}}) {
        Recorder recorder;
        rfb::ServerParser parser(recorder);
        auto data = handshake(5, 4);
        data.insert(data.end(), tail.begin(), tail.end());
        CHECK(parser.feed(data) == rfb::ParseResult::kError);
        CHECK(std::string(parser.error()).find(error) != std::string::npos);
        CHECK(parser.feed(data) == rfb::ParseResult::kError);  // stays failed
    }
    Recorder recorder;
    rfb::ServerParser parser(recorder);
    const std::string refused = std::string("RFB 003.008\n") + '\0';
    CHECK(parser.feed({reinterpret_cast<const uint8_t*>(refused.data()), refused.size()}) ==
          rfb::ParseResult::kError);
    rfb::ServerParser vnc_auth(recorder);
    std::vector<uint8_t> auth = handshake(5, 4);
    auth[13] = 2;  // offers only VNC authentication
    CHECK(vnc_auth.feed(auth) == rfb::ParseResult::kError);
    CHECK(std::string(vnc_auth.error()).find("authentication") != std::string::npos);
}

TEST_CASE("rfb: client messages -> the exact bytes QEMU reads") {
    uint8_t out[64];
    REQUIRE(rfb::set_pixel_format(out) == 20);
    CHECK(out[4] == 32);
    CHECK((out[14] == 16 && out[15] == 8 && out[16] == 0));
    const int32_t encodings[] = {0, -223};
    REQUIRE(rfb::set_encodings(out, encodings) == 12);
    CHECK((out[0] == 2 && out[3] == 2 && out[8] == 0xff && out[11] == 0x21));
    REQUIRE(rfb::update_request(out, true, 1280, 800) == 10);
    CHECK((out[0] == 3 && out[1] == 1 && out[6] == 5 && out[7] == 0 && out[8] == 3 &&
           out[9] == 0x20));
    REQUIRE(rfb::pointer_event(out, 1, 300, 2) == 6);
    CHECK((out[0] == 5 && out[1] == 1 && out[2] == 1 && out[3] == 44 && out[5] == 2));
    REQUIRE(rfb::extended_key_event(out, true, 0, 0x9d) == 12);
    CHECK((out[0] == 255 && out[1] == 0 && out[3] == 1 && out[11] == 0x9d));
}
