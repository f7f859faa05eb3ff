"""make bench: hal-init against the busybox-script init it replaces, built from the same
kernel, modules, static QEMU and disk in the same run, like for like: the script's image holds
what the original did (busybox, the first modules.list's thirteen modules with their
dependencies as plain .ko files, QEMU and its firmware, one gzip stream), loads those modules
with insmod, and starts QEMU with hal-init's own command line from a calibration boot of the
same image (the same memory, CPUs, cache and AIO, boot order and no NIC option ROM), less what
only hal-init makes at run time (its QMP and VNC sockets, the identity files) and with QEMU's
user network where hal-init passes a macvtap (the script has none). hal-init's generic image
is measured as it ships (each module a zstd frame in an uncompressed archive) and with
`--module-compress none` (plain .ko files inside the gzip stream: the image before modules
stayed compressed). Runs are interleaved (one of each variant per round) and reported as
medians with every sample:
  * power-on (the outer QEMU's start) -> the guest's first output, both on this host's clock;
  * kernel "Run /init" -> the guest's first output, both stamped on arrival by this process;
  * the kernel's unpacking of the image ("Trying to unpack rootfs" -> "Freeing initrd memory")
    and /init start -> QEMU exec, from kernel timestamps;
and the ratios hal-init / script. The headline is the script without DHCP, like hal-init's
default image, which takes no lease before QEMU; the "+ udhcpc" script is reported beside it.
Figures only: nothing here asserts a time."""
import gzip
import os
import re
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from guestos import newc  # noqa: E402
from halvm import boot, find_kernel, make_disk, pack, read_newc  # noqa: E402

RUNS = int(os.environ.get("HAL_BENCH_RUNS", "5"))
MARKER = "HAL-BENCH-GUEST"

# The old way: a fixed insmod list in a correct order, a sleep loop for the disk, udhcpc,
# then QEMU and poweroff. The marker lines bracket the phase hal-init is measured on.
SCRIPT = """#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox mount -t tmpfs tmpfs /run
echo "<6>bench-script: init start" > /dev/kmsg
for module in {modules}; do
    /bin/busybox insmod /lib/modules/{release}/$module
done
while [ ! -e /dev/vda ]; do /bin/busybox sleep 0.1; done
{dhcp}
echo "<6>bench-script: exec qemu" > /dev/kmsg
{qemu}
/bin/busybox poweroff -f
"""
DHCP = "/bin/busybox ip link set eth0 up; /bin/busybox udhcpc -i eth0 -n -q -t 5 -s /bin/true"


# The original script's fixed insmod list: the thirteen names of the first modules.list (the
# script loads them with their dependencies, in dependency order).
SCRIPT_MODULES = ["kvm", "kvm_intel", "kvm_amd", "virtio_pci", "virtio_blk", "virtio_net", "virtio_scsi", "ahci",
                  "sd_mod", "nvme", "e1000", "e1000e", "tun"]
# hal-init's QEMU options that name what only hal-init makes at run time.
RUNTIME_ONLY = {"-qmp", "-vnc", "-smbios", "-acpitable", "-mon"}


def hal_init_qemu_argv(console: str) -> list[str]:
    """QEMU's argv as hal-init logged it (hal.debug=yes, loglevel=8 for the console: one
    `launch: argv[N] = ...` line each)."""
    found = {int(n): value for n, value in re.findall(r"hal-init: launch: argv\[(\d+)\] = (.*?)\r?$", console, re.M)}
    if not found:
        raise RuntimeError(f"no argv lines from hal-init:\n{console[-3000:]}")
    return [found[n] for n in sorted(found)]


def script_qemu_command(argv: list[str]) -> str:
    """hal-init's QEMU command for the script: its options less RUNTIME_ONLY, a macvtap
    backend swapped for the user network (the same NIC device and MAC stay)."""
    kept, index = [], 0
    while index < len(argv):
        option = argv[index]
        value = argv[index + 1] if index + 1 < len(argv) and not argv[index + 1].startswith("-") else None
        step = 2 if value is not None else 1
        if option in RUNTIME_ONLY or (option == "-chardev" and value and value.startswith("serial,id=operator")):
            index += step
            continue
        if option == "-netdev" and value and value.startswith("tap,"):
            value = "user," + next(part for part in value.split(",") if part.startswith("id="))
        kept += [option] + ([value] if value is not None else [])
        index += step
    return "/usr/bin/qemu-system-x86_64 " + " ".join(shlex.quote(word) for word in kept)


def script_modules(modules_dep: str) -> list[str]:
    """SCRIPT_MODULES and their dependencies, in the image's modules.dep order (which lists
    every module after what it needs)."""
    order, needs = [], {}
    for line in modules_dep.splitlines():
        path, _, deps = line.partition(":")
        order.append(path)
        needs[path] = deps.split()
    by_name = {Path(path).name.split(".ko")[0].replace("-", "_"): path for path in order}
    wanted, stack = set(), [by_name[name] for name in SCRIPT_MODULES if name in by_name]
    while stack:
        path = stack.pop()
        if path not in wanted:
            wanted.add(path)
            stack.extend(needs.get(path, []))
    return [path for path in order if path in wanted]


def reference_image(plain: Path, output: Path, release: str, dhcp: bool, qemu: str):
    """The script's image, from hal-init's image with plain modules: /init replaced by the
    script, busybox added, and of the modules only those the script loads."""
    entries = read_newc(plain)
    order = script_modules(entries[f"lib/modules/{release}/modules.dep"].data.decode())
    script = SCRIPT.format(modules=" ".join(order), release=release, dhcp=DHCP if dhcp else "", qemu=qemu)
    kept = {f"lib/modules/{release}/{path}" for path in order}
    files = [(name, entry.mode, entry.data, entry.rdev) for name, entry in entries.items()
             if name != "init" and not (name.endswith(".ko") and name not in kept)]
    files += [("init", 0o100755, script.encode()), ("bin", 0o040755, b""),
              ("bin/busybox", 0o100755, Path("/bin/busybox").read_bytes())]
    files.sort(key=lambda entry: entry[0])
    output.write_bytes(gzip.compress(newc(files), 6, mtime=0))


def cpio_bytes(image: Path) -> int:
    """What the kernel writes into RAM: every archive's file data, uncompressed."""
    return sum(len(entry.data) for entry in read_newc(image).values())


def kernel_stamp(result, marker: str) -> float:
    for line in result.lines():
        if marker in line:
            return float(line.split("]")[0].strip("[ "))
    raise RuntimeError(f"{marker!r} missing from the console:\n{result.console[-3000:]}")


def measure(kernel, image: Path, work: Path, name: str, start: str, end: str) -> dict[str, float]:
    disk = make_disk(work / "disk.img", MARKER)
    result = boot(kernel, image, work / f"console-{name}.log", disks=[disk])
    if result.timed_out or MARKER not in result.console:
        raise RuntimeError(f"{name}: the guest was not reached:\n{result.console[-3000:]}")
    return {
        "power-on -> guest": 1000 * (result.arrival(MARKER) - result.started),
        "Run /init -> guest": 1000 * (result.arrival(MARKER) - result.arrival("Run /init as init process")),
        "kernel unpack": 1000 * (kernel_stamp(result, "Freeing initrd memory")
                                 - kernel_stamp(result, "Trying to unpack rootfs")),
        "/init -> QEMU exec": 1000 * (kernel_stamp(result, end) - kernel_stamp(result, start)),
    }


SPANS = ["power-on -> guest", "Run /init -> guest", "kernel unpack", "/init -> QEMU exec"]


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        ours, plain = work / "hal.img", work / "hal-plain.img"
        for image, extra in ((ours, []), (plain, ["--module-compress", "none"])):
            packed = pack(kernel, image, extra=extra)
            if packed.returncode != 0:
                sys.exit(packed.stderr)
        hal = ("hal-init: hal-init starting", "hal-init: launch:")
        script = ("bench-script: init start", "bench-script: exec qemu")
        variants = {
            "hal-init": (ours, *hal),
            "hal-init, plain .ko": (plain, *hal),
            "busybox script (no DHCP)": (work / "script.img", *script),
            "busybox script + udhcpc": (work / "script-dhcp.img", *script),
        }
        # Calibration (not measured): hal-init's QEMU command line on this machine.
        calibration = boot(kernel, ours, work / "console-calibration.log",
                           disks=[make_disk(work / "disk.img", MARKER)], append="hal.debug=yes loglevel=8")
        qemu = script_qemu_command(hal_init_qemu_argv(calibration.console))
        print(f"the script's QEMU (hal-init's, less its run-time files): {qemu}", flush=True)
        reference_image(plain, variants["busybox script (no DHCP)"][0], kernel.release, dhcp=False, qemu=qemu)
        reference_image(plain, variants["busybox script + udhcpc"][0], kernel.release, dhcp=True, qemu=qemu)
        for name, (image, *_) in variants.items():
            print(f"{name:26s} image {image.stat().st_size:>10d} bytes, cpio {cpio_bytes(image):>10d} bytes")
        samples = {name: {span: [] for span in SPANS} for name in variants}
        for _ in range(RUNS):
            for index, (name, (image, start, end)) in enumerate(variants.items()):
                for span, value in measure(kernel, image, work, f"variant{index}", start, end).items():
                    samples[name][span].append(value)
        medians = {name: {span: statistics.median(values) for span, values in spans.items()}
                   for name, spans in samples.items()}
        for span in SPANS:
            print(f"{span}:")
            for name, spans in samples.items():
                print(f"  {name:26s} median {medians[name][span]:6.0f} ms "
                      f"(runs {', '.join(f'{x:.0f}' for x in spans[span])})", flush=True)
        for ours_name in ("hal-init", "hal-init, plain .ko"):
            for reference, label in (("busybox script (no DHCP)", "headline, like for like"),
                                     ("busybox script + udhcpc", "reported only: hal-init's default takes no lease "
                                                                 "before QEMU")):
                ratios = ", ".join(f"{span} {medians[ours_name][span] / medians[reference][span]:.2f}x"
                                   for span in SPANS)
                print(f"{ours_name} / {reference} ({label}): {ratios}")
        unpack_excess = medians["hal-init"]["kernel unpack"] - medians["busybox script (no DHCP)"]["kernel unpack"]
        print(f"kernel unpack, hal-init's image over the script's: {unpack_excess:+.0f} ms")
        print(f"(outer VM under TCG, 2 vCPUs, {RUNS} interleaved rounds; hal-init loads only what present devices "
              "need, virtio's bus drivers, then storage, then critical modules first (others wait while those "
              "load), and starts QEMU without waiting for the host's DHCP; the script insmods the first "
              f"modules.list's {len(SCRIPT_MODULES)} names with their dependencies)")


if __name__ == "__main__":
    main()
