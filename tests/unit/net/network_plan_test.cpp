// Unit tests for the guest network plan, derived MACs, port forwards and fib_trie parsing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "launcher/launcher.hpp"
#include "launcher/network_arguments.hpp"
#include "net/fib_trie.hpp"
#include "net/hostfwd.hpp"
#include "net/network_plan.hpp"

using namespace hal;

namespace {

HostNic nic(const char* name, const char* mac, const char* order_key) {
    HostNic host;
    host.name.assign(name);
    REQUIRE(parse_mac(mac, host.mac));
    host.order_key.assign(order_key);
    host.ethernet = true;
    return host;
}

std::string text_of(const Mac& mac) {
    char out[18];
    return format_mac(mac, out);
}

std::vector<std::string> network_argv(const Config& config, const HostFacts& facts) {
    Argv argv;
    add_network_arguments(config, facts, 1, argv);
    return std::vector<std::string>(argv.data(), argv.data() + argv.size());
}

}  // namespace

TEST_CASE("network plan: auto with a wired NIC -> bridge, passthru, the NIC's own MAC") {
    const HostNic nics[] = {
        nic("eth0", "52:54:00:12:34:56", "/sys/devices/pci0000:00/0000:00:03.0")};
    const NetworkPlan plan = plan_network(NetSettings{}, nics, 1);
    CHECK(plan.mode == NetworkMode::kBridge);
    REQUIRE(plan.count == 1);
    CHECK(plan.nics[0].passthru);
    CHECK(text_of(plan.nics[0].guest_mac) == "52:54:00:12:34:56");
    CHECK_FALSE(plan.manage);
}

TEST_CASE("network plan: no wired NIC, wireless or enslaved only -> NAT with the reason") {
    CHECK(plan_network(NetSettings{}, nullptr, 0).mode == NetworkMode::kNat);
    HostNic wifi = nic("wlan0", "00:11:22:33:44:55", "/a");
    wifi.wireless = true;
    HostNic port = nic("eth1", "00:11:22:33:44:66", "/b");
    port.enslaved = true;
    const HostNic nics[] = {wifi, port};
    const NetworkPlan plan = plan_network(NetSettings{}, nics, 2);
    CHECK(plan.mode == NetworkMode::kNat);
    CHECK(plan.skipped_count == 2);
    NetSettings bridge;
    bridge.mode = NetworkMode::kBridge;
    CHECK(std::string(plan_network(bridge, nics, 2).reason).find("no wired NIC") !=
          std::string::npos);
}

TEST_CASE("network plan: nics = all -> one guest NIC per wired NIC in PCI order; first -> one") {
    const HostNic nics[] = {
        nic("eth1", "52:54:00:12:34:57", "/sys/devices/pci0000:00/0000:00:04.0"),
        nic("eth0", "52:54:00:12:34:56", "/sys/devices/pci0000:00/0000:00:03.0")};
    NetSettings config;
    config.all_nics = true;
    NetworkPlan plan = plan_network(config, nics, 2);
    REQUIRE(plan.count == 2);
    CHECK(text_of(plan.nics[0].guest_mac) == "52:54:00:12:34:56");
    CHECK(text_of(plan.nics[1].guest_mac) == "52:54:00:12:34:57");
    plan = plan_network(NetSettings{}, nics, 2);
    CHECK(plan.count == 1);
    CHECK(nics[plan.nics[0].host].name.view() == "eth0");
}

TEST_CASE(
    "network plan: net.manage -> bridge mode macvtap, port and management MACs derived and "
    "distinct") {
    const HostNic nics[] = {nic("eth0", "52:54:00:12:34:56", "/a")};
    NetSettings config;
    config.manage = IpSetting(NetMode::kDhcp);
    const NetworkPlan plan = plan_network(config, nics, 1);
    REQUIRE(plan.count == 1);
    CHECK(plan.manage);
    CHECK_FALSE(plan.nics[0].passthru);
    const Mac& guest = plan.nics[0].guest_mac;
    const Mac& port = plan.nics[0].port_mac;
    const Mac& manage = plan.nics[0].manage_mac;
    CHECK(guest != port);
    CHECK(guest != manage);
    CHECK(port != manage);
    for (const Mac* mac : {&port, &manage}) {
        CHECK(((*mac)[0] & 0x02) == 0x02);  // locally administered
        CHECK(((*mac)[0] & 0x01) == 0);     // unicast
    }
    CHECK(derive_local_mac(guest, 2) == manage);  // stable across boots
}

TEST_CASE("network plan: network = nat / none, nic = none -> no bridging") {
    const HostNic nics[] = {nic("eth0", "52:54:00:12:34:56", "/a")};
    NetSettings config;
    config.mode = NetworkMode::kNat;
    CHECK(plan_network(config, nics, 1).mode == NetworkMode::kNat);
    config.mode = NetworkMode::kNone;
    CHECK(plan_network(config, nics, 1).mode == NetworkMode::kNone);
    NetSettings no_nic;
    no_nic.nic = NicModel::kNone;
    CHECK(plan_network(no_nic, nics, 1).mode == NetworkMode::kNone);
}

TEST_CASE("mac text: parse and format round trip; malformed -> false") {
    Mac mac;
    REQUIRE(parse_mac("52:54:00:AB:cd:ef\n", mac));
    CHECK(text_of(mac) == "52:54:00:ab:cd:ef");
    CHECK_FALSE(parse_mac("52:54:00:ab:cd", mac));
    CHECK_FALSE(parse_mac("52-54-00-ab-cd-ef", mac));
    CHECK_FALSE(parse_mac("52:54:00:ab:cd:eg", mac));
}

TEST_CASE("hostfwd: QEMU's and the short forms, several entries -> QEMU options") {
    const auto parsed =
        parse_host_forwards("tcp:2222-:22, udp::5353-:53, tcp:127.0.0.1:8080-10.0.2.15:80");
    REQUIRE(parsed.ok());
    const HostForwardList& list = parsed.value();
    REQUIRE(list.count == 3);
    char option[96];
    format_host_forward(list.forwards[0], option, sizeof option);
    CHECK(std::string(option) == "hostfwd=tcp::2222-:22");
    format_host_forward(list.forwards[1], option, sizeof option);
    CHECK(std::string(option) == "hostfwd=udp::5353-:53");
    format_host_forward(list.forwards[2], option, sizeof option);
    CHECK(std::string(option) == "hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80");
}

TEST_CASE("hostfwd: bad protocol, port 0 or 70000, missing guest port -> error") {
    for (const char* bad : {"sctp:1-:2", "tcp:0-:22", "tcp:2222-:70000", "tcp:2222", "tcp:2222-22",
                            "tcp:x-:22", "tcp:1.2.3:80-:80"}) {
        CAPTURE(bad);
        const auto parsed = parse_host_forwards(bad);
        CHECK_FALSE(parsed.ok());
        CHECK(std::string(parsed.error().message).find("tcp:2222-:22") != std::string::npos);
    }
    const auto empty = parse_host_forwards("");
    REQUIRE(empty.ok());
    CHECK(empty.value().count == 0);
}

TEST_CASE("fib_trie: the /32 host LOCAL leaves, loopback left out, each once") {
    const char* text =
        "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n"
        "     +-- 10.0.2.0/24 2 0 2\n        |-- 10.0.2.0\n           /24 link UNICAST\n"
        "        |-- 10.0.2.15\n           /32 host LOCAL\n        |-- 10.0.2.255\n           /32 "
        "link BROADCAST\n"
        "     +-- 127.0.0.0/8 2 0 2\n        |-- 127.0.0.1\n           /32 host LOCAL\n"
        "Local:\n  +-- 10.0.2.0/24\n        |-- 10.0.2.15\n           /32 host LOCAL\n";
    const LocalAddresses found = local_addresses(text);
    REQUIRE(found.count == 1);
    CHECK(found.addresses[0] == 0x0a00020fu);
    CHECK(local_addresses("Main:\n  +-- 127.0.0.0/8\n     |-- 127.0.0.1\n        /32 host LOCAL\n")
              .count == 0);
}

TEST_CASE(
    "network arguments: bridge -> tap fds 3, 4 with vhost and the MACs; NAT -> user with hostfwd") {
    HostFacts facts;
    const HostNic nics[] = {nic("eth0", "52:54:00:12:34:56", "/a"),
                            nic("eth1", "52:54:00:12:34:57", "/b")};
    Config config;
    config.net.all_nics = true;
    facts.network.plan = plan_network(config.net, nics, 2);
    facts.network.tap_ready[0] = facts.network.tap_ready[1] = true;
    facts.network.vhost = true;
    auto argv = network_argv(config, facts);
    CHECK(argv == std::vector<std::string>{
                      "-netdev", "tap,id=net0,fd=3,vhost=on", "-device",
                      "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56,romfile=", "-netdev",
                      "tap,id=net1,fd=4,vhost=on", "-device",
                      "virtio-net-pci,netdev=net1,mac=52:54:00:12:34:57,romfile="});
    // A NIC that could not be bridged is left out; fds stay dense.
    facts.network.tap_ready[0] = false;
    argv = network_argv(config, facts);
    CHECK(argv[1] == "tap,id=net0,fd=3,vhost=on");
    CHECK(argv[3] == "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:57,romfile=");
    Config nat;
    nat.net.mode = NetworkMode::kNat;
    REQUIRE(apply_setting(nat, "hostfwd", "tcp:2222-:22").ok());
    facts.network.plan = plan_network(nat.net, nics, 2);
    argv = network_argv(nat, facts);
    CHECK(argv == std::vector<std::string>{"-netdev", "user,id=net0,hostfwd=tcp::2222-:22",
                                           "-device", "virtio-net-pci,netdev=net0,romfile="});
}
