"""Hardware bring-up: one image, without editing modules.list, on different emulated machines."""
import uuid

from halvm import boot, make_disk


def reach_guest(kernel, image, tmp_path, **boot_options):
    marker = f"HAL-GUEST-{uuid.uuid4().hex[:12]}"
    disk = make_disk(tmp_path / "disk.img", marker)
    disks = [(disk, boot_options.pop("bus", "virtio"))]
    result = boot(kernel, image, tmp_path / "console.log", disks=disks, **boot_options)
    result.assert_no_panic()
    assert not result.timed_out, result.console
    result.assert_in_order("hal-init: modules: ", marker, "hal-init: supervise: QEMU exited with status 0",
                           "reboot: Power down")
    return result


def test_q35_ahci_sata_disk_and_e1000(kernel, image, tmp_path):
    result = reach_guest(kernel, image, tmp_path, machine="q35", bus="ahci", nic="e1000",
                         append="hal.host_nic=mac:52:54:00:12:34:56")
    result.assert_in_order("hal-init: devices: disk auto is /dev/sda",
                           "hal-init: network: bridge: guest NIC 0 on eth0")
    assert "virtio_blk" not in result.console


def test_pc_virtio_disk_and_virtio_net(kernel, image, tmp_path):
    result = reach_guest(kernel, image, tmp_path, machine="pc", bus="virtio", nic="virtio-net-pci",
                         append="hal.host_nic=auto")
    result.assert_in_order("hal-init: devices: disk auto is /dev/vda",
                           "hal-init: network: bridge: guest NIC 0 on eth0")


def test_nvme_disk_found_by_serial(kernel, image, tmp_path):
    result = reach_guest(kernel, image, tmp_path, machine="q35", bus="nvme:HALNVME0042", nic=None,
                         append="hal.disk=serial:HALNVME0042")
    result.assert_in_order("hal-init: devices: disk serial:HALNVME0042 is /dev/nvme0n1")


def test_cpu_without_virtualization_skips_kvm_with_one_line(kernel, image, tmp_path):
    result = reach_guest(kernel, image, tmp_path, cpu="qemu64,-svm,-vmx")
    lines = [message for _, message in result.hal_lines() if message.startswith("kvm:")]
    assert lines == ["kvm: the CPU has no vmx/svm flag; KVM modules are not loaded and the guest will use TCG"]
    assert "init_module failed" not in result.console  # finit_module or init_module
    result.assert_in_order("hal-init: launch: accel=tcg")


def test_module_that_fails_gives_one_warning_and_boot_goes_on(kernel, image, tmp_path):
    # kvm_intel forced onto a CPU without VMX fails with EOPNOTSUPP.
    result = reach_guest(kernel, image, tmp_path, cpu="qemu64,-svm,-vmx", append="hal.load=kvm_intel")
    failures = [message for _, message in result.hal_lines() if "failed:" in message]
    assert failures == ["modules: kvm_intel: init_module failed: Not supported (errno 95)"], failures


def test_without_devtmpfs_nodes_come_from_sysfs(kernel, image, tmp_path):
    result = reach_guest(kernel, image, tmp_path, append="hal.devtmpfs=no")
    result.assert_in_order("hal-init: devices: devtmpfs = no; /dev is a tmpfs with", "hal-init: devices: disk auto is /dev/vda")
