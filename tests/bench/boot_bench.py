"""make bench: hal-init against the busybox-script init it replaces, same kernel, modules,
QEMU and disk. Prints the median time from /init start to QEMU exec for each, and the ratio."""
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from halvm import boot, find_kernel, make_disk, pack  # noqa: E402

RUNS = int(os.environ.get("HAL_BENCH_RUNS", "5"))

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
/usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -L /usr/share/qemu -machine pc -accel tcg \\
    -smp 2 -m 512 -display none -chardev stdio,id=console,signal=off -serial chardev:console \\
    -drive file=/dev/vda,format=raw,if=none,id=disk0,cache=writeback -device virtio-blk-pci,drive=disk0 \\
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0
/bin/busybox poweroff -f
"""
DHCP = "/bin/busybox ip link set eth0 up; /bin/busybox udhcpc -i eth0 -n -q -t 5 -s /bin/true"


def read_newc(data: bytes):
    entries, offset = [], 0
    while True:
        header = data[offset:offset + 110]
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        name_size, file_size = fields[11], fields[6]
        name = data[offset + 110:offset + 110 + name_size - 1].decode()
        start = (offset + 110 + name_size + 3) & ~3
        if name == "TRAILER!!!":
            return entries
        entries.append([name, fields, data[start:start + file_size]])
        offset = (start + file_size + 3) & ~3


def write_newc(entries) -> bytes:
    out = bytearray()
    for number, (name, fields, content) in enumerate(entries + [["TRAILER!!!", [0] * 13, b""]], start=1):
        fields = list(fields)
        fields[0], fields[6], fields[11] = number, len(content), len(name) + 1
        fields[12] = 0  # newc has no checksum
        out += b"070701" + b"".join(b"%08X" % value for value in fields)
        out += name.encode() + b"\0"
        out += b"\0" * (-len(out) % 4) + content + b"\0" * (-len(content) % 4)
    return bytes(out)


def reference_image(ours: Path, output: Path, release: str, dhcp: bool):
    entries = read_newc(gzip.decompress(ours.read_bytes()))
    by_name = {name: content for name, _, content in entries}
    order = [line.split(":")[0] for line in by_name[f"lib/modules/{release}/modules.dep"].decode().splitlines()]
    script = SCRIPT.format(modules=" ".join(order), release=release, dhcp=DHCP if dhcp else "")
    regular = [0] * 13
    regular[1], regular[4] = 0o100755, 1
    entries = [entry for entry in entries if entry[0] != "init"]
    entries += [["init", regular, script.encode()], ["bin/busybox", regular, Path("/bin/busybox").read_bytes()]]
    directory = [0] * 13
    directory[1], directory[4] = 0o040755, 2
    entries.append(["bin", directory, b""])
    entries.sort(key=lambda entry: entry[0])
    output.write_bytes(gzip.compress(write_newc(entries), 6))


def phase_ms(result, start: str, end: str) -> float:
    stamps = {}
    for line in result.lines():
        for marker in (start, end):
            if marker in line and marker not in stamps:
                stamps[marker] = float(line.split("]")[0].strip("[ "))
    if start not in stamps or end not in stamps:
        raise RuntimeError(f"markers missing from the console:\n{result.console[-3000:]}")
    return 1000 * (stamps[end] - stamps[start])


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
        reference_image(ours, variants["busybox script (no DHCP)"][0], kernel.release, dhcp=False)
        reference_image(ours, variants["busybox script + udhcpc"][0], kernel.release, dhcp=True)
        medians = {}
        for name, (image, start, end) in variants.items():
            samples = []
            for run in range(RUNS):
                disk = make_disk(work / "disk.img", "HAL-BENCH-GUEST")
                result = boot(kernel, image, work / f"console-{run}.log", disks=[disk])
                if result.timed_out or "HAL-BENCH-GUEST" not in result.console:
                    raise RuntimeError(f"{name}: the guest was not reached:\n{result.console[-3000:]}")
                samples.append(phase_ms(result, start, end))
            medians[name] = statistics.median(samples)
            print(f"{name:28s} /init start -> QEMU exec: median {medians[name]:7.0f} ms  "
                  f"(runs: {', '.join(f'{sample:.0f}' for sample in samples)})", flush=True)
        for reference in ("busybox script (no DHCP)", "busybox script + udhcpc"):
            print(f"ratio {reference} / hal-init: {medians[reference] / medians['hal-init']:.2f}x")
        print("(outer VM under TCG, 2 vCPUs; hal-init loads only the modules present devices need, "
              "the script insmods the whole list)")


if __name__ == "__main__":
    main()
