// Unit tests for DHCP messages (builder, hostile-input parser) and the client state machine.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "net/dhcp_client.hpp"
#include "net/dhcp_packet.hpp"
#include "net/ip_config.hpp"

using namespace hal::dhcp;

namespace {

const MacAddress kMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kXid = 0x1a2b3c4d;

// A server reply with the given options (bytes after the cookie, End appended by caller).
std::vector<uint8_t> reply(std::vector<uint8_t> options, uint32_t xid = kXid, uint8_t op = 2) {
    std::vector<uint8_t> packet(kFixedSize + 4, 0);
    packet[0] = op;
    packet[1] = 1;
    packet[2] = 6;
    packet[4] = xid >> 24, packet[5] = xid >> 16, packet[6] = xid >> 8, packet[7] = xid;
    packet[16] = 10, packet[17] = 0, packet[18] = 2, packet[19] = 15;  // yiaddr 10.0.2.15
    std::memcpy(packet.data() + 28, kMac, 6);
    packet[236] = 0x63, packet[237] = 0x82, packet[238] = 0x53, packet[239] = 0x63;
    packet.insert(packet.end(), options.begin(), options.end());
    return packet;
}

std::vector<uint8_t> offer_options(uint8_t type = 2) {
    return {53, 1, type, 54, 4, 10, 0, 2,  2, 1, 4, 255,  255,  255,
            0,  3, 4,    10, 0, 2,  2, 51, 4, 0, 0, 0x0e, 0x10, 255};
}

const char* parse(const std::vector<uint8_t>& packet, Reply& out) {
    return parse_reply(packet, kXid, kMac, out);
}

uint32_t g_random = 0;
uint32_t fixed_random() { return g_random; }

// A client that went through DISCOVER/OFFER/REQUEST/ACK at time 0.
Client bound_client(ClientStep& step) {
    g_random = kXid;
    Client client(kMac, ClientTiming{}, fixed_random);
    client.start(0, step);
    client.on_packet(reply(offer_options()), 0, step);
    client.on_packet(reply(offer_options(5)), 0, step);
    REQUIRE(step.bound);
    return client;
}

}  // namespace

TEST_CASE(
    "dhcp: DISCOVER -> BOOTREQUEST with cookie, type, client id, parameter list, broadcast flag") {
    Request request;
    request.xid = kXid;
    uint8_t out[kMaxMessage];
    const size_t size = build_request(request, kMac, out);
    REQUIRE(size >= 300);
    CHECK(out[0] == 1);
    CHECK(out[10] == 0x80);
    CHECK(std::memcmp(out + 28, kMac, 6) == 0);
    CHECK(out[236] == 0x63);
    CHECK(out[240] == 53);
    CHECK(out[242] == 1);
    const std::string options(reinterpret_cast<char*>(out + 240), size - 240);
    CHECK(options.find(std::string("\x37", 1)) != std::string::npos);  // 55: parameter request list
    uint8_t tiny[100];
    CHECK(build_request(request, kMac, tiny) == 0);
}

TEST_CASE("dhcp: OFFER -> address, server, mask, router, lease") {
    Reply out;
    REQUIRE(parse(reply(offer_options()), out) == nullptr);
    CHECK(out.type == MessageType::kOffer);
    CHECK(out.your_address == 0x0a00020f);
    CHECK(out.server_id == 0x0a000202);
    CHECK(out.subnet_mask == 0xffffff00);
    CHECK(out.router == 0x0a000202);
    CHECK(out.lease_seconds == 3600);
}

TEST_CASE("dhcp: options MTU, DNS, domain, search (compressed), classless routes -> decoded") {
    std::vector<uint8_t> options = {53,   1,    5, 54,  4,   10,  0,   2,   2,   26, 2,
                                    0x05, 0x78, 6, 8,   10,  0,   2,   3,   1,   1,  1,
                                    1,    15,   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e'};
    // search: example.com, lab.example.com (the second points back into the first)
    const std::vector<uint8_t> search = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',  3, 'c',
                                         'o', 'm', 0,   3,   'l', 'a', 'b', 0xc0, 0};
    options.push_back(119);
    options.push_back(static_cast<uint8_t>(search.size()));
    options.insert(options.end(), search.begin(), search.end());
    // 121: 10.10.0.0/16 via 10.0.2.1, default via 10.0.2.254
    const std::vector<uint8_t> routes = {16, 10, 10, 10, 0, 2, 1, 0, 10, 0, 2, 254};
    options.push_back(121);
    options.push_back(static_cast<uint8_t>(routes.size()));
    options.insert(options.end(), routes.begin(), routes.end());
    options.push_back(255);
    Reply out;
    REQUIRE(parse(reply(options), out) == nullptr);
    CHECK(out.mtu == 1400);
    CHECK(out.dns_count == 2);
    CHECK(out.dns[1] == 0x01010101);
    CHECK(out.domain.view() == "example");
    CHECK(out.search.view() == "example.com lab.example.com");
    REQUIRE(out.route_count == 2);
    CHECK(out.routes[0].destination == 0x0a0a0000);
    CHECK(out.routes[0].prefix == 16);
    CHECK(out.routes[1].prefix == 0);
    CHECK(out.routes[1].gateway == 0x0a0002fe);
}

TEST_CASE("dhcp: option overload -> options read from file and sname") {
    std::vector<uint8_t> packet = reply({53, 1, 2, 52, 1, 3, 255});
    const uint8_t in_file[] = {54, 4, 10, 0, 2, 2, 255};
    const uint8_t in_sname[] = {51, 4, 0, 0, 1, 0, 255};
    std::memcpy(packet.data() + 108, in_file, sizeof in_file);
    std::memcpy(packet.data() + 44, in_sname, sizeof in_sname);
    Reply out;
    REQUIRE(parse(packet, out) == nullptr);
    CHECK(out.server_id == 0x0a000202);
    CHECK(out.lease_seconds == 256);
}

TEST_CASE("dhcp: malformed replies table -> rejected with a reason") {
    struct Case {
        std::vector<uint8_t> packet;
        const char* reason;
    };
    std::vector<uint8_t> truncated = reply(offer_options());
    truncated.resize(200);
    std::vector<uint8_t> no_cookie = reply(offer_options());
    no_cookie[236] = 0;
    std::vector<uint8_t> other_mac = reply(offer_options());
    other_mac[33] ^= 1;
    std::vector<uint8_t> bad_hlen = reply(offer_options());
    bad_hlen[2] = 16;
    std::vector<uint8_t> overload_file_overrun =
        reply({53, 1, 2, 54, 4, 10, 0, 2, 2, 52, 1, 1, 255});
    // The length byte would be at 108+127, the value beyond the field.
    overload_file_overrun[108 + 126] = 51;
    overload_file_overrun[108 + 127] = 4;
    const Case cases[] = {
        {truncated, "shorter"},
        {reply(offer_options(), kXid, 1), "BOOTREPLY"},
        {reply(offer_options(), kXid + 1), "transaction id"},
        {other_mac, "hardware address"},
        {bad_hlen, "Ethernet"},
        {no_cookie, "cookie"},
        {reply({53, 1, 2, 54, 4, 10, 0, 2}), "longer than the packet"},  // server id cut short
        {reply({53, 1, 2, 54}), "without a length byte"},
        {reply({53, 1, 2, 54, 0, 255}), "server id option of wrong length"},  // zero-length option
        {reply({53, 0, 255}), "message type option of wrong length"},
        {reply({53, 1, 2, 1, 3, 255, 255, 255, 255}), "subnet mask option of wrong length"},
        {reply({53, 1, 2, 3, 0, 255}), "router option of wrong length"},
        {reply({53, 1, 2, 6, 5, 1, 2, 3, 4, 5, 255}), "DNS option of wrong length"},
        {reply({53, 1, 2, 26, 1, 5, 255}), "MTU option of wrong length"},
        {reply({53, 1, 2, 15, 0, 255}), "bad domain option"},
        {reply({53, 1, 2, 15, 3, 'a', '\n', 'b', 255}), "bad domain option"},
        {reply({53, 1, 2, 119, 3, 0xc0, 0x05, 0, 255}),
         "bad domain search option"},  // forward pointer
        {reply({53, 1, 2, 119, 2, 0xc0, 0x00, 255}),
         "bad domain search option"},  // points at itself
        {reply({53, 1, 2, 119, 3, 5, 'a', 'b', 255}),
         "bad domain search option"},  // label past the end
        {reply({53, 1, 2, 121, 5, 33, 10, 0, 0, 1, 255}), "classless static route"},  // width > 32
        {reply({53, 1, 2, 121, 6, 24, 10, 0, 0, 1, 2, 255}),
         "classless static route"},  // router cut short
        {reply({53, 1, 2, 52, 1, 9, 255}), "bad option overload"},
        {overload_file_overrun, "longer than the packet"},
        {reply({54, 4, 10, 0, 2, 2, 255}), "no message type"},
        {reply({53, 1, 1, 54, 4, 10, 0, 2, 2, 255}), "not a reply message type"},
        {reply({53, 1, 2, 255}), "no server identifier"},
    };
    for (const Case& test : cases) {
        CAPTURE(test.reason);
        Reply out;
        const char* problem = parse(test.packet, out);
        REQUIRE(problem != nullptr);
        CHECK(std::string(problem).find(test.reason) != std::string::npos);
    }
}

TEST_CASE(
    "dhcp: every prefix and sub-slice of a valid ACK -> refused, or only what the ACK holds") {
    std::vector<uint8_t> options = offer_options(5);
    options.pop_back();
    // Search "lab" twice, the second a compression pointer back to the first; a classless
    // route 10.0.0.0/8 via 10.0.2.1; option overload (file and sname hold options too).
    const std::vector<uint8_t> extra = {119, 7,  3,  'l', 'a', 'b', 0,  0xc0, 0, 121, 6,
                                        8,   10, 10, 0,   2,   1,   52, 1,    3, 255};
    options.insert(options.end(), extra.begin(), extra.end());
    const std::vector<uint8_t> ack = reply(options);
    Reply whole;
    const char* whole_problem = parse_reply(ack, kXid, kMac, whole);
    INFO(std::string(whole_problem ? whole_problem : ""));
    REQUIRE(whole_problem == nullptr);
    // A slice that starts elsewhere has no BOOTP header and is refused; a prefix is refused or
    // reads as (part of) the whole packet.
    for (size_t start = 0; start < ack.size(); start += 7)
        for (size_t length = 0; start + length <= ack.size(); length += 3) {
            CAPTURE(start);
            CAPTURE(length);
            Reply out;
            const char* problem =
                parse_reply(std::span<const uint8_t>(ack.data() + start, length), kXid, kMac, out);
            if (problem) {
                CHECK(*problem != '\0');
                continue;
            }
            // A prefix cut between options (a server that sends no END) keeps the options
            // before the cut, each whole: never a value the whole ACK does not hold.
            CHECK(start == 0);
            CHECK(out.your_address == whole.your_address);
            CHECK(out.server_id == whole.server_id);
            CHECK((out.route_count == 0 || out.route_count == whole.route_count));
            CHECK((out.search.empty() || out.search.view() == whole.search.view()));
        }
}

TEST_CASE(
    "dhcp client: discover, offer, request, ack -> bound; T1 renew unicast, T2 rebind broadcast") {
    g_random = kXid;
    ClientTiming timing;
    Client client(kMac, timing, fixed_random);
    ClientStep step;
    client.start(0, step);
    REQUIRE(step.send);
    CHECK(step.packet[242] == 1);  // DISCOVER
    CHECK(client.state() == ClientState::kSelecting);
    client.on_packet(reply(offer_options()), 100, step);
    CHECK(client.state() == ClientState::kRequesting);
    REQUIRE(step.send);
    CHECK(step.packet[242] == 3);  // REQUEST
    client.on_packet(reply(offer_options(5)), 200, step);
    CHECK(step.bound);
    CHECK(client.state() == ClientState::kBound);
    CHECK(client.next_timer_in(200) == 1800000);  // T1 = half of 3600 s
    client.on_timer(200 + 1800000, step);
    CHECK(client.state() == ClientState::kRenewing);
    REQUIRE(step.send);
    CHECK(step.destination == 0x0a000202);  // unicast to the server
    client.on_timer(200 + 3150000, step);   // T2 = 7/8
    CHECK(client.state() == ClientState::kRebinding);
    CHECK(step.destination == 0xffffffffu);
    client.on_packet(reply(offer_options(5)), 200 + 3160000, step);
    CHECK(step.renewed);
    CHECK(client.state() == ClientState::kBound);
}

TEST_CASE(
    "dhcp client: no answer -> retransmit 4 s doubling to 64 s with +-1 s, then bounded failure") {
    g_random = 1000;  // jitter 0
    ClientTiming timing;
    timing.overall_timeout_ms = 200000;
    Client client(kMac, timing, fixed_random);
    ClientStep step;
    client.start(0, step);
    uint64_t now = 0;
    std::vector<int64_t> gaps;
    while (gaps.size() < 6) {
        const int64_t wait = client.next_timer_in(now);
        now += static_cast<uint64_t>(wait);
        client.on_timer(now, step);
        if (step.send) gaps.push_back(wait);
    }
    CHECK(gaps == std::vector<int64_t>{4000, 8000, 16000, 32000, 64000, 64000});
    g_random = 0;  // jitter -1 s
    Client jittery(kMac, timing, fixed_random);
    jittery.start(0, step);
    CHECK(jittery.next_timer_in(0) == 3000);
    while (client.state() != ClientState::kFailed) {
        now += static_cast<uint64_t>(client.next_timer_in(now));
        client.on_timer(now, step);
    }
    CHECK(step.failed);
    CHECK(now == 200000);
}

TEST_CASE("dhcp client: a timer call with a clock read before start -> still selecting") {
    // The event loop reads its clock once per round; a client started later in that round is
    // then called with a time before its own start.
    g_random = kXid;
    Client client(kMac, ClientTiming{}, fixed_random);
    ClientStep step;
    client.start(5000, step);
    client.on_timer(4990, step);
    CHECK_FALSE(step.failed);
    CHECK(client.state() == ClientState::kSelecting);
    CHECK(client.next_timer_in(4990) > 0);
}

TEST_CASE("dhcp client: NAK while requesting -> starts over with a new DISCOVER") {
    g_random = kXid;
    Client client(kMac, ClientTiming{}, fixed_random);
    ClientStep step;
    client.start(0, step);
    client.on_packet(reply(offer_options()), 10, step);
    client.on_packet(reply({53, 1, 6, 54, 4, 10, 0, 2, 2, 255}), 20, step);
    CHECK(step.nak);
    CHECK(client.state() == ClientState::kSelecting);
    CHECK(step.packet[242] == 1);
}

TEST_CASE("dhcp client: lease expires without an answer -> lost, starts over") {
    ClientStep step;
    Client client = bound_client(step);
    uint64_t now = 0;
    while (!step.lost) {
        now += static_cast<uint64_t>(client.next_timer_in(now));
        client.on_timer(now, step);
    }
    CHECK(now == 3600000);
    CHECK(client.state() == ClientState::kSelecting);
}

TEST_CASE("dhcp client: malformed or foreign packets -> ignored, state unchanged") {
    g_random = kXid;
    Client client(kMac, ClientTiming{}, fixed_random);
    ClientStep step;
    client.start(0, step);
    client.on_packet(reply(offer_options(), kXid + 1), 10, step);
    CHECK_FALSE(step.send);
    CHECK(client.state() == ClientState::kSelecting);
    CHECK(std::string(client.last_rejection()).find("transaction id") != std::string::npos);
}

TEST_CASE("ip=: kernel syntax table -> mode and fields") {
    hal::IpSetting setting;
    const auto parse = [&](const char* text) {
        const auto parsed = hal::parse_ip_setting(text);
        if (parsed.ok()) setting = parsed.value();
        return parsed.ok();
    };
    REQUIRE(parse("dhcp"));
    CHECK(setting.mode == hal::NetMode::kDhcp);
    REQUIRE(parse("off"));
    CHECK(setting.mode == hal::NetMode::kOff);
    REQUIRE(parse("192.168.1.10::192.168.1.1:255.255.255.0:hal:eth1:off:1.1.1.1:8.8.8.8"));
    CHECK(setting.mode == hal::NetMode::kStatic);
    CHECK(setting.client == 0xc0a8010a);
    CHECK(setting.gateway == 0xc0a80101);
    CHECK(setting.netmask == 0xffffff00);
    CHECK(setting.hostname.view() == "hal");
    CHECK(setting.device.view() == "eth1");
    CHECK(setting.dns[1] == 0x08080808);
    REQUIRE(parse(":::::eth0:dhcp"));
    CHECK(setting.mode == hal::NetMode::kDhcp);
    CHECK(setting.device.view() == "eth0");
    CHECK_FALSE(parse("300.1.1.1::::::off"));
    CHECK_FALSE(parse("::::::off"));
    CHECK_FALSE(parse("10.0.0.1::::::magic"));
}

TEST_CASE("dhcp client: address in use -> DECLINE, then a new DISCOVER after 10 s") {
    ClientStep step;
    Client client = bound_client(step);
    client.decline(100, step);
    REQUIRE(step.send);
    CHECK(step.packet[242] == 4);  // DECLINE
    const std::string options(reinterpret_cast<char*>(step.packet + 240), step.packet_size - 240);
    CHECK(options.find(std::string("\x32\x04\x0a\x00\x02\x0f", 6)) !=
          std::string::npos);  // 50: the declined address
    CHECK(client.state() == ClientState::kInit);
    CHECK(client.next_timer_in(100) == 10000);
    client.on_timer(5000, step);
    CHECK_FALSE(step.send);
    client.on_timer(10100, step);
    REQUIRE(step.send);
    CHECK(step.packet[242] == 1);
    CHECK(client.state() == ClientState::kSelecting);
}
