"""hal-init's DHCP client against a real dnsmasq, over a veth pair between namespaces."""
import re
import time

from netlab import read_until

RANGE = "--dhcp-range=10.99.0.50,10.99.0.60,255.255.255.0,2m"


def test_lease_obtained_and_options_applied(lab, tmp_path):
    lab.start_server(RANGE, "--dhcp-option=option:mtu,1400",
                     "--dhcp-option=option:classless-static-route,10.10.0.0/16,10.99.0.254,0.0.0.0/0,10.99.0.1",
                     "--dhcp-option=option:router,10.99.0.99",
                     "--dhcp-option=option:dns-server,10.99.0.1,1.1.1.1",
                     "--dhcp-option=option:domain-name,hal.test",
                     "--dhcp-option=option:domain-search,hal.test,lab.hal.test")
    resolv = tmp_path / "resolv.conf"
    client = lab.client(6, resolv)
    output = read_until(client, "lease 10.99.0.")
    match = re.search(r"lease (10\.99\.0\.\d+)/24 gateway 10\.99\.0\.1 from 10\.99\.0\.1, 120 s, 2 routes, MTU 1400", output)
    assert match, output
    address = match.group(1)
    assert f"inet {address}/24" in lab.in_client("ip", "-4", "addr", "show", lab.client_if)
    assert "mtu 1400" in lab.in_client("ip", "link", "show", lab.client_if)
    routes = lab.in_client("ip", "-4", "route")
    # Classless routes (121) take precedence: the router option (3) is not used.
    assert "default via 10.99.0.1" in routes and "10.10.0.0/16 via 10.99.0.254" in routes, routes
    assert "10.99.0.99" not in routes
    assert resolv.read_text() == ("# written by hal-init\ndomain hal.test\nsearch hal.test lab.hal.test\n"
                                  "nameserver 10.99.0.1\nnameserver 1.1.1.1\n")
    rest, _ = client.communicate(timeout=30)
    assert client.returncode == 0
    assert f"lease {address} released" in rest
    assert "inet 10.99" not in lab.in_client("ip", "-4", "addr", "show", lab.client_if)


def test_lease_renewed_at_t1(lab, tmp_path):
    lab.start_server(RANGE, "--dhcp-option=option:T1,2", "--dhcp-option=option:T2,4")
    client = lab.client(7, tmp_path / "resolv.conf")
    output = read_until(client, "lease 10.99.0.")
    address = re.search(r"lease (10\.99\.0\.\d+)/24", output).group(1)
    started = time.monotonic()
    renewed = read_until(client, "renewed")
    assert f"lease {address} renewed for 120 s" in renewed
    assert 1.0 < time.monotonic() - started < 5.0
    client.communicate(timeout=30)
    assert client.returncode == 0


def test_nak_on_renewal_starts_over(lab, tmp_path):
    lab.start_server(RANGE, "--dhcp-option=option:T1,2", "--dhcp-option=option:T2,4")
    client = lab.client(10, tmp_path / "resolv.conf")
    # Any address of RANGE (.50 to .60: dnsmasq picks one from the client's MAC).
    first = read_until(client, "lease 10.99.0.")
    assert re.search(r"lease 10\.99\.0\.(5\d|60)/24", first), first
    # A new authoritative server that does not know this lease and serves another range.
    lab.start_server("--dhcp-range=10.99.0.100,10.99.0.110,255.255.255.0,2m", "--dhcp-authoritative")
    output = read_until(client, "lease 10.99.0.1")
    assert "lease lost (the server sent NAK); starting over" in output, output
    assert re.search(r"lease 10\.99\.0\.1\d\d/24", output), output
    client.communicate(timeout=30)


def test_no_server_fails_within_the_bound(lab, tmp_path):
    started = time.monotonic()
    client = lab.client(0, tmp_path / "resolv.conf", timeout=3)
    output, _ = client.communicate(timeout=30)
    elapsed = time.monotonic() - started
    assert client.returncode == 1
    assert f"{lab.client_if}: no DHCP lease within 3 s" in output
    assert 2.5 < elapsed < 6, elapsed


def test_address_in_use_is_declined(lab, tmp_path):
    # The server hands our MAC 10.99.0.55, which another host (the server side) already has.
    mac = lab.in_client("cat", f"/sys/class/net/{lab.client_if}/address").strip()
    lab.in_server("ip", "addr", "add", "10.99.0.55/24", "dev", "vsrv")
    lab.start_server(RANGE, f"--dhcp-host={mac},10.99.0.55")
    client = lab.client(0, tmp_path / "resolv.conf", timeout=3)
    output, _ = client.communicate(timeout=30)
    assert f"{lab.client_if}: 10.99.0.55 is already in use (ARP); declining it" in output, output
    assert "inet 10.99.0.55" not in lab.in_client("ip", "-4", "addr", "show", lab.client_if)
    lab.stop_server()
    assert "DHCPDECLINE(vsrv) 10.99.0.55" in lab.server_log()
