// MAC address text and derivation; no I/O.
#include "net/mac.hpp"

#include <cstdio>

#include "base/text.hpp"

namespace hal {
namespace {

// FNV-1a over the base MAC and the purpose: the derived MAC's last four bytes.
uint32_t mix(const Mac& base, uint8_t purpose) {
    uint32_t hash = 2166136261u;
    for (uint8_t byte : base) hash = (hash ^ byte) * 16777619u;
    return (hash ^ purpose) * 16777619u;
}

}  // namespace

Mac derive_local_mac(const Mac& base, uint8_t purpose) {
    Mac mac = base;
    for (uint32_t attempt = 0;; ++attempt) {
        const uint32_t hash = mix(base, static_cast<uint8_t>(purpose + 16 * attempt));
        mac[0] = static_cast<uint8_t>((base[0] | 0x02) & ~0x01);  // locally administered, unicast
        mac[1] = static_cast<uint8_t>(base[1] ^ purpose);
        mac[2] = static_cast<uint8_t>(hash >> 24);
        mac[3] = static_cast<uint8_t>(hash >> 16);
        mac[4] = static_cast<uint8_t>(hash >> 8);
        mac[5] = static_cast<uint8_t>(hash);
        if (mac != base) return mac;
    }
}

bool parse_mac(std::string_view text, Mac& mac) {
    text = trim(text);
    if (text.size() != 17) return false;
    for (size_t i = 0; i < 6; ++i) {
        uint8_t value = 0;
        for (size_t j = 0; j < 2; ++j) {
            const char c = text[3 * i + j];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) return false;
            value = static_cast<uint8_t>((value << 4) | digit);
        }
        if (i < 5 && text[3 * i + 2] != ':') return false;
        mac[i] = value;
    }
    return true;
}

const char* format_mac(const Mac& mac, char* out) {
    std::snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                  mac[5]);
    return out;
}

}  // namespace hal
