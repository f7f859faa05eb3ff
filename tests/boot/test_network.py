"""The host's own network (network = nat, where the host runs it): DHCP from QEMU's user
network (with net.hostname), static ip=, no NIC at all, net.required."""
import re
import uuid

from halvm import boot, make_disk, qmp_command


def guest(kernel, image, tmp_path, *, keep_running=False, append="", **options):
    marker = f"HAL-NET-{uuid.uuid4().hex[:8]}"
    disk = make_disk(tmp_path / "disk.img", marker, loop_forever=keep_running)
    options["append"] = f"hal.network=nat {append}".strip()
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], **options)
    result.assert_no_panic()
    assert not result.timed_out, result.console
    return result, marker


def test_dhcp_lease_from_qemu_user_network_with_its_hostname(kernel, image, tmp_path, figures):
    # net.hostname = yes: the host takes the name the DHCP server offers (QEMU's, here).
    result, marker = guest(kernel, image, tmp_path, append="hal.net.hostname=yes", user_net="hostname=hal-lan-host")
    # The lease is obtained while QEMU starts: the guest does not wait for the host's DHCP.
    result.assert_in_order("hal-init: network: host network comes up while the guest starts",
                           "hal-init: launch: accel=", marker,
                           "hal-init: network: eth0 lease 10.0.2.15 released", "reboot: Power down")
    result.assert_in_order("hal-init: network: host network comes up while the guest starts",
                           "hal-init: devices: host NIC eth0 (52:54:00:12:34:56) for auto",
                           "hal-init: network: eth0: DHCP under way")
    result.assert_in_order("hal-init: network: eth0: DHCP under way",
                           "hal-init: network: eth0 lease 10.0.2.15/24 gateway 10.0.2.2 from 10.0.2.2, 86400 s",
                           "hal-init: network: eth0 lease 10.0.2.15 released")
    result.assert_in_order("hal-init: network: eth0 lease 10.0.2.15/24",
                           "hal-init: network: hostname hal-lan-host (offered by DHCP, net.hostname = yes)")
    bound = re.search(r"bound (\d+) ms after link up", result.console)
    figures.append(f"network: DHCP lease bound {bound.group(1)} ms after link up (QEMU user network, TCG)")


def test_static_ip_from_the_kernel_command_line(kernel, image, tmp_path):
    result, marker = guest(kernel, image, tmp_path, append="ip=10.0.2.99::10.0.2.2:255.255.255.0::eth0:off")
    result.assert_in_order("hal-init: network: eth0 static 10.0.2.99/24 gateway 10.0.2.2", marker)
    assert "hal-init: network: eth0 lease" not in result.console


def test_no_nic_still_reaches_the_guest_after_the_bounded_wait(kernel, image, tmp_path):
    # The guest does not wait for the NIC at all; the host gives up on it after the bound,
    # while the guest runs (then the test presses the power button).
    qmp = tmp_path / "outer-qmp.sock"
    result, marker = guest(kernel, image, tmp_path, nic=None, append="hal.host_nic_timeout=2 hal.powerdown_timeout=2",
                           keep_running=True, qmp_socket=qmp,
                           when=[("no host NIC matching auto within", lambda: qmp_command(qmp, "system_powerdown"))])
    result.assert_in_order("hal-init: network: host network comes up while the guest starts",
                           "hal-init: launch: accel=", marker)
    result.assert_in_order("hal-init: launch: accel=",
                           "hal-init: devices: no host NIC matching auto within 2 s; continuing without host network",
                           "reboot: Power down")


def test_required_network_is_waited_for_before_launch(kernel, image, tmp_path):
    result, marker = guest(kernel, image, tmp_path, append="hal.net.required=yes")
    result.assert_in_order("hal-init: network: eth0 lease 10.0.2.15/24", "hal-init: launch: accel=", marker)


def test_required_network_missing_takes_the_emergency_action(kernel, image, tmp_path):
    result, marker = guest(kernel, image, tmp_path, nic=None, append="hal.host_nic_timeout=1 hal.net.required=yes")
    result.assert_in_order("hal-init: fatal: network required (net.required) but not up", "reboot: Power down")
    assert marker not in result.console
