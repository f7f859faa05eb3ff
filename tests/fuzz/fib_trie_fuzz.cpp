// libFuzzer target: the host's own IPv4 addresses from /proc/net/fib_trie.
#include "net/fib_trie.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const hal::LocalAddresses local = hal::local_addresses(hal::fuzz::as_text(data, size));
    if (local.count > hal::kMaxLocalAddresses) __builtin_trap();
    for (size_t i = 0; i < local.count; ++i)
        if ((local.addresses[i] >> 24) == 127) __builtin_trap();  // loopback is left out
    return 0;
}
