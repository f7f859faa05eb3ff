"""make bench, the passthrough half: one disk read by the real test guest through a storage
controller handed to it (passthrough: the outer VM's MegaRAID SAS, bound to vfio-pci) and the
same disk emulated by the HAL's QEMU (virtio-blk, cache=none, aio=native, from the outer VM's
virtio disk), in one run, on the same q35 outer VM with an Intel IOMMU. Figures: sequential
1 MiB O_DIRECT reads (MiB/s) and 4 KiB random reads (IOPS) in the guest, and the
passthrough/emulated ratios. The outer VM runs under TCG and emulates both controllers itself,
so the ratio compares the two paths through the HAL on this rig, not a real NVMe's speed."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from guestos import bios_disk, build_initramfs  # noqa: E402
from halvm import boot, find_kernel, pack_config  # noqa: E402

SERIAL = "BENCH-DISK-0"
IOMMU = ["-device", "intel-iommu,intremap=on"]


def run(kernel, work: Path, name: str, config_text: str, disks: list, extra: list) -> dict:
    image = pack_config(kernel, work, config_text)
    result = boot(kernel, image, work / f"console-{name}.log", disks=disks, machine="q35", append="intel_iommu=on",
                  extra=IOMMU + extra, timeout=900)
    found = re.search(rf"GUEST-READBENCH {SERIAL} disk=(\S+) bytes=(\d+) seq_mib_s=([\d.]+) rand4k_iops=(\d+)",
                      result.console)
    if not found:
        sys.exit(f"{name}: no figures:\n{result.console[-3000:]}")
    return {"disk": found.group(1), "seq": float(found.group(3)), "iops": float(found.group(4))}


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        initramfs = build_initramfs(kernel, work / "guest-initrd.gz")
        guest = bios_disk(kernel, initramfs, work / "guest.img", cmdline=f"guest.steps=readbench guest.readbench={SERIAL}")
        data = work / "data.img"
        subprocess.run(["dd", "if=/dev/urandom", f"of={data}", "bs=1M", "count=128", "status=none"], check=True)
        passed = run(kernel, work, "passthrough",
                     "disk = /dev/vda\nnetwork = none\nmemory = 256\npassthrough = 1000:0060\n", [guest],
                     ["-drive", f"if=none,id=bench,format=raw,file={data}", "-device", "megasas,id=raid,addr=0x5",
                      "-device", f"scsi-hd,drive=bench,bus=raid.0,serial={SERIAL}"])
        emulated = run(kernel, work, "emulated", f"disk = /dev/vda, serial:{SERIAL}\nnetwork = none\nmemory = 256\n",
                       [guest, (data, "virtio", f"serial={SERIAL}")], [])
        for name, figures in (("passthrough (MegaRAID)", passed), ("emulated (virtio-blk)", emulated)):
            print(f"{name:24s} guest {figures['disk']}: sequential {figures['seq']:7.1f} MiB/s, "
                  f"4k random {figures['iops']:7.0f} IOPS", flush=True)
        print(f"passthrough / emulated: sequential {passed['seq'] / emulated['seq']:.2f}x, "
              f"4k random {passed['iops'] / emulated['iops']:.2f}x (outer VM under TCG emulating both controllers)")


if __name__ == "__main__":
    main()
