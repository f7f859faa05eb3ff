// Unit tests for the guest's side of step 5 on a fixture machine: the host's NICs in sysfs,
// rtnetlink faked (it records the links it is asked for), tap devices as fixture files.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/sys/guest_network.hpp"
#include "tests/unit/fakes/fakes.hpp"
#include "tests/unit/pid1_support.hpp"
#include "tests/unit/support.hpp"

using namespace hal;
using hal::test::FixtureTree;

namespace {

class FakeClock : public DeviceClock {
public:
    uint64_t now = 5000;
    uint64_t now_ms() override { return now; }
    void pass(uint32_t ms) override { now += ms; }
};

void add_nic(FixtureTree& tree, const std::string& name, const std::string& mac,
             const std::string& pci, int index, bool wireless = false) {
    const std::string directory = "/sys/class/net/" + name;
    tree.file(directory + "/type", "1\n");
    tree.file(directory + "/address", mac + "\n");
    tree.file(directory + "/carrier", "1\n");
    tree.directory("/sys/devices/pci0000:00/" + pci);
    tree.symlink(directory + "/device", "/sys/devices/pci0000:00/" + pci);
    if (wireless) tree.directory(directory + "/wireless");
    fake::interfaces()[name] = index;
}

bool called(const std::string& call) {
    for (const auto& made : fake::calls())
        if (made == call) return true;
    return false;
}

struct Machine {
    FixtureTree tree;
    test::LogCapture log;
    FakeClock clock;
    NetSettings settings;
    GuestNetwork network;

    Machine() {
        fake::reset();
        tree.file("/sys/class/net/lo/type", "772\n");
        tree.file("/sys/class/net/lo/address", "00:00:00:00:00:00\n");
        tree.file("/dev/vhost-net", "");
    }
    ~Machine() { fake::reset(); }
};

}  // namespace

TEST_CASE(
    "guest network: auto with a wired NIC -> bridged by a passthru macvtap with the NIC's own "
    "MAC") {
    Machine machine;
    add_nic(machine.tree, "eth0", "52:54:00:12:34:56", "0000:00:03.0", 2);
    machine.tree.file("/dev/tap101", "");  // devtmpfs makes it as the macvtap appears
    REQUIRE(machine.network.prepare(machine.clock, machine.settings));
    const GuestNetworkFacts& facts = machine.network.facts();
    CHECK(facts.plan.mode == NetworkMode::kBridge);
    CHECK(facts.tap_ready[0]);
    CHECK(facts.vhost);
    int fds[kMaxGuestNics];
    CHECK(machine.network.passed_descriptors(fds, kMaxGuestNics) == 1);
    CHECK(called("macvtap macvtap0 on 2 passthru -> 101"));
    CHECK(called("link up 101"));
    CHECK(
        machine.log.has("network: bridge: guest NIC 0 on eth0 (driver unknown, "
                        "/sys/devices/pci0000:00/0000:00:03.0, "
                        "carrier up) as macvtap0, macvtap passthru, MAC 52:54:00:12:34:56"));
    CHECK(machine.log.has(
        "network: bridge: the host takes no address on the LAN (net.manage = none)"));
}

TEST_CASE(
    "guest network: only a wireless NIC -> NAT with the reason, and the NIC passed over in one "
    "line") {
    Machine machine;
    add_nic(machine.tree, "wlan0", "00:11:22:33:44:55", "0000:00:14.3", 3, true);
    REQUIRE(machine.network.prepare(machine.clock, machine.settings));
    CHECK(machine.network.facts().plan.mode == NetworkMode::kNat);
    CHECK(machine.log.has("network: a NIC is not bridged: wireless"));
    CHECK(machine.log.has(
        "network: nat: the guest is behind QEMU's user network (no wired NIC on the host: NAT)"));
    CHECK(fake::calls().empty());  // no link was touched
}

TEST_CASE(
    "guest network: net.manage -> the port takes a derived MAC, the macvtap bridge mode, a "
    "management macvlan") {
    Machine machine;
    add_nic(machine.tree, "eth0", "52:54:00:12:34:56", "0000:00:03.0", 2);
    machine.tree.file("/dev/tap101", "");
    machine.settings.manage = IpSetting(NetMode::kDhcp);
    REQUIRE(machine.network.prepare(machine.clock, machine.settings));
    const GuestNicPlan& nic = machine.network.facts().plan.nics[0];
    char port[18], guest[18], manage[18];
    format_mac(nic.port_mac, port);
    format_mac(nic.guest_mac, guest);
    format_mac(nic.manage_mac, manage);
    CHECK(called("link down 2"));
    CHECK(called(std::string("mac 2 ") + port));
    CHECK(called(std::string("macvtap macvtap0 on 2 bridge ") + guest + " -> 101"));
    CHECK(called(std::string("macvlan manage0 on 2 bridge ") + manage + " -> 102"));
    CHECK(std::string(guest) == "52:54:00:12:34:56");
    CHECK(machine.log.has(
        std::string("network: management address on manage0 (macvlan on eth0, MAC ") + manage +
        ")"));
}

TEST_CASE(
    "guest network: a tap device that never appears -> one line, no guest NIC; net.required -> "
    "refused") {
    Machine machine;
    add_nic(machine.tree, "eth0", "52:54:00:12:34:56", "0000:00:03.0", 2);
    CHECK(machine.network.prepare(machine.clock,
                                  machine.settings));  // not required: the guest starts
    CHECK(machine.log.has("network: /dev/tap101 did not appear; this guest NIC is left out"));
    CHECK(machine.log.has(
        "network: no guest NIC could be bridged; the guest starts without a network"));
    CHECK_FALSE(machine.network.facts().tap_ready[0]);
    CHECK(machine.clock.now >= 8000);  // waited its 3 s
    NetSettings required;
    required.required = true;
    GuestNetwork again;
    CHECK_FALSE(again.prepare(machine.clock, required));
}

TEST_CASE("guest network: network = none -> no NIC; with net.required that is refused") {
    Machine machine;
    add_nic(machine.tree, "eth0", "52:54:00:12:34:56", "0000:00:03.0", 2);
    machine.settings.mode = NetworkMode::kNone;
    CHECK(machine.network.prepare(machine.clock, machine.settings));
    CHECK(machine.log.has("network: none: the guest has no NIC (network = none)"));
    machine.settings.required = true;
    GuestNetwork required;
    CHECK_FALSE(required.prepare(machine.clock, machine.settings));
}
