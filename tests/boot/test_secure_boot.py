"""Secure Boot as the host had it: a machine whose own firmware boots the HAL through Debian's
signed chain (Microsoft-signed shim, Debian-signed GRUB and kernel) with Secure Boot on gives
its guest the Secure Boot OVMF, and the guest's own signed chain boots with SecureBoot = 1; the
HAL's kernel runs locked down and refuses an unsigned module, which hal-init names; an unsigned
loader under Secure Boot is refused by the guest's firmware."""
import shutil
import struct
import subprocess
from pathlib import Path

from guestos import kernel_command_line, secure_boot_root, shim_disk, uefi_disk
from halvm import MKINITRD, OUTER_KERNEL_WORDS, OVMF_SECURE_CODE, OVMF_SECURE_VARS, boot, pack, qmp_command

GUEST_TIMEOUT = 600
SIGNATURE_TRAILER = b"~Module signature appended~\n"


def unsigned_module_tree(kernel, directory: Path, module: str) -> Path:
    """A copy of the kernel's module tree (symlinks) in which `module` lost its signature, as
    an out-of-tree build nobody signed (ZFS, a vendor driver) is."""
    root = directory / "moddir"
    subprocess.run(["cp", "-as", str(kernel.root), str(root)], check=True)
    moddir = root / "lib" / "modules" / kernel.release
    found = [path for path in moddir.rglob(f"{module}.ko")]
    assert len(found) == 1, found
    data = found[0].read_bytes()
    assert data.endswith(SIGNATURE_TRAILER)
    # struct module_signature (12 bytes, the signature's length last, big-endian), the trailer.
    signature_length = struct.unpack(">I", data[-len(SIGNATURE_TRAILER) - 4:-len(SIGNATURE_TRAILER)])[0]
    found[0].unlink()
    found[0].write_bytes(data[:len(data) - len(SIGNATURE_TRAILER) - 12 - signature_length])
    return root


def test_secure_boot_follows_the_host_a_signed_guest_chain_boots_and_an_unsigned_module_is_named(
        kernel, guest_initramfs, tmp_path, figures):
    config = tmp_path / "hal.conf"
    config.write_text("disk = serial:GUESTOS\n")
    moddir = unsigned_module_tree(kernel, tmp_path, "i6300esb")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config, extra=["--moddir", str(moddir), "--secure-boot", "on"])
    assert packed.returncode == 0, packed.stderr
    assert ("mkinitrd-hal: warning: 1 module carries no signature (i6300esb), and the machine boots with "
            "Secure Boot on") in packed.stderr, packed.stderr
    verified = subprocess.run([str(MKINITRD), "--verify", str(image), "--secure-boot", "on"],
                              capture_output=True, text=True)
    assert "warning: 1 module carries no signature (i6300esb)" in verified.stdout, verified.stdout
    # The machine: its ESP boots the HAL through shim and GRUB; the guest's disk holds the
    # same kind of chain, with the test guest as the OS.
    machine_disk = shim_disk(kernel, image, tmp_path / "machine.img", OUTER_KERNEL_WORDS, esp_size_mib=96)
    # A dual-boot ESP: Windows Boot Manager (here another signed PE) beside shim, which makes
    # the guest Windows for hal-init (Hyper-V enlightenments), read from the ESP's FAT.
    guest_disk = shim_disk(kernel, guest_initramfs, tmp_path / "guest.img",
                           kernel_command_line("guest.steps=facts,secureboot,hypervisor"),
                           extra_files={"EFI/Microsoft/Boot/bootmgfw.efi":
                                        (secure_boot_root() / "usr/lib/shim/shimx64.efi.signed").read_bytes()})
    variables = tmp_path / "machine-vars.fd"
    shutil.copy(OVMF_SECURE_VARS, variables)
    result = boot(kernel, image, tmp_path / "console.log", machine="q35,smm=on", uefi_boot=(OVMF_SECURE_CODE, variables),
                  disks=[machine_disk, (guest_disk, "virtio", "serial=GUESTOS")], timeout=GUEST_TIMEOUT,
                  # An emulated watchdog card, so that its (unsigned) driver is loaded for it.
                  extra=["-device", "i6300esb"])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    # The module loads while the launch goes on: two sequences, each in its own order.
    result.assert_in_order(
        "Kernel is locked down from EFI Secure Boot;", "Loading of unsigned module is rejected",
        "hal-init: modules: i6300esb refused (Key was rejected by service, errno 129): the kernel enforces "
        "module signatures (Secure Boot on) and this module is unsigned")
    result.assert_in_order(
        "hal-init: firmware: uefi-secure: the boot disk has an EFI System Partition; the host booted with "
        "Secure Boot on and the ESP's loader is signed (EFI/BOOT/BOOTX64.EFI)",
        "hal-init: guest_os: windows (the boot disk's ESP holds Windows Boot Manager (bootmgfw.efi)): the vCPUs "
        "carry the Hyper-V enlightenments",
        "GUEST-FIRMWARE uefi", "GUEST-SECUREBOOT 1; Kernel is locked down from EFI Secure Boot;",
        "GUEST-HYPERVISOR Hypervisor detected: Microsoft Hyper-V",
        "GUEST-DONE", "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    figures.append(f"Secure Boot machine (shim -> GRUB -> HAL) -> guest under Secure Boot up: "
                   f"{result.arrival('GUEST-BOOT') - result.arrivals[0][0]:.1f} s")


def test_an_unsigned_loader_keeps_plain_uefi_and_forced_secure_boot_refuses_it(kernel, guest_initramfs, tmp_path):
    """An OS made only for QEMU with an unsigned UEFI loader: firmware = auto never turns Secure
    Boot on for it (unit-tested); forced, the guest's firmware refuses its loader, which proves
    the Secure Boot OVMF enforces."""
    config = tmp_path / "hal.conf"
    # The refused guest sits in its firmware's boot menu: the power button's ladder goes to
    # QMP quit after 5 s instead of 120.
    config.write_text("disk = auto\npowerdown_timeout = 5\n")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config, extra=["--secure-boot", "on"])
    assert packed.returncode == 0, packed.stderr
    disk = uefi_disk(kernel, guest_initramfs, tmp_path / "unsigned.img", cmdline="guest.steps=facts")
    qmp = tmp_path / "qmp"
    result = boot(kernel, image, tmp_path / "forced.log", disks=[disk], append="hal.firmware=uefi-secure",
                  qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                  when=[("Access Denied", lambda: qmp_command(qmp, "system_powerdown"))])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("hal-init: firmware: uefi-secure: firmware = uefi-secure in the config",
                           "BdsDxe: failed to load Boot0001", "Access Denied", "reboot: Power down")
    assert "GUEST-BOOT" not in result.console
