"""make bench, QEMU's own start-up: the bundled static QEMU run directly on the machine running
the bench (KVM when /dev/kvm works, TCG otherwise), not nested, with a boot sector that prints on
COM1. Started with -S; QMP's greeting marks the end of QEMU's own initialisation, and `cont` to
the boot sector's first line is the guest firmware's share (SeaBIOS, option ROMs, boot menu).
Two variants, interleaved, medians: the NIC's iPXE option ROM with QEMU's default boot order,
and what hal-init passes (no ROM unless nic_boot = yes, -boot strict=on,menu=off). The boot
half of `make bench` runs the same QEMU nested inside a TCG VM; these figures say how much of
its exec -> guest output time is QEMU's own start-up. Figures only."""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from halvm import make_disk  # noqa: E402

ROUNDS = int(os.environ.get("HAL_BENCH_RUNS", "7"))
MARKER = "HAL-QEMU-START"
STATIC_QEMU = Path(__file__).resolve().parents[2] / "build" / "qemu-static-path"
VARIANTS = {
    "iPXE ROM, default boot": ["-device", "virtio-net-pci,netdev=n0"],
    "as hal-init starts it": ["-device", "virtio-net-pci,netdev=n0,romfile=", "-boot", "strict=on,menu=off"],
}


# Where the packer finds QEMU's firmware and ROMs for the image's /usr/share/qemu, in its order.
FIRMWARE_DIRS = ["/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu"]


def firmware_dir(work: Path) -> Path:
    """One directory with every firmware file, as the image's /usr/share/qemu has them."""
    merged = work / "share"
    merged.mkdir()
    for directory in FIRMWARE_DIRS:
        for entry in sorted(Path(directory).glob("*")) if Path(directory).is_dir() else []:
            if not (merged / entry.name).exists() and entry.resolve().exists():
                (merged / entry.name).symlink_to(entry.resolve())
    return merged


def kvm_works() -> bool:
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def start_once(command: list[str], qmp: Path) -> tuple[float, float]:
    """(exec -> QMP greeting, cont -> the boot sector's line), in ms."""
    qmp.unlink(missing_ok=True)
    started = time.monotonic()
    qemu = subprocess.Popen(command + ["-S", "-qmp", f"unix:{qmp},server=on,wait=off"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while True:
            if qemu.poll() is not None:
                raise RuntimeError(f"QEMU exited: {qemu.stderr.read().decode(errors='replace')}")
            try:
                connection = socket.socket(socket.AF_UNIX)
                connection.connect(str(qmp))
                break
            except OSError:
                connection.close()
                time.sleep(0.001)
        stream = connection.makefile("rwb")
        stream.readline()
        ready = time.monotonic()
        for command_name in ("qmp_capabilities", "cont"):
            stream.write(json.dumps({"execute": command_name}).encode() + b"\n")
            stream.flush()
            while b'"return"' not in stream.readline():
                pass
        running = time.monotonic()
        output = b""
        while MARKER.encode() not in output:
            chunk = qemu.stdout.read1(4096)
            if not chunk:
                raise RuntimeError("QEMU ended before the boot sector printed")
            output += chunk
        return (ready - started) * 1000, (time.monotonic() - running) * 1000
    finally:
        qemu.kill()
        qemu.wait()
        connection.close()


def main():
    qemu = STATIC_QEMU.read_text().strip()
    accel = "kvm" if kvm_works() else "tcg"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        disk = make_disk(work / "disk.img", MARKER)
        base = [qemu, "-nodefaults", "-no-user-config", "-L", str(firmware_dir(work)), "-machine", f"pc,accel={accel}", "-m", "512",
                "-display", "none", "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
                "-drive", f"file={disk},format=raw,if=none,id=disk0", "-device", "virtio-blk-pci,drive=disk0",
                "-netdev", "user,id=n0"]
        samples = {name: [] for name in VARIANTS}
        for _ in range(ROUNDS):
            for name, extra in VARIANTS.items():
                samples[name].append(start_once(base + extra, work / "qmp.sock"))
    print(f"QEMU start-up, static QEMU run directly (accel {accel}, not nested; medians of {ROUNDS}):")
    for name, values in samples.items():
        init = statistics.median(first for first, _ in values)
        firmware = statistics.median(second for _, second in values)
        print(f"  {name:24s} exec -> QMP ready {init:6.1f} ms; cont -> boot sector output {firmware:6.1f} ms; "
              f"sum {init + firmware:6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
