"""A real Linux guest OS for the boot tests: Debian's kernel with a busybox initramfs that
reports what it sees (tests/guest/init.sh, guest-tool), installed with a real bootloader on a
disk image built without root: MBR + SYSLINUX on FAT (BIOS), GPT + an EFI System Partition
with a standalone GRUB as \\EFI\\BOOT\\BOOTX64.EFI (UEFI). Extra partitions are ext4 made by
mkfs.ext4 -d at an offset; nothing is mounted."""
import gzip
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from halvm import BUILD, REPO, Kernel

GUEST_DIR = REPO / "tests" / "guest"
GUEST_TOOL = BUILD / "fixtures" / "guest-tool"
SECTOR = 512
MIB = 1024 * 1024
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
# Every Windows installation on GPT has one (hal-init's sign of Windows on a UEFI disk).
MICROSOFT_RESERVED_TYPE = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE"

# Drivers the guest needs for every disk, NIC, screen and input device the tests give it.
# 8139cp: QEMU's rtl8139 is an RTL8139C+ (revision 0x20), which 8139too declines.
GUEST_MODULES = [
    "virtio_pci", "virtio_blk", "virtio_net", "virtio_scsi", "sd_mod", "ahci", "ata_piix", "nvme",
    "efivarfs", "ext4", "crc32c_generic", "vfat", "nls_cp437", "nls_ascii", "button", "evdev", "psmouse",
    "xhci_pci", "usbhid", "hid_generic", "bochs", "e1000", "e1000e", "8139cp", "pvpanic_pci?", "pvpanic_mmio?",
    "i6300esb", "megaraid_sas", "snd_hda_intel",
]

UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
        ;;
esac
exit 0
"""


def newc(entries: list[tuple]) -> bytes:
    """A newc cpio of (path, mode, data[, (major, minor)]) entries, in the given order, with a
    trailer; the device numbers are for device nodes."""
    out = bytearray()
    for number, (name, mode, data, *device) in enumerate(entries + [("TRAILER!!!", 0, b"")], start=1):
        major, minor = device[0] if device else (0, 0)
        fields = [number, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data), 0, 0, major, minor, len(name) + 1, 0]
        out += b"070701" + b"".join(b"%08X" % value for value in fields) + name.encode() + b"\0"
        out += b"\0" * (-len(out) % 4) + data + b"\0" * (-len(data) % 4)
    return bytes(out)


def module_closure(kernel: Kernel, names: list[str]) -> list[str]:
    """modules.dep paths of `names` and everything they need, dependencies first. A trailing
    '?' marks a module the kernel may lack."""
    moddir = kernel.root / "lib" / "modules" / kernel.release
    dependencies = {}
    for line in (moddir / "modules.dep").read_text().splitlines():
        path, _, needs = line.partition(":")
        dependencies[path] = needs.split()
    by_name = {Path(path).name.split(".ko")[0].replace("-", "_"): path for path in dependencies}
    builtin = {Path(line).name.split(".ko")[0].replace("-", "_")
               for line in (moddir / "modules.builtin").read_text().split()}
    order: list[str] = []

    def visit(path: str):
        if path in order:
            return
        for needed in reversed(dependencies[path]):
            visit(needed)
        order.append(path)

    for name in names:
        optional = name.endswith("?")
        key = name.rstrip("?").replace("-", "_")
        if key in by_name:
            visit(by_name[key])
        elif key not in builtin and not optional:
            raise KeyError(f"guest module {name} not in {moddir}")
    return order


def build_initramfs(kernel: Kernel, output: Path) -> Path:
    moddir = kernel.root / "lib" / "modules" / kernel.release
    modules = module_closure(kernel, GUEST_MODULES)
    entries = [("bin", 0o040755, b""), ("dev", 0o040755, b""), ("proc", 0o040755, b""), ("sys", 0o040755, b""),
               ("lib", 0o040755, b""), ("lib/modules", 0o040755, b""), ("tmp", 0o040755, b"")]
    entries.append(("init", 0o100755, (GUEST_DIR / "init.sh").read_bytes()))
    entries.append(("bin/busybox", 0o100755, Path("/bin/busybox").read_bytes()))
    entries.append(("bin/guest-tool", 0o100755, GUEST_TOOL.read_bytes()))
    entries.append(("bin/udhcpc-script", 0o100755, UDHCPC_SCRIPT.encode()))
    for path in modules:
        entries.append((f"lib/modules/{Path(path).name}", 0o100644, (moddir / path).read_bytes()))
    load_list = "".join(Path(path).name + "\n" for path in modules)
    entries.append(("lib/modules/load.list", 0o100644, load_list.encode()))
    output.write_bytes(gzip.compress(newc(entries), 6, mtime=0))
    return output


def run(*command, **options):
    subprocess.run([str(part) for part in command], check=True, capture_output=True, **options)


@dataclass
class Partition:
    """An extra ext4 partition after the boot partition, filled from `files` (relative path -> bytes);
    `kind` is its partition type (sfdisk's: an MBR byte or a GPT type GUID), Linux data unless set."""
    size_mib: int
    label: str = ""
    files: dict = field(default_factory=dict)
    kind: str = ""


def fat_image(path: Path, size_mib: int, hidden_sectors: int, files: dict, label: str = "GUESTBOOT",
              volume_id: str = ""):
    """A FAT32 image holding `files`; `volume_id` (8 hex digits) makes its UUID XXXX-XXXX."""
    run("truncate", "-s", f"{size_mib}M", path)
    run("mkfs.vfat", "-F", "32", "-n", label, "-h", str(hidden_sectors), *(["-i", volume_id] if volume_id else []),
        path)
    directories = sorted({str(Path(name).parent) for name in files if str(Path(name).parent) != "."},
                         key=lambda name: name.count("/"))
    for directory in directories:
        parts = Path(directory).parts
        for depth in range(1, len(parts) + 1):
            subprocess.run(["mmd", "-i", str(path), "::/" + "/".join(parts[:depth])], capture_output=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, data in files.items():
            source = Path(scratch) / "file"
            source.write_bytes(data)
            run("mcopy", "-o", "-i", path, source, f"::/{name}")


def ext4_image(path: Path, partition: Partition):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for name, data in partition.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        run("truncate", "-s", f"{partition.size_mib}M", path)
        label = ["-L", partition.label] if partition.label else []
        run("mkfs.ext4", "-q", "-F", *label, "-d", root, path)


def assemble(output: Path, table: str, images: list[tuple[Path, str, bool]], boot_code: Path | None):
    """A disk image with `images` (path, partition type, bootable) back to back from 1 MiB."""
    sizes = [image.stat().st_size for image, _, _ in images]
    total = MIB + sum(sizes) + MIB  # room for GPT's backup header
    output.unlink(missing_ok=True)
    run("truncate", "-s", str(total), output)
    script = [f"label: {table}"]
    start = MIB // SECTOR
    for (image, kind, bootable), size in zip(images, sizes):
        script.append(f"start={start}, size={size // SECTOR}, type={kind}" + (", bootable" if bootable else ""))
        start += size // SECTOR
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", str(output)], input="\n".join(script) + "\n",
                   text=True, check=True, capture_output=True)
    with output.open("r+b") as disk:
        offset = MIB
        for (image, _, _), size in zip(images, sizes):
            disk.seek(offset)
            with image.open("rb") as source:
                shutil.copyfileobj(source, disk, 4 * MIB)
            offset += size
        if boot_code is not None:
            disk.seek(0)
            disk.write(boot_code.read_bytes()[:440])
    return output


def kernel_command_line(words: str) -> str:
    return f"console=ttyS0 panic=-1 quiet loglevel=3 {words}".strip()


def bios_disk(kernel: Kernel, initramfs: Path, output: Path, *, cmdline: str = "", extra: list[Partition] = (),
              boot_size_mib: int = 48) -> Path:
    """MBR with SYSLINUX's boot code, an active FAT32 partition holding SYSLINUX, the kernel
    and the initramfs, then `extra` ext4 partitions."""
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        config = (f"DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /vmlinuz\n"
                  f"  APPEND initrd=/initrd.gz {kernel_command_line(cmdline)}\n")
        boot = scratch / "boot.img"
        fat_image(boot, boot_size_mib, MIB // SECTOR, {"vmlinuz": kernel.image.read_bytes(),
                                                       "initrd.gz": initramfs.read_bytes(),
                                                       "syslinux.cfg": config.encode()})
        run("syslinux", "--install", boot)
        images = [(boot, "c", True)]
        for number, partition in enumerate(extra):
            image = scratch / f"part{number}.img"
            ext4_image(image, partition)
            images.append((image, partition.kind or "83", False))
        return assemble(output, "dos", images, Path("/usr/lib/syslinux/mbr/mbr.bin"))


def grub_efi(output: Path, cmdline: str):
    config = ("set timeout=0\nsearch --no-floppy --file --set=root /vmlinuz\n"
              f"linux /vmlinuz {kernel_command_line(cmdline)}\ninitrd /initrd.gz\nboot\n")
    with tempfile.TemporaryDirectory() as scratch:
        cfg = Path(scratch) / "grub.cfg"
        cfg.write_text(config)
        run("grub-mkstandalone", "-O", "x86_64-efi", "-o", output, "--locales=", "--fonts=", "--themes=",
            "--install-modules=linux normal search search_fs_file part_gpt part_msdos fat ext2 configfile echo",
            "--modules=part_gpt fat search search_fs_file linux", f"boot/grub/grub.cfg={cfg}")


def uefi_disk(kernel: Kernel, initramfs: Path, output: Path, *, cmdline: str = "", extra: list[Partition] = (),
              esp_size_mib: int = 48) -> Path:
    """GPT with an EFI System Partition: \\EFI\\BOOT\\BOOTX64.EFI is a standalone GRUB whose
    embedded grub.cfg boots the kernel and initramfs on the ESP; then `extra` ext4 partitions."""
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        grub = scratch / "BOOTX64.EFI"
        grub_efi(grub, cmdline)
        esp = scratch / "esp.img"
        fat_image(esp, esp_size_mib, MIB // SECTOR, {"EFI/BOOT/BOOTX64.EFI": grub.read_bytes(),
                                                    "vmlinuz": kernel.image.read_bytes(),
                                                    "boot/grub/grubenv": EMPTY_GRUBENV,
                                            "initrd.gz": initramfs.read_bytes()},
                  label="ESP", volume_id=ESP_UUID.replace("-", ""))
        images = [(esp, ESP_TYPE, False)]
        for number, partition in enumerate(extra):
            image = scratch / f"part{number}.img"
            ext4_image(image, partition)
            images.append((image, partition.kind or LINUX_TYPE, False))
        return assemble(output, "gpt", images, None)


def secure_boot_root() -> Path:
    """Debian's Microsoft-signed shim and Debian-signed GRUB, unpacked (scripts/fetch-secure-boot.sh)."""
    return Path(subprocess.run(["bash", str(REPO / "scripts" / "fetch-secure-boot.sh")], check=True,
                               capture_output=True, text=True).stdout.strip())


def shim_disk(kernel: Kernel, initramfs: Path, output: Path, command_line: str, *, esp_size_mib: int = 48,
              extra_files: dict | None = None) -> Path:
    """GPT with an ESP holding the chain a Debian installation boots under Secure Boot:
    \\EFI\\BOOT\\BOOTX64.EFI is shim (signed by Microsoft's UEFI CA), beside it GRUB (signed by
    Debian, checked by shim), whose grub.cfg boots Debian's signed kernel with `initramfs` and
    the whole `command_line`; `extra_files` (ESP path -> bytes) beside them."""
    signed = secure_boot_root()
    config = ("set timeout=0\nsearch --no-floppy --file --set=root /vmlinuz\n"
              f"linux /vmlinuz {command_line}\ninitrd /initrd.gz\nboot\n").encode()
    files = {"EFI/BOOT/BOOTX64.EFI": (signed / "usr/lib/shim/shimx64.efi.signed").read_bytes(),
             "EFI/BOOT/grubx64.efi": (signed / "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed").read_bytes(),
             # Debian's GRUB reads its configuration from its own prefix, /EFI/debian.
             "EFI/debian/grub.cfg": config,
             "vmlinuz": kernel.image.read_bytes(), "initrd.gz": initramfs.read_bytes(), **(extra_files or {})}
    with tempfile.TemporaryDirectory() as scratch:
        esp = Path(scratch) / "esp.img"
        fat_image(esp, esp_size_mib, MIB // SECTOR, files, label="ESP")
        return assemble(output, "gpt", [(esp, ESP_TYPE, False)], None)


# The ESP of hal_and_os_disk: its FAT UUID, which grub-mkconfig would export as
# GRUB_DEVICE_BOOT_UUID, and GRUB's environment file on it, as grub-editenv creates it.
ESP_UUID = "4841-4C31"
EMPTY_GRUBENV = b"# GRUB Environment Block\n".ljust(1024, b"#")


def hal_and_os_disk(kernel: Kernel, hal_image: Path, initramfs: Path, output: Path, *, os_cmdline: str,
                    hal_entries: str, secure: bool = False) -> Path:
    """A machine's disk with the HAL installed beside its OS: GPT, an ESP (UUID ESP_UUID)
    holding /boot as a distribution lays it out (vmlinuz-VERSION, the HAL image
    hal-initrd.img-VERSION, GRUB's environment in boot/grub/grubenv) and a GRUB whose
    configuration has the OS's entry first, then `hal_entries` (what mkinitrd-hal
    --install-boot makes grub-mkconfig write, or an entry written by hand), which choose the
    default. `secure`: the GRUB is Debian's signed one behind Microsoft-signed shim, as a
    Debian installation boots under Secure Boot, with the configuration where it reads it."""
    version = kernel.release
    config = ("set timeout=0\nset default=0\n"
              f"search --no-floppy --file --set=root /boot/vmlinuz-{version}\n"
              f'menuentry "Debian GNU/Linux" {{\n    linux /boot/vmlinuz-{version} {kernel_command_line(os_cmdline)}\n'
              "    initrd /initrd.gz\n}\n" + hal_entries)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        cfg = scratch / "grub.cfg"
        cfg.write_text(config)
        if secure:
            signed = secure_boot_root()
            loader = {"EFI/BOOT/BOOTX64.EFI": (signed / "usr/lib/shim/shimx64.efi.signed").read_bytes(),
                      "EFI/BOOT/grubx64.efi":
                          (signed / "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed").read_bytes(),
                      "EFI/debian/grub.cfg": config.encode()}
        else:
            grub = scratch / "BOOTX64.EFI"
            run("grub-mkstandalone", "-O", "x86_64-efi", "-o", grub, "--locales=", "--fonts=", "--themes=",
                "--install-modules=linux normal search search_fs_file search_fs_uuid part_gpt fat smbios test "
                "echo configfile loadenv",
                "--modules=part_gpt fat search search_fs_file", f"boot/grub/grub.cfg={cfg}")
            loader = {"EFI/BOOT/BOOTX64.EFI": grub.read_bytes()}
        esp = scratch / "esp.img"
        fat_image(esp, 96, MIB // SECTOR, {**loader,
                                            f"boot/vmlinuz-{version}": kernel.image.read_bytes(),
                                            f"boot/hal-initrd.img-{version}": hal_image.read_bytes(),
                                            "boot/grub/grubenv": EMPTY_GRUBENV,
                                            "initrd.gz": initramfs.read_bytes()},
                  label="ESP", volume_id=ESP_UUID.replace("-", ""))
        return assemble(output, "gpt", [(esp, ESP_TYPE, False)], None)
