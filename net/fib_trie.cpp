// /proc/net/fib_trie: a "|-- A.B.C.D" line names a leaf, the "/32 host LOCAL" line under it
// says the address is the host's own. No I/O.
#include "net/fib_trie.hpp"

#include "base/text.hpp"
#include "net/ip_config.hpp"

namespace hal {

LocalAddresses local_addresses(std::string_view fib_trie) {
    LocalAddresses found;
    LineReader reader(fib_trie);
    std::string_view line;
    uint32_t leaf = 0;
    bool have_leaf = false;
    while (reader.next(line)) {
        std::string_view text = trim(line);
        if (starts_with(text, "|-- ")) {
            have_leaf = parse_ipv4(trim(text.substr(4)), leaf);
            continue;
        }
        if (!have_leaf || !starts_with(text, "/32 host LOCAL")) continue;
        if ((leaf >> 24) == 127) continue;
        bool known = false;
        for (size_t i = 0; i < found.count; ++i) known |= found.addresses[i] == leaf;
        if (known) continue;
        if (found.count == kMaxLocalAddresses) {
            found.truncated = true;
            continue;
        }
        found.addresses[found.count++] = leaf;
    }
    return found;
}

}  // namespace hal
