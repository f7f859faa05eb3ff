// DHCP message building and bounds-checked option parsing, option overload included.
#include "net/dhcp_packet.hpp"

#include <cstdio>
#include <cstring>

namespace hal::dhcp {
namespace {

enum Option : uint8_t {
    kPad = 0,
    kSubnetMask = 1,
    kRouter = 3,
    kDns = 6,
    kHostname = 12,
    kDomain = 15,
    kMtu = 26,
    kBroadcast = 28,
    kRequestedAddress = 50,
    kLeaseTime = 51,
    kOverload = 52,
    kMessageType = 53,
    kServerId = 54,
    kParameterList = 55,
    kMessage = 56,
    kMaxSize = 57,
    kRenewal = 58,
    kRebinding = 59,
    kClientId = 61,
    kSearch = 119,
    kClasslessRoutes = 121,
    kEnd = 255
};

constexpr uint8_t kRequestedOptions[] = {kSubnetMask, kRouter,    kDns,       kHostname,
                                         kDomain,     kMtu,       kBroadcast, kLeaseTime,
                                         kRenewal,    kRebinding, kSearch,    kClasslessRoutes};

uint32_t read32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
void write32(uint8_t* p, uint32_t value) {
    p[0] = static_cast<uint8_t>(value >> 24);
    p[1] = static_cast<uint8_t>(value >> 16);
    p[2] = static_cast<uint8_t>(value >> 8);
    p[3] = static_cast<uint8_t>(value);
}

class Writer {
public:
    explicit Writer(std::span<uint8_t> out) : out_(out) {}
    bool bytes(const void* data, size_t size) {
        if (size > out_.size() - used_) return ok_ = false;
        std::memcpy(out_.data() + used_, data, size);
        used_ += size;
        return true;
    }
    bool byte(uint8_t value) { return bytes(&value, 1); }
    bool u32(uint32_t value) {
        uint8_t raw[4];
        write32(raw, value);
        return bytes(raw, 4);
    }
    bool option(uint8_t code, const void* data, uint8_t size) {
        return byte(code) && byte(size) && bytes(data, size);
    }
    bool option32(uint8_t code, uint32_t value) {
        uint8_t raw[4];
        write32(raw, value);
        return option(code, raw, 4);
    }
    size_t size() const { return ok_ ? used_ : 0; }

private:
    std::span<uint8_t> out_;
    size_t used_ = 0;
    bool ok_ = true;
};

// A list of 4-byte addresses: the length must be a non-zero multiple of 4.
bool addresses(const uint8_t* data, uint8_t length, uint32_t* out, size_t capacity, size_t& count) {
    if (length == 0 || length % 4 != 0) return false;
    count = 0;
    for (size_t at = 0; at < length && count < capacity; at += 4) out[count++] = read32(data + at);
    return true;
}

bool text_option(const uint8_t* data, uint8_t length, auto& out) {
    out.clear();
    for (uint8_t i = 0; i < length; ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\0') break;                    // some servers NUL-terminate
        if (c < 0x20 || c > 0x7e) return false;  // these end up in resolv.conf and the log
        if (!out.append(c)) return false;
    }
    return true;
}

// RFC 3442: (width, significant destination octets, router) repeated.
bool classless_routes(const uint8_t* data, uint8_t length, Reply& reply) {
    size_t at = 0;
    reply.route_count = 0;
    while (at < length) {
        const uint8_t width = data[at++];
        if (width > 32) return false;
        const size_t octets = (width + 7u) / 8u;
        if (octets + 4 > static_cast<size_t>(length) - at) return false;
        uint8_t destination[4] = {};
        std::memcpy(destination, data + at, octets);
        at += octets;
        if (reply.route_count >= kMaxRoutes) return false;
        Route& route = reply.routes[reply.route_count++];
        route.prefix = width;
        route.destination = read32(destination);
        route.gateway = read32(data + at);
        at += 4;
    }
    reply.has_classless_routes = true;
    return true;
}

// RFC 3397: DNS wire-format names with compression pointers into the option itself. Every
// pointer must go backwards, which also rules out loops.
bool search_list(const uint8_t* data, uint8_t length, FixedString<256>& out) {
    out.clear();
    size_t at = 0;
    while (at < length) {
        if (!out.empty() && !out.append(' ')) return false;
        size_t position = at;
        bool jumped = false;
        size_t labels = 0;
        while (true) {
            if (position >= length) return false;
            const uint8_t size = data[position];
            if (size == 0) {
                if (!jumped) at = position + 1;
                break;
            }
            if ((size & 0xc0) == 0xc0) {
                if (position + 1 >= length) return false;
                const size_t target = ((size & 0x3fu) << 8) | data[position + 1];
                if (target >= position) return false;
                if (!jumped) at = position + 2;
                jumped = true;
                position = target;
                continue;
            }
            if ((size & 0xc0) != 0 || position + 1 + size > length || ++labels > 127) return false;
            if (labels > 1 && !out.append('.')) return false;
            for (size_t i = 0; i < size; ++i) {
                const char c = static_cast<char>(data[position + 1 + i]);
                if (c <= 0x20 || c > 0x7e) return false;
                if (!out.append(c)) return false;
            }
            position += 1 + size;
        }
    }
    return true;
}

// Sentinel: the option is not one of this group's.
constexpr const char* kOtherGroup = "";

// Options of a fixed length; the problem, nullptr when applied, kOtherGroup for the rest.
const char* fixed_option(uint8_t code, const uint8_t* value, uint8_t length, Reply& reply,
                         uint8_t& overload) {
    const auto need = [length](uint8_t wanted) { return length == wanted; };
    switch (code) {
        case kMessageType:
            if (!need(1)) return "message type option of wrong length";
            reply.type = static_cast<MessageType>(value[0]);
            return nullptr;
        case kServerId:
            if (!need(4)) return "server id option of wrong length";
            reply.server_id = read32(value);
            return nullptr;
        case kSubnetMask:
            if (!need(4)) return "subnet mask option of wrong length";
            reply.has_subnet_mask = true;
            reply.subnet_mask = read32(value);
            return nullptr;
        case kBroadcast:
            if (!need(4)) return "broadcast option of wrong length";
            reply.has_broadcast = true;
            reply.broadcast = read32(value);
            return nullptr;
        case kLeaseTime:
            return need(4) ? (reply.lease_seconds = read32(value), nullptr)
                           : "lease time option of wrong length";
        case kRenewal:
            return need(4) ? (reply.renewal_seconds = read32(value), nullptr)
                           : "T1 option of wrong length";
        case kRebinding:
            return need(4) ? (reply.rebinding_seconds = read32(value), nullptr)
                           : "T2 option of wrong length";
        case kMtu:
            if (!need(2)) return "MTU option of wrong length";
            reply.mtu = static_cast<uint16_t>((value[0] << 8) | value[1]);
            return nullptr;
        case kOverload:
            if (!need(1) || value[0] < 1 || value[0] > 3) return "bad option overload";
            overload = value[0];
            return nullptr;
        default: return kOtherGroup;
    }
}

// Options of a variable length: address lists, text, classless routes. Options we did not ask
// for are skipped by their length.
const char* variable_option(uint8_t code, const uint8_t* value, uint8_t length, Reply& reply) {
    switch (code) {
        case kRouter: {
            uint32_t routers[4];
            size_t count = 0;
            if (!addresses(value, length, routers, 4, count))
                return "router option of wrong length";
            reply.has_router = true;
            reply.router = routers[0];
            return nullptr;
        }
        case kDns:
            if (!addresses(value, length, reply.dns, kMaxDnsServers, reply.dns_count))
                return "DNS option of wrong length";
            return nullptr;
        case kHostname:
            return length == 0 || !text_option(value, length, reply.hostname)
                       ? "bad hostname option"
                       : nullptr;
        case kDomain:
            return length == 0 || !text_option(value, length, reply.domain) ? "bad domain option"
                                                                            : nullptr;
        case kMessage:
            if (!text_option(value, length, reply.message)) reply.message.assign("(unprintable)");
            return nullptr;
        case kSearch:
            return length == 0 || !search_list(value, length, reply.search)
                       ? "bad domain search option"
                       : nullptr;
        case kClasslessRoutes:
            return length < 5 || !classless_routes(value, length, reply)
                       ? "bad classless static route option"
                       : nullptr;
        default: return nullptr;
    }
}

// Walks one options area; `overload` collects option 52. Returns a problem or nullptr.
const char* walk_options(const uint8_t* data, size_t size, Reply& reply, uint8_t& overload,
                         bool& ended) {
    size_t at = 0;
    ended = false;
    while (at < size) {
        const uint8_t code = data[at++];
        if (code == kPad) continue;
        if (code == kEnd) {
            ended = true;
            return nullptr;
        }
        if (at >= size) return "option without a length byte";
        const uint8_t length = data[at++];
        if (length > size - at) return "option longer than the packet";
        const uint8_t* value = data + at;
        at += length;
        const char* problem = fixed_option(code, value, length, reply, overload);
        if (problem == kOtherGroup) problem = variable_option(code, value, length, reply);
        if (problem) return problem;
    }
    return nullptr;
}

}  // namespace

size_t build_request(const Request& request, const MacAddress mac, std::span<uint8_t> out) {
    Writer writer(out);
    uint8_t header[kFixedSize] = {};
    header[0] = 1;  // BOOTREQUEST
    header[1] = 1;  // Ethernet
    header[2] = 6;
    write32(header + 4, request.xid);
    header[8] = static_cast<uint8_t>(request.seconds >> 8);
    header[9] = static_cast<uint8_t>(request.seconds);
    if (request.broadcast_flag) header[10] = 0x80;
    write32(header + 12, request.client_address);
    std::memcpy(header + 28, mac, 6);
    writer.bytes(header, sizeof header);
    writer.u32(kMagicCookie);
    const uint8_t type = static_cast<uint8_t>(request.type);
    writer.option(kMessageType, &type, 1);
    uint8_t client_id[7] = {1};
    std::memcpy(client_id + 1, mac, 6);
    writer.option(kClientId, client_id, sizeof client_id);
    if (request.requested_address) writer.option32(kRequestedAddress, request.requested_address);
    if (request.server_id) writer.option32(kServerId, request.server_id);
    if (request.type == MessageType::kDiscover || request.type == MessageType::kRequest) {
        const uint8_t max_size[2] = {kMaxMessage >> 8, kMaxMessage & 0xff};
        writer.option(kMaxSize, max_size, 2);
        writer.option(kParameterList, kRequestedOptions, sizeof kRequestedOptions);
    }
    writer.byte(kEnd);
    // Some relays drop BOOTP messages shorter than 300 bytes.
    while (writer.size() != 0 && writer.size() < 300) writer.byte(kPad);
    return writer.size();
}

const char* parse_reply(std::span<const uint8_t> packet, uint32_t xid, const MacAddress mac,
                        Reply& reply) {
    reply = Reply{};
    if (packet.size() < kMinimumReply) return "shorter than a DHCP message";
    const uint8_t* p = packet.data();
    if (p[0] != 2) return "not a BOOTREPLY";
    if (p[1] != 1 || p[2] != 6) return "not Ethernet hardware addresses";
    if (read32(p + 4) != xid) return "transaction id is not ours";
    if (std::memcmp(p + 28, mac, 6) != 0) return "client hardware address is not ours";
    if (read32(p + kFixedSize) != kMagicCookie) return "no DHCP magic cookie";
    reply.your_address = read32(p + 16);
    uint8_t overload = 0;
    bool ended = false;
    const char* problem =
        walk_options(p + kMinimumReply, packet.size() - kMinimumReply, reply, overload, ended);
    if (problem) return problem;
    // Option overload (52): more options in the file field (128 bytes at 108) and/or sname (64 at
    // 44).
    if (overload & 1) {
        uint8_t ignored = 0;
        if ((problem = walk_options(p + 108, 128, reply, ignored, ended))) return problem;
    }
    if (overload & 2) {
        uint8_t ignored = 0;
        if ((problem = walk_options(p + 44, 64, reply, ignored, ended))) return problem;
    }
    switch (reply.type) {
        case MessageType::kOffer:
        case MessageType::kAck:
            if (reply.your_address == 0 || reply.your_address == 0xffffffffu)
                return "no usable address offered";
            if (reply.server_id == 0) return "no server identifier";
            return nullptr;
        case MessageType::kNak: return reply.server_id == 0 ? "no server identifier" : nullptr;
        case MessageType::kNone: return "no message type option";
        default: return "not a reply message type";
    }
}

const char* format_address(uint32_t address, char* buffer) {
    std::snprintf(buffer, 16, "%u.%u.%u.%u", address >> 24, (address >> 16) & 0xff,
                  (address >> 8) & 0xff, address & 0xff);
    return buffer;
}

uint8_t prefix_length(uint32_t mask) {
    uint8_t bits = 0;
    for (; mask; mask <<= 1) bits += (mask & 0x80000000u) ? 1 : 0;
    return bits;
}

}  // namespace hal::dhcp
