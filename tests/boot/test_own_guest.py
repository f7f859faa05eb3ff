"""The HAL installed on the disk it boots as its guest: the machine's firmware boots the HAL's
GRUB entry, the HAL boots the same disk, and the guest's GRUB, seeing the SMBIOS OEM string
every HAL guest carries, boots the OS instead of the HAL again. A HAL image booted inside its
own guest anyway (an entry without that test) says so and starts no second guest."""
import shutil

from guestos import hal_and_os_disk
from halvm import OVMF_CODE, OVMF_VARS, boot, pack

GUEST_TIMEOUT = 600


def booted(kernel, guest_initramfs, tmp_path, guarded: bool):
    config = tmp_path / "hal.conf"
    config.write_text("disk = auto\n")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config)
    assert packed.returncode == 0, packed.stderr
    disk = hal_and_os_disk(kernel, image, guest_initramfs, tmp_path / "machine.img", os_cmdline="guest.steps=facts",
                           guarded=guarded)
    variables = tmp_path / "vars.fd"
    shutil.copy(OVMF_VARS, variables)
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


def test_a_hal_booted_inside_its_own_guest_starts_no_second_guest(kernel, guest_initramfs, tmp_path):
    result = booted(kernel, guest_initramfs, tmp_path, guarded=False)
    result.assert_in_order(
        "hal-init starting", "hal-init: firmware: uefi", "hal-init starting",
        "hal-init: fatal: this HAL image was booted inside its own guest (SMBIOS OEM string mkinitrd-hal:guest): "
        "no second guest is started",
        "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    assert result.console.count("hal-init starting") == 2, result.console[-4000:]
    assert "GUEST-BOOT" not in result.console
