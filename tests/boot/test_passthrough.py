"""The machine's own PCI devices handed to the guest through VFIO (passthrough). The outer VM is
a q35 PC with an Intel IOMMU (intel-iommu, intel_iommu=on): the HAL inside it reserves the
functions its list names for vfio-pci before any driver loads, and the guest, under nested KVM,
drives them as themselves: devices the HAL's QEMU does not even have (a MegaRAID SAS
controller, an Intel HD Audio function), a NIC it would not have chosen, which takes a lease
with the machine's MAC, and a PCIe NIC, for which the guest's machine becomes a q35 with the
NIC behind a PCIe root port. The machine's only disk, the OS's, is behind the MegaRAID: the HAL
lets its driver find and read it (the firmware choice), then hands the controller over, and the
guest's firmware boots the OS from it. None of the outer VM's emulated devices has a reset
method, so the guest's reboot reboots the machine."""
import re

from guestos import bios_disk
from halvm import boot
from test_real_guests import GUEST_TIMEOUT, modaliases, packed_with

RAID_SERIAL = "PASSED-RAID-0"
PASSED_MAC = "52:54:00:aa:bb:01"
PCIE_MAC = "52:54:00:aa:bb:02"


def outer_devices(raid_disk) -> list[str]:
    """The outer machine's devices the HAL may hand over, at fixed slots; the IOMMU first."""
    return ["-device", "intel-iommu,intremap=on",
            "-drive", f"if=none,id=raid-disk,format=raw,file={raid_disk}",
            "-device", "megasas,id=raid,addr=0x5",
            "-device", f"scsi-hd,drive=raid-disk,bus=raid.0,serial={RAID_SERIAL}",
            "-netdev", "user,id=passed", "-device", f"rtl8139,netdev=passed,mac={PASSED_MAC},addr=0x6",
            "-device", "intel-hda,addr=0x7", "-device", "hda-duplex",
            "-netdev", "user,id=pcie", "-device", f"e1000e,netdev=pcie,mac={PCIE_MAC},addr=0x8"]


def test_named_devices_reach_the_guest_as_themselves(kernel, guest_initramfs, tmp_path, figures):
    raid = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,modaliases,net,reboot")
    # By ID, by address and by kind; then what cannot go: an AHCI controller whose IOMMU group
    # holds the chipset's LPC bridge and SMBus, the SMBus itself, an ID and a kind no device has.
    image = packed_with(kernel, tmp_path,
                        "disk = auto\nnetwork = none\nmemory = 256\n"
                        "passthrough = 1000:0060, 0000:00:06.0, audio, 8086:10d3, 0000:00:1f.2, 00:1f.3, dead:beef, "
                        "gpu\n")
    result = boot(kernel, image, tmp_path / "console.log", machine="q35", append="intel_iommu=on hal.debug loglevel=8",
                  extra=outer_devices(raid), timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    console = result.console
    for line in ["hal-init: passthrough: 0000:00:1f.3 (8086:2930, SMBus) is a chipset function the host keeps",
                 "hal-init: passthrough: dead:beef: no PCI device has that ID",
                 "hal-init: passthrough: gpu: no device of that kind"]:
        assert line in console, console[-6000:]
    assert re.search(r"hal-init: passthrough: 0000:00:1f\.2 \(8086:2922, storage\): its IOMMU group \d+ also holds "
                     r"0000:00:1f\.0 ISA bridge, 0000:00:1f\.3 SMBus, which the host keeps", console), console[-6000:]
    # Reserved before any driver loaded: none had one; but the storage controller, whose driver
    # found the boot disk first.
    for address, ids, before in [("0000:00:05.0", "1000:0060, storage, named", "megaraid_sas"),
                                 ("0000:00:06.0", "10ec:8139, nic, named", "none"),
                                 ("0000:00:07.0", "8086:2668, audio, of a kind named", "none"),
                                 ("0000:00:08.0", "8086:10d3, nic, named", "none")]:
        assert re.search(rf"hal-init: passthrough: {re.escape(address)} \({re.escape(ids)}\) to the guest: "
                         rf"IOMMU group \d+, driver before {before}, reset method \S+", console), console[-6000:]
    result.assert_in_order("hal-init: passthrough: 0000:00:05.0 (1000:0060, storage): its driver reads its disks "
                           "first; handed over after the disk search",
                           "hal-init: modules: megaraid_sas loaded",
                           f"hal-init: devices: disk auto is /dev/sda (scsi, serial {RAID_SERIAL}",
                           "hal-init: passthrough: 0000:00:05.0: the guest reaches sda through it, not emulated",
                           "hal-init: passthrough: 0000:00:05.0 (1000:0060, storage, named) to the guest",
                           "hal-init: firmware: bios: the boot disk has BIOS boot code")
    assert "hal-init: launch: guest disk" not in console
    result.assert_in_order("hal-init: passthrough: a device without a reset method goes to the guest",
                           "hal-init: machine: q35: a PCI Express device goes to the guest (passthrough)",
                           "hal-init: launch: accel=kvm", "GUEST-FIRMWARE bios", "GUEST-REBOOT",
                           "hal-init: supervise: the guest rebooted; action reboot: a device handed to the guest has "
                           "no reset method: the machine's reboot resets it",
                           "reboot: Restarting system")
    assert "GUEST-DONE" not in console
    # Their own drivers were never loaded (the image has them), and the PCIe NIC sits behind a root port.
    assert "hal-init: modules: virtio_net loaded" in console, console[-6000:]
    for driver in ("8139cp", "8139too", "snd_hda_intel", "e1000e"):
        assert f"hal-init: modules: {driver} loaded" not in console, driver
    assert re.search(r"hal-init: launch: argv\[\d+\] = vfio-pci,host=0000:00:08\.0,bus=hal-port0,addr=0\.0\r?$",
                     console, re.M), console[-6000:]
    devices = modaliases(console)
    # Its own: MegaRAID, rtl8139, HDA, e1000e; and the q35 root port the e1000e sits behind.
    assert {"1000:0060", "10ec:8139", "8086:2668", "8086:10d3", "1b36:000c"} <= devices, devices
    # Its disk, through its own controller, and no other: nothing emulated.
    assert re.findall(r"GUEST-DISK (\S+) serial=(\S+)", console) == [("sda", RAID_SERIAL)], console[-4000:]
    nics = dict(re.findall(r"GUEST-NIC (\S+) mac=(\S+)", console))
    assert sorted(nics.values()) == [PASSED_MAC, PCIE_MAC], nics
    assert re.search(r"GUEST-LEASE 10\.0\.2\.\d+/24", console), console[-4000:]
    figures.append(f"passthrough (q35 + intel-iommu outer VM, TCG): outer start -> guest up "
                   f"{result.arrival('GUEST-BOOT') - result.arrivals[0][0]:.1f} s")


def test_auto_hands_over_every_device_that_can_go(kernel, guest_initramfs, tmp_path):
    """passthrough = auto on the same machine, without naming anything: every endpoint goes but
    the chipset's group (its AHCI controller with the LPC bridge and SMBus), the storage
    controller with the OS disk after the HAL read it; the guest finds its disk, both NICs with
    their MACs, and its sound card."""
    raid = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,modaliases,net")
    image = packed_with(kernel, tmp_path, "disk = auto\nnetwork = none\nmemory = 256\npassthrough = auto\n")
    result = boot(kernel, image, tmp_path / "console.log", machine="q35", append="intel_iommu=on", nic=None,
                  extra=outer_devices(raid), timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    console = result.console
    passed = re.findall(r"hal-init: passthrough: (\S+) \((\S+), \S+, passthrough = auto\) to the guest", console)
    assert passed == [("0000:00:06.0", "10ec:8139"), ("0000:00:07.0", "8086:2668"), ("0000:00:08.0", "8086:10d3"),
                      ("0000:00:05.0", "1000:0060")], console[-6000:]
    assert re.search(r"hal-init: passthrough: 0000:00:1f\.2 \(8086:2922, storage\): its IOMMU group \d+ also holds",
                     console), console[-6000:]
    result.assert_in_order("hal-init: passthrough: 0000:00:05.0: the guest reaches sda through it, not emulated",
                           "GUEST-BOOT", "GUEST-DONE", "hal-init: supervise: the guest shut down; action poweroff",
                           "reboot: Power down")
    assert {"1000:0060", "10ec:8139", "8086:2668", "8086:10d3"} <= modaliases(console)
    assert re.findall(r"GUEST-DISK (\S+) serial=(\S+)", console) == [("sda", RAID_SERIAL)], console[-4000:]
    assert sorted(dict(re.findall(r"GUEST-NIC (\S+) mac=(\S+)", console)).values()) == [PASSED_MAC, PCIE_MAC]
    assert re.search(r"GUEST-LEASE 10\.0\.2\.\d+/24", console), console[-4000:]
