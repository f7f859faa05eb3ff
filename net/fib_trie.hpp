// The host's own IPv4 addresses from /proc/net/fib_trie (the "/32 host LOCAL" leaves), for
// the log line that says whether the host is visible on the LAN. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hal {

inline constexpr size_t kMaxLocalAddresses = 16;

struct LocalAddresses {
    uint32_t addresses[kMaxLocalAddresses];  // host byte order, loopback (127/8) left out
    size_t count = 0;
    bool truncated = false;  // more than kMaxLocalAddresses
};

// Every distinct local address in the text, in the order first seen.
LocalAddresses local_addresses(std::string_view fib_trie);

}  // namespace hal
