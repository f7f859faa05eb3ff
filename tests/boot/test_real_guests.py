"""Real OS guests boot as they did on the bare metal: the firmware chosen from the disk, UEFI
variables that persist, every disk with its identity, the machine's SMBIOS and licence table,
image files on host partitions with snapshot; and each bad input as one log line."""
import contextlib
import hashlib
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from guestos import MICROSOFT_RESERVED_TYPE, Partition, bios_disk, ext4_image, uefi_disk
from halvm import DISPLAY_OUTER, boot, make_disk, pack

# A real guest goes through firmware, a bootloader and a Linux boot nested in the outer TCG VM.
GUEST_TIMEOUT = 600


def packed_with(kernel, directory: Path, config_text: str) -> Path:
    config = directory / "hal.conf"
    config.write_text(config_text)
    image = directory / "hal.img"
    result = pack(kernel, image, config=config)
    assert result.returncode == 0, result.stderr
    return image


def accelerator(result) -> str:
    match = re.search(r"hal-init: launch: accel=(\w+)", result.console)
    return match.group(1) if match else "?"


def guest_seconds(result, marker: str) -> float:
    """Outer VM start -> the guest's marker, on this machine's clock."""
    return result.arrival(marker) - result.arrivals[0][0] if result.arrivals else 0.0


def test_bios_disk_boots_with_bios_chosen_by_itself(kernel, image, guest_initramfs, tmp_path, figures):
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,roms,hypervisor")
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: devices: disk auto is /dev/vda (virtio, 512/512-byte sectors, BIOS boot code)",
                           "hal-init: firmware: bios: the boot disk has BIOS boot code and no EFI System Partition",
                           # No Windows on the disk: the plain host CPU (the guest meets KVM).
                           "hal-init: guest_os: other (no sign of Windows on the boot disk)",
                           "hal-init: tpm: none: no TPM on this machine (/dev/tpm0): the guest starts without one",
                           # The start watch's verdict: the guest's firmware runs.
                           "hal-init: guest: started: vCPU 0 made ",
                           "GUEST-BOOT kernel", "GUEST-FIRMWARE bios", "GUEST-DONE", "reboot: Power down")
    # The rig's outer VM always has nested KVM (the Windows-disk test below needs it too).
    assert accelerator(result) == "kvm"
    assert "GUEST-HYPERVISOR Hypervisor detected: KVM" in result.console, result.console[-3000:]
    # nic_boot = no (the default): the guest's virtio NIC has no PXE option ROM to try.
    assert "GUEST-NIC eth0" in result.console
    assert not re.search(r"GUEST-ROM \S+ 0x1af4:0x1000", result.console), result.console[-3000:]
    figures.append(f"BIOS guest (MBR + SYSLINUX + Linux): outer start -> guest up {guest_seconds(result, 'GUEST-BOOT'):.1f} s "
                   f"(accel {accelerator(result)}); image {image.stat().st_size} bytes")


@contextlib.contextmanager
def outer_tpm(state: Path):
    """A TPM 2.0 on CRB for the outer VM, as a PC's firmware TPM (swtpm); yields its QEMU
    arguments."""
    state.mkdir()
    control = state / "control.sock"
    swtpm = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
                              "--ctrl", f"type=unixio,path={control}", "--log", f"file={state / 'swtpm.log'}"])
    try:
        deadline = time.monotonic() + 10
        while not control.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert control.exists(), "swtpm did not open its control socket"
        yield ["-chardev", f"socket,id=chrtpm,path={control}",
               "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-crb,tpmdev=tpm0"]
    finally:
        swtpm.kill()
        swtpm.wait()


def test_the_machines_tpm_is_the_guests(kernel, image, guest_initramfs, tmp_path):
    """The outer VM has a TPM 2.0 on CRB (swtpm, as a PC's firmware TPM has), and tpm = auto
    passes it through: the guest meets a TPM 2.0 whose manufacturer is libtpms' "IBM". QEMU has
    no TPM of its own to give, so the one the guest answers from is the machine's."""
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=tpm")
    with outer_tpm(tmp_path / "swtpm") as tpm_arguments:
        result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=GUEST_TIMEOUT,
                      extra=tpm_arguments)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: tpm: /dev/tpm0 (TPM 2.0, tpm_crb) to the guest as tpm-crb: "
                           "the machine's TPM 2.0 (CRB) passed through",
                           "GUEST-TPM version=2 manufacturer=IBM", "GUEST-DONE", "reboot: Power down")


def test_uefi_disk_boots_with_uefi_and_its_variables_persist(kernel, guest_initramfs, tmp_path, figures):
    value = f"hal-{uuid.uuid4().hex[:8]}"
    disk = uefi_disk(kernel, guest_initramfs, tmp_path / "uefi.img", cmdline=f"guest.steps=facts,efivar guest.efivar={value}")
    data = tmp_path / "haldata.img"
    subprocess.run(["truncate", "-s", "32M", str(data)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "HALDATA", str(data)], check=True)
    image = packed_with(kernel, tmp_path, "disk = auto\nuefi_vars = LABEL=HALDATA:/hal/vars.fd\n")
    first = boot(kernel, image, tmp_path / "first.log", disks=[disk, data], timeout=GUEST_TIMEOUT)
    first.assert_no_panic()
    assert not first.timed_out, first.console[-4000:]
    first.assert_in_order("hal-init: devices: disk auto is /dev/vda (virtio, 512/512-byte sectors, EFI System Partition)",
                          "hal-init: firmware: uefi: the boot disk has an EFI System Partition",
                          "hal-init: uefi_vars: LABEL=HALDATA:/hal/vars.fd does not exist yet",
                          "GUEST-FIRMWARE uefi", f"GUEST-EFIVAR written {value}", "GUEST-DONE",
                          "hal-init: uefi_vars: saved to /hal/vars.fd on /dev/vdb", "reboot: Power down")
    listing = subprocess.run(["debugfs", "-R", "ls -l /hal", str(data)], capture_output=True, text=True).stdout
    assert "vars.fd" in listing and "540672" in listing, listing
    second = boot(kernel, image, tmp_path / "second.log", disks=[disk, data], timeout=GUEST_TIMEOUT)
    second.assert_no_panic()
    second.assert_in_order("hal-init: uefi_vars: LABEL=HALDATA:/hal/vars.fd loaded; boot entries persist",
                           "GUEST-FIRMWARE uefi", f"GUEST-EFIVAR found {value}", "reboot: Power down")
    figures.append(f"UEFI guest (GPT + ESP + GRUB + Linux): outer start -> guest up "
                   f"{guest_seconds(first, 'GUEST-BOOT'):.1f} s (accel {accelerator(first)})")


def test_ovmf_image_size(kernel, image, tmp_path, figures):
    bios_only = packed_with(kernel, tmp_path, "disk = auto\nfirmware = bios\n")
    added = image.stat().st_size - bios_only.stat().st_size
    assert added > 0
    figures.append(f"image size added by OVMF (code + variable template, gzip): {added} bytes "
                   f"({image.stat().st_size} with firmware = auto, {bios_only.stat().st_size} with bios)")


def test_every_disk_with_its_identity_and_the_machines_smbios_and_licence(kernel, guest_initramfs, tmp_path):
    """Three outer disks (virtio, AHCI with model/serial/WWN holding the OS, NVMe) -> disk = all:
    the guest sees three disks with the same identities, the boot disk first; the outer VM's
    SMBIOS system fields and an MSDM table show up in the guest."""
    os_disk = bios_disk(kernel, guest_initramfs, tmp_path / "os.img", cmdline="guest.steps=facts guest.disks=3")
    data_a, data_b = tmp_path / "a.img", tmp_path / "b.img"
    for data in (data_a, data_b):
        subprocess.run(["truncate", "-s", "64M", str(data)], check=True)
    key = "HALKE-YTEST-00000-11111-22222"
    msdm = tmp_path / "msdm.bin"
    # MSDM data after the 36-byte header: version, reserved, data type, reserved, length, key.
    msdm.write_bytes((1).to_bytes(4, "little") + bytes(4) + (1).to_bytes(4, "little") + bytes(4)
                     + len(key).to_bytes(4, "little") + key.encode())
    system_uuid = "6b0e0c1a-4d7b-4f0e-9c1d-0a5e2f3b4c5d"
    image = packed_with(kernel, tmp_path, "disk = all\n")
    extra = ["-smbios", f"type=1,manufacturer=HAL Test Works,product=Bare Metal 9000,serial=HALSN42,uuid={system_uuid}",
             "-acpitable", f"sig=MSDM,rev=3,oem_id=HALOEM,data={msdm}"]
    disks = [(data_a, "virtio", "serial=HALVIRTIO1"),
             (os_disk, "ahci", "serial=HALSATA2,model=HAL SSD 2000 Model Name,wwn=0x5000c500a1b2c3d4"),
             (data_b, "nvme:HALNVME3")]
    result = boot(kernel, image, tmp_path / "console.log", disks=disks, machine="q35", extra=extra,
                  timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: launch: guest disk 0: /dev/sda on ahci, cache=none aio=native (boots first)",
                           "GUEST-FIRMWARE bios", "GUEST-DONE", "reboot: Power down")
    # The outer QEMU makes SMBIOS types 0, 1 and 3 (no baseboard): the host has three.
    assert "hal-init: identity: host: 3 SMBIOS structures (types 0-3), 1 licence ACPI tables" in result.console
    console = result.console
    assert "GUEST-DMI sys_vendor=HAL_Test_Works" in console, console[-4000:]
    assert "GUEST-DMI product_name=Bare_Metal_9000" in console
    assert "GUEST-DMI product_serial=HALSN42" in console
    assert f"GUEST-DMI product_uuid={system_uuid}" in console
    assert f"GUEST-ACPI MSDM bytes={36 + 20 + len(key)} key={key}" in console
    disks_seen = re.findall(r"GUEST-DISK (\S+) serial=(\S+) model=(\S+) wwid=(\S+)", console)
    by_serial = {serial: (name, model, wwid) for name, serial, model, wwid in disks_seen}
    assert set(by_serial) == {"HALVIRTIO1", "HALSATA2", "HALNVME3"}, disks_seen
    assert by_serial["HALSATA2"][0] == "sda"
    assert by_serial["HALSATA2"][1].startswith("HAL_SSD"), by_serial
    assert by_serial["HALSATA2"][2] == "naa.5000c500a1b2c3d4"
    assert by_serial["HALNVME3"][0].startswith("nvme")
    assert by_serial["HALVIRTIO1"][0] == "vda"
    assert "GUEST-CPU logical=2 sockets=1 cores=2 threads=1" in console


def test_qcow2_image_on_an_ext4_partition_boots_and_snapshot_discards_writes(kernel, guest_initramfs, tmp_path):
    raw = bios_disk(kernel, guest_initramfs, tmp_path / "guest.raw",
                    cmdline="guest.steps=facts,scribble guest.scribble=sda")
    qcow2 = tmp_path / "guest.qcow2"
    subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", str(raw), str(qcow2)], check=True)
    holder = tmp_path / "holder.img"
    bios_disk(kernel, guest_initramfs, holder, cmdline="unused",
              extra=[Partition(size_mib=96, label="images", files={"guests/guest.qcow2": qcow2.read_bytes()})])
    image = packed_with(kernel, tmp_path, "disk = LABEL=images:/guests/guest.qcow2\nsnapshot = yes\n")
    before = hashlib.sha256(qcow2.read_bytes()).hexdigest()
    result = boot(kernel, image, tmp_path / "console.log", disks=[holder], timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: disks: /dev/vda2 (ext4 images) mounted read-only at /run/hal/mnt/0",
                           "hal-init: devices: disk LABEL=images:/guests/guest.qcow2 is /run/hal/mnt/0/guests/guest.qcow2 "
                           "(qcow2, 512/512-byte sectors, BIOS boot code)",
                           "hal-init: disks: snapshot = yes: guest writes go to RAM",
                           "hal-init: launch: guest disk 0: /run/hal/mnt/0/guests/guest.qcow2 on ahci, cache=writeback snapshot",
                           "GUEST-FIRMWARE bios", "GUEST-SCRIBBLED sda", "GUEST-DONE", "reboot: Power down")
    # The image inside the partition, read back from the outer disk, has not changed.
    extracted = tmp_path / "extracted.qcow2"
    offset = int(subprocess.run(["sfdisk", "-d", str(holder)], capture_output=True, text=True, check=True)
                 .stdout.split("start=")[2].split(",")[0]) * 512
    partition = tmp_path / "partition.img"
    with holder.open("rb") as source, partition.open("wb") as target:
        source.seek(offset)
        shutil.copyfileobj(source, target)
    subprocess.run(["debugfs", "-R", f"dump /guests/guest.qcow2 {extracted}", str(partition)], check=True,
                   capture_output=True)
    assert hashlib.sha256(extracted.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("case", ["missing-disk", "qcow2-backing", "secure-boot-not-packed"])
def test_bad_disk_and_firmware_inputs_are_one_line_then_the_emergency_action(kernel, tmp_path, case):
    """Each: one clear log line, no panic, the emergency action (power off; reboot where the
    configuration says emergency = reboot), nothing written."""
    disk = make_disk(tmp_path / "disk.img", f"HAL-NEVER-{case}")
    disks = [disk]
    append = ""
    if case == "missing-disk":
        # With emergency = reboot: the same line, then a reboot instead of the power-off.
        config = "disk = /dev/vda, serial:NO-SUCH-DISK\ndisk_timeout = 2\nemergency = reboot\n"
        expected = "hal-init: fatal: disk serial:NO-SUCH-DISK did not appear within 2 s"
    elif case == "qcow2-backing":
        top = tmp_path / "top.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-u", "-f", "qcow2", "-b", "base.raw", "-F", "raw", str(top), "64M"],
                       check=True)
        holder = tmp_path / "holder.img"
        ext4_image(holder, Partition(size_mib=16, label="images", files={"top.qcow2": top.read_bytes()}))
        disks = [holder]
        disk = holder
        config = "disk = LABEL=images:/top.qcow2\n"
        expected = ("hal-init: fatal: disk image /run/hal/mnt/0/top.qcow2: its qcow2 backing file base.raw does not "
                    "resolve (looked for /run/hal/mnt/0/base.raw)")
    else:
        config = "disk = auto\n"
        append = "hal.firmware=uefi-secure"
        expected = ("hal-init: fatal: firmware = uefi-secure, but the Secure Boot OVMF is not in this image; pack it "
                    "with firmware = uefi-secure")
    before = hashlib.sha256(disk.read_bytes()).hexdigest()
    image = packed_with(kernel, tmp_path, config)
    result = boot(kernel, image, tmp_path / "console.log", disks=disks, append=append)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    if case == "missing-disk":
        result.assert_in_order(expected, "hal-init: power: fatal setup error; syncing disks and rebooting",
                               "reboot: Restarting system")
    else:
        result.assert_in_order(expected, "hal-init: power: fatal setup error; syncing disks and powering off",
                               "reboot: Power down")
    assert "supervise: QEMU running" not in result.console
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == before


def test_missing_or_read_only_vars_partition_then_windows_signs_and_an_rtl8139(kernel, guest_initramfs, tmp_path):
    """uefi_vars on a partition that is not there is one line and the guest still boots; on a
    read-only one, one line, the guest boots, and nothing is written to it. That UEFI disk also
    has a Microsoft Reserved partition, as every Windows disk on GPT does: guest_os = auto takes
    it for Windows, and the Linux guest meets the Hyper-V enlightenments; and its NIC is the
    rtl8139 of nic_model = rtl8139, which takes a lease."""
    disk = make_disk(tmp_path / "disk.img", "HAL-VARS-MISSING")
    image = packed_with(kernel, tmp_path, "disk = auto\nuefi_vars = LABEL=NOPE:/hal/vars.fd\ndisk_timeout = 3\n")
    result = boot(kernel, image, tmp_path / "missing.log", disks=[disk])
    result.assert_no_panic()
    result.assert_in_order("hal-init: uefi_vars: no partition LABEL=NOPE appeared; boot entries will not persist",
                           "HAL-VARS-MISSING", "reboot: Power down")
    # Read-only: a UEFI guest, its vars partition on a read-only outer disk.
    uefi = uefi_disk(kernel, guest_initramfs, tmp_path / "uefi.img", cmdline="guest.steps=facts,hypervisor,modaliases,net",
                     extra=[Partition(16, kind=MICROSOFT_RESERVED_TYPE)])
    data = tmp_path / "haldata.img"
    subprocess.run(["truncate", "-s", "32M", str(data)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "HALDATA", str(data)], check=True)
    data_before = hashlib.sha256(data.read_bytes()).hexdigest()
    image = packed_with(kernel, tmp_path, "disk = auto\nuefi_vars = LABEL=HALDATA:/hal/vars.fd\nnic_model = rtl8139\n")
    result = boot(kernel, image, tmp_path / "read-only.log", disks=[uefi, (data, "virtio", "", "readonly=on")],
                  timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    result.assert_in_order("hal-init: guest_os: windows (the boot disk has a Microsoft Reserved partition): "
                           "the vCPUs carry the Hyper-V enlightenments",
                           "hal-init: uefi_vars: cannot mount /dev/vdb (ext4) read-write",
                           "boot entries will not persist", "GUEST-FIRMWARE uefi",
                           # kvm=off: Hyper-V's signature alone (Linux would pick KVM's beside it).
                           "GUEST-HYPERVISOR Hypervisor detected: Microsoft Hyper-V",
                           "reboot: Power down")
    assert accelerator(result) == "kvm"
    # hv-time's reference TSC page is the guest's clock source to choose.
    assert re.search(r"GUEST-CLOCKSOURCES .*hyperv_clocksource_tsc_page", result.console), result.console[-3000:]
    assert "10ec:8139" in modaliases(result.console), result.console[-3000:]
    assert re.search(r"GUEST-LEASE 10\.0\.2\.\d+/24", result.console), result.console[-3000:]
    assert hashlib.sha256(data.read_bytes()).hexdigest() == data_before


OUTER_SMBIOS = ["-smbios", "type=1,manufacturer=HAL Test Works,product=Bare Metal 9000"]


def modaliases(console: str) -> set[str]:
    """The PCI vendor:device pairs of the guest's GUEST-MODALIAS lines, lower case."""
    return {f"{vendor}:{device}".lower()
            for vendor, device in re.findall(r"GUEST-MODALIAS \S+ pci:v0000([0-9A-F]{4})d0000([0-9A-F]{4})", console)}


def test_generic_identity_no_network_virtio_video_no_input_and_extra_qemu_args(kernel, guest_initramfs, tmp_path):
    """identity = generic, network = none, guest_video = virtio, input = none and qemu_args,
    as the guest sees them: QEMU's own SMBIOS, no NIC, a virtio-vga, no USB tablet, and the
    device qemu_args added."""
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,modaliases")
    image = packed_with(kernel, tmp_path, "disk = auto\nidentity = generic\nnetwork = none\nguest_video = virtio\n"
                                          "input = none\nqemu_args = -device virtio-rng-pci\n")
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], extra=DISPLAY_OUTER + OUTER_SMBIOS,
                  timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: identity: generic", "hal-init: launch: accel=", "GUEST-FIRMWARE bios",
                           "GUEST-DONE", "reboot: Power down")
    console = result.console
    assert "GUEST-DMI sys_vendor=QEMU" in console and "HAL_Test_Works" not in console, console[-4000:]
    devices = modaliases(console)
    assert "1af4:1050" in devices and "1234:1111" not in devices, devices  # virtio-vga, not std VGA
    assert "1af4:1005" in devices, devices  # qemu_args' virtio-rng-pci
    assert not devices & {"1af4:1000", "1af4:1041", "8086:100e", "8086:10d3"}, devices  # no NIC
    assert "GUEST-NIC" not in console
    assert "1b36:000d" not in devices, devices  # no qemu-xhci for a tablet
    # hal-display puts the screen on the monitor and opens no input device.
    assert "hal-display: screen:" in console, console[-4000:]
    assert "hal-display: input: /dev/input/" not in console


def test_virtual_platform_is_qemus_stable_pc_on_any_host(kernel, guest_initramfs, tmp_path):
    """platform = virtual: the machine an OS written only for QEMU counts on, whatever the host.
    The outer VM has SMBIOS of its own and a TPM, and the guest meets neither: QEMU's SMBIOS, no
    TPM, its disk on IDE, an rtl8139 that takes a lease, a virtio-rng, and the std VGA and USB
    tablet although the outer VM has no monitor (so that no PCI slot depends on one)."""
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,tpm,modaliases,net")
    image = packed_with(kernel, tmp_path, "disk = auto\nplatform = virtual\n")
    with outer_tpm(tmp_path / "swtpm") as tpm_arguments:
        result = boot(kernel, image, tmp_path / "console.log", disks=[disk], extra=OUTER_SMBIOS + tpm_arguments,
                      timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: config: platform=virtual disk=auto bus=ide firmware=auto identity=generic",
                           "hal-init: identity: generic", "hal-init: tpm: none: tpm = none",
                           "GUEST-FIRMWARE bios", "GUEST-TPM none", "GUEST-DONE", "reboot: Power down")
    console = result.console
    assert "GUEST-DMI sys_vendor=QEMU" in console and "HAL_Test_Works" not in console, console[-4000:]
    assert re.search(r"GUEST-DISK sda serial=\S+ model=QEMU_HARDDISK", console), console[-4000:]
    devices = modaliases(console)
    # rtl8139, std VGA, qemu-xhci, virtio-rng, and the PIIX3 IDE controller the disk is on.
    assert {"10ec:8139", "1234:1111", "1b36:000d", "1af4:1005", "8086:7010"} <= devices, devices
    assert not devices & {"1af4:1000", "1af4:1041", "1af4:1001", "1af4:1042"}, devices  # no virtio NIC or disk
    assert re.search(r"GUEST-LEASE 10\.0\.2\.\d+/24", console), console[-4000:]


def test_e1000_guest_nic_with_its_boot_rom_and_no_iommu_for_passthrough(kernel, guest_initramfs, tmp_path):
    """nic_model = e1000 and nic_boot = yes: the guest's NIC is an Intel 82540EM carrying its
    PXE option ROM. passthrough names a kind on a machine without an IOMMU (this outer pc has
    no DMAR table): one line says so and the guest starts with everything emulated."""
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "bios.img", cmdline="guest.steps=facts,modaliases,roms")
    image = packed_with(kernel, tmp_path, "disk = auto\nnetwork = nat\nnic_model = e1000\nnic_boot = yes\n"
                                          "passthrough = storage\n")
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: launch: accel=", "GUEST-FIRMWARE bios", "GUEST-DONE", "reboot: Power down")
    console = result.console
    assert "8086:100e" in modaliases(console), console[-4000:]
    assert "GUEST-NIC eth0" in console
    assert re.search(r"GUEST-ROM \S+ 0x8086:0x100e", console), console[-4000:]
    assert ("hal-init: passthrough: no IOMMU is active (the firmware has no DMAR or IVRS table: turn on VT-d or "
            "AMD-Vi (IOMMU) in its setup): every device is emulated") in console, console[-4000:]
    assert "vfio-pci" not in console
