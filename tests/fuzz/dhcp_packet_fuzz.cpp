// libFuzzer target: the DHCP reply parser must reject or accept any bytes without a fault.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "net/dhcp_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Take the transaction id and hardware address from the input itself, so the fuzzer can
    // reach the option parser.
    hal::dhcp::MacAddress mac = {};
    uint32_t xid = 0;
    if (size >= 34) {
        std::memcpy(mac, data + 28, 6);
        xid = (uint32_t{data[4]} << 24) | (uint32_t{data[5]} << 16) | (uint32_t{data[6]} << 8) |
              data[7];
    }
    hal::dhcp::Reply reply;
    (void)hal::dhcp::parse_reply({data, size}, xid, mac, reply);
    return 0;
}
