"""The HAL installed on the disk it boots as its guest: `mkinitrd-hal --install-boot --default`
writes the GRUB entries, the machine's firmware boots the HAL's entry, the HAL boots the same
disk, and the guest's GRUB, seeing the SMBIOS OEM string every HAL guest carries, boots the OS
instead of the HAL again. A HAL image booted inside its own guest anyway (an entry written by
hand, without that test) says so and starts no second guest. On a machine without
virtualization, `fallback = bare-metal` boots the OS natively once, and the HAL again after."""
import os
import shutil
import subprocess

from guestos import ESP_UUID, EMPTY_GRUBENV, hal_and_os_disk
from halvm import MKINITRD, OUTER_KERNEL_WORDS, OVMF_CODE, OVMF_SECURE_CODE, OVMF_SECURE_VARS, OVMF_VARS, boot, pack

GUEST_TIMEOUT = 600


def installed_entries(kernel, image, stage) -> str:
    """What grub-mkconfig writes for mkinitrd-hal --install-boot --default on a system whose
    /boot has this kernel and its HAL image (--root prints it)."""
    (stage / "etc" / "grub.d").mkdir(parents=True)
    (stage / "etc" / "default").mkdir()
    (stage / "etc" / "default" / "grub").write_text(
        f'GRUB_DISTRIBUTOR=Debian\nGRUB_CMDLINE_LINUX="{OUTER_KERNEL_WORDS}"\nGRUB_CMDLINE_LINUX_DEFAULT=""\n')
    (stage / "boot" / "grub").mkdir(parents=True)
    (stage / "boot" / "grub" / "grubenv").write_bytes(EMPTY_GRUBENV)
    (stage / "boot" / f"vmlinuz-{kernel.release}").symlink_to(kernel.image)
    (stage / "boot" / f"hal-initrd.img-{kernel.release}").symlink_to(image)
    # grub-mkconfig exports the UUID of /boot's filesystem: here the disk's ESP.
    result = subprocess.run([str(MKINITRD), "--install-boot", "--default", "--root", str(stage)],
                            capture_output=True, text=True, env={**os.environ, "GRUB_DEVICE_BOOT_UUID": ESP_UUID})
    assert result.returncode == 0, result.stderr
    assert (stage / "etc" / "grub.d" / "42_mkinitrd-hal").stat().st_mode & 0o111
    output = result.stdout
    entries = output.split("the entries grub.cfg will have:\n", 1)[1].split("mkinitrd-hal: --root:", 1)[0]
    assert f"--id 'mkinitrd-hal-{kernel.release}'" in entries, output
    assert f"hal.grubenv=UUID={ESP_UUID}:/boot/grub/grubenv" in entries, output
    return entries


def installed_disk(kernel, guest_initramfs, tmp_path, guarded: bool = True, os_steps: str = "facts",
                   secure: bool = False):
    """The machine's disk with the HAL image packed for it and its entries, and a fresh copy
    of the machine's UEFI variable store (with Microsoft's keys and Secure Boot on: `secure`)."""
    config = tmp_path / "hal.conf"
    config.write_text("disk = auto\n")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config, extra=["--secure-boot", "on" if secure else "off"])
    assert packed.returncode == 0, packed.stderr
    if guarded:
        entries = installed_entries(kernel, image, tmp_path / "stage")
    else:
        (tmp_path / "stage").mkdir()
        entries = (f'menuentry "Debian GNU/Linux, under mkinitrd-hal" {{\n'
                   f'    linux /boot/vmlinuz-{kernel.release} {OUTER_KERNEL_WORDS}\n'
                   f'    initrd /boot/hal-initrd.img-{kernel.release}\n}}\nset default=1\n')
    disk = hal_and_os_disk(kernel, image, guest_initramfs, tmp_path / "machine.img",
                           os_cmdline=f"guest.steps={os_steps}", hal_entries=entries, secure=secure)
    variables = tmp_path / "vars.fd"
    shutil.copy(OVMF_SECURE_VARS if secure else OVMF_VARS, variables)
    return image, disk, variables


def booted(kernel, guest_initramfs, tmp_path, guarded: bool):
    image, disk, variables = installed_disk(kernel, guest_initramfs, tmp_path, guarded)
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], uefi_boot=(OVMF_CODE, variables),
                  timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    return result


def test_the_guest_boots_the_os_not_the_hal_again(kernel, guest_initramfs, tmp_path):
    result = booted(kernel, guest_initramfs, tmp_path, guarded=True)
    result.assert_in_order("hal-init starting", "hal-init: firmware: uefi: the boot disk has an EFI System Partition",
                           "GUEST-BOOT", "GUEST-DMI", "GUEST-DONE",
                           "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    assert result.console.count("hal-init starting") == 1, result.console[-4000:]
    assert result.console.count("GUEST-BOOT") == 1, result.console[-4000:]


def test_under_secure_boot_shim_and_signed_grub_boot_the_hal_then_the_guest_the_os(kernel, guest_initramfs,
                                                                                   tmp_path):
    """The same installation on a machine with Secure Boot on (Microsoft's keys in its
    firmware): Microsoft-signed shim, Debian-signed GRUB (whose built-in modules have smbios and
    loadenv) and Debian-signed kernel boot the HAL's entry; the guest, under Secure Boot too,
    runs the same chain and boots the OS."""
    image, disk, variables = installed_disk(kernel, guest_initramfs, tmp_path, os_steps="facts,secureboot",
                                            secure=True)
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], machine="q35,smm=on",
                  uefi_boot=(OVMF_SECURE_CODE, variables), timeout=GUEST_TIMEOUT)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order("Kernel is locked down from EFI Secure Boot;", "hal-init starting",
                           "hal-init: firmware: uefi-secure: the boot disk has an EFI System Partition; the host booted "
                           "with Secure Boot on and the ESP's loader is signed (EFI/BOOT/BOOTX64.EFI)",
                           "GUEST-BOOT", "GUEST-SECUREBOOT 1", "GUEST-DONE",
                           "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    assert result.console.count("hal-init starting") == 1, result.console[-4000:]
    assert result.console.count("GUEST-BOOT") == 1, result.console[-4000:]


def test_a_hal_booted_inside_its_own_guest_starts_no_second_guest(kernel, guest_initramfs, tmp_path):
    result = booted(kernel, guest_initramfs, tmp_path, guarded=False)
    result.assert_in_order(
        "hal-init starting", "hal-init: firmware: uefi", "hal-init starting",
        "hal-init: fatal: this HAL image was booted inside its own guest (SMBIOS OEM string mkinitrd-hal:guest): "
        "no second guest is started",
        "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    assert result.console.count("hal-init starting") == 2, result.console[-4000:]
    assert "GUEST-BOOT" not in result.console


FALLBACK_LINE = ("hal-init: fallback: bare-metal: no usable /dev/kvm, and fallback = bare-metal boots the OS "
                 "natively rather than under TCG: the next boot is the OS's own, natively, once")


def test_without_virtualization_the_os_boots_natively_once_then_the_hal_again(kernel, guest_initramfs, tmp_path):
    """The outer CPU has no SVM/VMX: the HAL, booted by its installed entry, cannot run the OS
    under KVM, so it leaves the flag in GRUB's environment and reboots; GRUB boots the OS
    natively (its marker, no HAL in between) and clears the flag; the machine's next boot is
    the HAL's again."""
    image, disk, variables = installed_disk(kernel, guest_initramfs, tmp_path)
    reasons = []
    for attempt in ("first", "second"):
        result = boot(kernel, image, tmp_path / f"{attempt}.log", disks=[disk], uefi_boot=(OVMF_CODE, variables),
                      cpu="qemu64,-svm,-vmx", reboots=True, timeout=GUEST_TIMEOUT)
        result.assert_no_panic()
        assert not result.timed_out, result.console[-4000:]
        result.assert_in_order("hal-init starting", "hal-init: fatal: no usable /dev/kvm", FALLBACK_LINE,
                               "reboot: Restarting system",
                               "mkinitrd-hal could not run the OS: no usable /dev/kvm",
                               "GUEST-BOOT", "GUEST-DMI", "GUEST-DONE", "reboot: Power down")
        # One HAL, then the OS on the bare (outer) machine: no HAL between them, no guest.
        assert result.console.count("hal-init starting") == 1, result.console[-4000:]
        assert result.console.count("GUEST-BOOT") == 1, result.console[-4000:]
        assert "hal-init: launch:" not in result.console
        reasons.append(result.console.count("mkinitrd-hal could not run the OS"))
    assert reasons == [1, 1]
    # GRUB cleared the flag with save_env, in the file's own blocks, which kept their size.
    grubenv = subprocess.run(["mtype", "-i", f"{disk}@@1M", "::boot/grub/grubenv"], capture_output=True,
                             check=True).stdout
    assert len(grubenv) == 1024 and grubenv.startswith(b"# GRUB Environment Block\n"), grubenv[:200]
    assert grubenv.split(b"#")[1].endswith(b"\nmkinitrd_hal_fallback=\n"), grubenv[:200]
