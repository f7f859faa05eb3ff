"""The guest on the machine's LAN with the machine's own network identity: bridged onto the
outer VM's NIC with that NIC's MAC (macvtap, vhost-net), reached from outside; the host
invisible unless net.manage; NAT with port forwards; one guest NIC per host NIC."""
import re
import socket
import time

from guestos import bios_disk
from halvm import boot, qmp_command
from test_real_guests import GUEST_TIMEOUT, packed_with

NIC_MAC = "52:54:00:12:34:56"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, attempts: int = 20) -> str:
    """GET / through the outer VM's forward; the guest's httpd may need a moment."""
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while chunk := connection.recv(4096):
                    data += chunk
                if b"HAL-GUEST-HTTP" in data:
                    return data.decode(errors="replace")
        except OSError:
            pass
        time.sleep(1)
    return ""


def serve_and_stop(kernel, image, initramfs, tmp_path, port: int, outer_forward: str, replies: list):
    """Boots a guest that takes a lease and serves HTTP; fetches its page through the outer
    forward, then presses the outer power button."""
    disk = bios_disk(kernel, initramfs, tmp_path / "guest.img", cmdline="guest.steps=facts,net,serve")
    qmp = tmp_path / "outer-qmp.sock"

    def fetch_then_stop():
        replies.append(http_get(port))
        qmp_command(qmp, "system_powerdown")

    return boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                user_net=f"hostfwd=tcp:127.0.0.1:{port}-{outer_forward}", when=[("GUEST-SERVING 80", fetch_then_stop)])


def test_bridge_gives_the_guest_the_nics_mac_its_lease_and_inbound_traffic(kernel, image, guest_initramfs, tmp_path):
    replies = []
    result = serve_and_stop(kernel, image, guest_initramfs, tmp_path, free_port(), "10.0.2.15:80", replies)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: network: bridge: guest NIC 0 on eth0",
                           f"macvtap passthru, MAC {NIC_MAC}",
                           "hal-init: network: bridge: the host takes no address on the LAN (net.manage = none)",
                           "hal-init: launch: accel=")
    result.assert_in_order("hal-init: network: QEMU uses /dev/vhost-net",
                           "hal-init: network: the host's own addresses: none (invisible on the LAN)")
    result.assert_in_order(f"GUEST-NIC eth0 mac={NIC_MAC}", "GUEST-LEASE 10.0.2.15/24", "GUEST-SERVING 80",
                           "hal-init: stop: power button", "GUEST-STOPPING power button", "GUEST-DONE",
                           "reboot: Power down")
    assert "hal-init: network: eth0 lease" not in result.console
    assert replies and f"HAL-GUEST-HTTP {NIC_MAC}" in replies[0], replies


def test_bridge_with_a_management_address_gives_the_host_its_own_mac_and_lease(kernel, guest_initramfs, tmp_path):
    image = packed_with(kernel, tmp_path, "disk = auto\nnet.manage = dhcp\n")
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "guest.img", cmdline="guest.steps=facts,net")
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    manage = re.search(r"hal-init: network: management address on manage0 \(macvlan on eth0, MAC ([0-9a-f:]+)\)",
                       result.console)
    host = re.search(r"hal-init: network: manage0 lease ([0-9.]+)/24", result.console)
    guest = re.search(r"GUEST-LEASE ([0-9.]+)/24", result.console)
    assert manage and host and guest, result.console[-4000:]
    assert manage.group(1) != NIC_MAC
    assert f"GUEST-NIC eth0 mac={NIC_MAC}" in result.console
    assert host.group(1) != guest.group(1)
    assert f"macvtap bridge mode, MAC {NIC_MAC}" in result.console


def test_nat_with_a_port_forward_reaches_the_guest(kernel, guest_initramfs, tmp_path):
    image = packed_with(kernel, tmp_path, "disk = auto\nnetwork = nat\nhostfwd = tcp:8080-:80\n")
    replies = []
    result = serve_and_stop(kernel, image, guest_initramfs, tmp_path, free_port(), "10.0.2.15:8080", replies)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: network: nat: the guest is behind QEMU's user network (network = nat)",
                           "GUEST-LEASE 10.0.2.15/24", "GUEST-SERVING 80", "reboot: Power down")
    assert "hal-init: network: eth0 lease 10.0.2.15/24" in result.console
    assert replies and "HAL-GUEST-HTTP" in replies[0], replies


def test_two_host_nics_with_nics_all_give_two_guest_nics_with_their_macs(kernel, guest_initramfs, tmp_path):
    image = packed_with(kernel, tmp_path, "disk = auto\nnics = all\n")
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "guest.img", cmdline="guest.steps=facts")
    second = "52:54:00:12:34:57"
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=GUEST_TIMEOUT,
                  extra=["-netdev", "user,id=net1", "-device", f"virtio-net-pci,netdev=net1,mac={second}"])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    assert "network: bridge: guest NIC 0 on eth0" in result.console
    assert "network: bridge: guest NIC 1 on eth1" in result.console
    result.assert_in_order(f"GUEST-NIC eth0 mac={NIC_MAC}", f"GUEST-NIC eth1 mac={second}", "GUEST-DONE")
