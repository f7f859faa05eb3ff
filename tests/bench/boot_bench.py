"""make bench: hal-init against the busybox-script init it replaces, built from the same
kernel, modules, static QEMU and disk in the same run, like for like: the script loads the
first modules.list's thirteen modules (with their dependencies) as the original script did,
and starts QEMU with hal-init's own command line from a calibration boot of the same image
(the same memory, CPUs, cache and AIO, boot order and no NIC option ROM), less what only
hal-init makes at run time (its QMP and VNC sockets, the identity files) and with QEMU's user
network where hal-init passes a macvtap (the script has none). Runs are interleaved (one of
each variant per round) and reported as medians with every sample:
  * kernel "Run /init" -> the guest's first output, both stamped on arrival by this process;
  * /init start -> QEMU exec, from kernel timestamps;
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


def reference_image(ours: Path, output: Path, release: str, dhcp: bool, qemu: str):
    """Our image with /init replaced by the script and busybox added."""
    entries = read_newc(ours)
    order = script_modules(entries[f"lib/modules/{release}/modules.dep"].data.decode())
    script = SCRIPT.format(modules=" ".join(order), release=release, dhcp=DHCP if dhcp else "", qemu=qemu)
    files = [(name, entry.mode, entry.data, entry.rdev) for name, entry in entries.items() if name != "init"]
    files += [("init", 0o100755, script.encode()), ("bin", 0o040755, b""),
              ("bin/busybox", 0o100755, Path("/bin/busybox").read_bytes())]
    files.sort(key=lambda entry: entry[0])
    output.write_bytes(gzip.compress(newc(files), 6, mtime=0))


def kernel_stamp(result, marker: str) -> float:
    for line in result.lines():
        if marker in line:
            return float(line.split("]")[0].strip("[ "))
    raise RuntimeError(f"{marker!r} missing from the console:\n{result.console[-3000:]}")


def measure(kernel, image: Path, work: Path, name: str, start: str, end: str) -> tuple[float, float]:
    disk = make_disk(work / "disk.img", MARKER)
    result = boot(kernel, image, work / f"console-{name}.log", disks=[disk])
    if result.timed_out or MARKER not in result.console:
        raise RuntimeError(f"{name}: the guest was not reached:\n{result.console[-3000:]}")
    to_guest = 1000 * (result.arrival(MARKER) - result.arrival("Run /init as init process"))
    to_exec = 1000 * (kernel_stamp(result, end) - kernel_stamp(result, start))
    return to_guest, to_exec


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        ours = work / "hal.img"
        packed = pack(kernel, ours)
        if packed.returncode != 0:
            sys.exit(packed.stderr)
        variants = {
            "hal-init": (ours, "hal-init: hal-init starting", "hal-init: launch:"),
            "busybox script (no DHCP)": (work / "script.img", "bench-script: init start", "bench-script: exec qemu"),
            "busybox script + udhcpc": (work / "script-dhcp.img", "bench-script: init start", "bench-script: exec qemu"),
        }
        # Calibration (not measured): hal-init's QEMU command line on this machine.
        calibration = boot(kernel, ours, work / "console-calibration.log",
                           disks=[make_disk(work / "disk.img", MARKER)], append="hal.debug=yes loglevel=8")
        qemu = script_qemu_command(hal_init_qemu_argv(calibration.console))
        print(f"the script's QEMU (hal-init's, less its run-time files): {qemu}", flush=True)
        reference_image(ours, variants["busybox script (no DHCP)"][0], kernel.release, dhcp=False, qemu=qemu)
        reference_image(ours, variants["busybox script + udhcpc"][0], kernel.release, dhcp=True, qemu=qemu)
        samples = {name: ([], []) for name in variants}
        for _ in range(RUNS):
            for name, (image, start, end) in variants.items():
                to_guest, to_exec = measure(kernel, image, work, name.split()[0], start, end)
                samples[name][0].append(to_guest)
                samples[name][1].append(to_exec)
        medians = {}
        for name, (to_guest, to_exec) in samples.items():
            medians[name] = (statistics.median(to_guest), statistics.median(to_exec))
            print(f"{name:26s} Run /init -> guest output: median {medians[name][0]:6.0f} ms "
                  f"(runs {', '.join(f'{x:.0f}' for x in to_guest)}); /init -> QEMU exec: median "
                  f"{medians[name][1]:5.0f} ms (runs {', '.join(f'{x:.0f}' for x in to_exec)})", flush=True)
        ours_guest, ours_exec = medians["hal-init"]
        for reference, label in (("busybox script (no DHCP)", "headline, like for like"),
                                 ("busybox script + udhcpc", "reported only: hal-init's default takes no lease "
                                                             "before QEMU")):
            guest, exec_ = medians[reference]
            print(f"hal-init / {reference} ({label}): Run /init -> guest output {ours_guest / guest:.2f}x, "
                  f"/init -> QEMU exec {ours_exec / exec_:.2f}x")
        print(f"(outer VM under TCG, 2 vCPUs, {RUNS} interleaved rounds; image {ours.stat().st_size} bytes; "
              "hal-init loads only what present devices need, virtio's bus drivers, then storage, then critical "
              "modules first (others wait while those load), and starts QEMU without waiting for the host's DHCP; "
              f"the script insmods the first modules.list's {len(SCRIPT_MODULES)} names with their dependencies)")


if __name__ == "__main__":
    main()
