"""Helpers for the boot tests: build images and disks, boot them in QEMU (TCG), read the console."""
import gzip
import json
import os
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
MKINITRD = BUILD / "mkinitrd-hal"
BOOTSECTOR = REPO / "tests" / "boot" / "guest" / "bootsector.S"

PANIC_PATTERNS = ("Kernel panic", "Attempted to kill init")
TIMESTAMP = re.compile(r"^\[\s*(\d+\.\d+)\]\s(.*)$")


@dataclass
class Kernel:
    root: Path
    release: str
    image: Path


def find_kernel(root: Path) -> Kernel:
    releases = sorted(p.name for p in (root / "lib" / "modules").iterdir())
    assert releases, f"no lib/modules/* under {root}"
    release = releases[-1]
    return Kernel(root=root, release=release, image=root / "boot" / f"vmlinuz-{release}")


def pack(kernel: Kernel, output: Path, *, config: Path | None = None, modules: Path | None = None,
         extra: list[str] | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs mkinitrd-hal and returns the completed process (the caller checks the outcome)."""
    command = [str(MKINITRD), "-k", kernel.release, "--moddir", str(kernel.root)]
    if config is not None:
        command += ["--config", str(config)]
    if modules is not None:
        command += ["--modules", str(modules)]
    command += (extra or []) + [str(output)]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})


def make_disk(output: Path, marker: str, *, loop_forever: bool = False) -> Path:
    """A raw disk whose boot sector (assembled with GNU as) prints `marker` on COM1."""
    flags = ["-DLOOP_FOREVER"] if loop_forever else []
    subprocess.run(["bash", str(REPO / "scripts" / "make-disk.sh"), str(BOOTSECTOR), marker, str(output), *flags],
                   check=True)
    return output


@dataclass
class Boot:
    console: str
    returncode: int | None
    seconds: float
    timed_out: bool

    def lines(self) -> list[str]:
        return self.console.replace("\r", "").split("\n")

    def hal_lines(self) -> list[tuple[float, str]]:
        """(kernel timestamp, message) of every hal-init line on the console."""
        found = []
        for line in self.lines():
            match = TIMESTAMP.match(line)
            if match and match.group(2).startswith("hal-init: "):
                found.append((float(match.group(1)), match.group(2)[len("hal-init: "):]))
        return found

    def first_time(self, prefix: str) -> float:
        for stamp, message in self.hal_lines():
            if message.startswith(prefix):
                return stamp
        raise AssertionError(f"no hal-init line starting with {prefix!r} in:\n{self.console}")

    def assert_no_panic(self):
        for pattern in PANIC_PATTERNS:
            assert pattern not in self.console, f"{pattern!r} on the console:\n{self.console}"

    def assert_in_order(self, *needles: str):
        position = 0
        for needle in needles:
            found = self.console.find(needle, position)
            assert found >= 0, f"{needle!r} missing (or out of order) after offset {position} in:\n{self.console}"
            position = found + len(needle)


def disk_arguments(disks) -> list[str]:
    """QEMU arguments for (path, bus) pairs; bus is virtio, ahci (q35's built-in), ide or nvme:SERIAL."""
    arguments = []
    for number, disk in enumerate(disks):
        path, bus = (disk, "virtio") if isinstance(disk, Path) else disk
        drive = f"file={path},format=raw,if=none,id=disk{number}"
        if bus == "virtio":
            device = f"virtio-blk-pci,drive=disk{number}"
        elif bus in ("ahci", "ide"):
            device = f"ide-hd,drive=disk{number},bus=ide.{number}"
        elif bus.startswith("nvme:"):
            device = f"nvme,drive=disk{number},serial={bus[5:]}"
        else:
            raise ValueError(bus)
        arguments += ["-drive", drive, "-device", device]
    return arguments


def qmp_command(socket_path: Path, command: str) -> dict:
    """One QMP command to the outer QEMU (the test's hand on the machine's power button)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(10)
        connection.connect(str(socket_path))
        stream = connection.makefile("rwb")
        json.loads(stream.readline())  # greeting
        for execute in ("qmp_capabilities", command):
            stream.write(json.dumps({"execute": execute}).encode() + b"\r\n")
            stream.flush()
            while True:
                reply = json.loads(stream.readline())
                if "return" in reply or "error" in reply:
                    break
        return reply


def boot(kernel: Kernel, image: Path, console_log: Path, *, disks=(), append: str = "",
         nic: str | None = "virtio-net-pci", machine: str = "pc", cpu: str | None = None,
         timeout: float = 240, memory_mib: int = 1024, qmp_socket: Path | None = None,
         when: list | None = None, console_input: tuple[str, bytes] | None = None) -> Boot:
    """Boots the outer VM under TCG with `disks`; waits for QEMU to exit. `when` is a list of
    (console text, action): each action runs once, as soon as its text appears.
    `console_input` is (console text, bytes): the bytes are typed once the text appears."""
    command = ["qemu-system-x86_64", "-machine", machine, "-accel", "tcg", "-smp", "2", "-m", str(memory_mib),
               "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
               "-chardev", (f"file,id=console,path={console_log}" if console_input is None
                            else f"pipe,id=console,path={console_log}"),
               "-serial", "chardev:console",
               "-kernel", str(kernel.image), "-initrd", str(image),
               "-append", f"console=ttyS0 panic=-1 {append}".strip()]
    when = list(when or [])
    if console_input is not None:
        # QEMU's pipe chardev reads PATH.in and writes PATH.out. The input is a FIFO written
        # only once the console asks for it: bytes sent during early boot are dropped by the
        # not yet initialised serial driver.
        fifo = Path(f"{console_log}.in")
        os.mkfifo(fifo)
        Path(f"{console_log}.out").write_bytes(b"")
        console_log = Path(f"{console_log}.out")
        prompt, data = console_input

        def type_input():
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.write(descriptor, data)
            os.close(descriptor)

        when.append((prompt, type_input))
    if cpu:
        command += ["-cpu", cpu]
    if qmp_socket:
        command += ["-qmp", f"unix:{qmp_socket},server=on,wait=off"]
    command += disk_arguments(disks)
    if nic:
        command += ["-netdev", "user,id=net0", "-device", f"{nic},netdev=net0,mac=52:54:00:12:34:56"]
    for attempt in (1, 2):
        result, stalled = run_outer_vm(command, console_log, timeout, list(when))
        # The outer kernel under TCG very rarely hangs early (seen once here, before /init ran):
        # that is the test rig, not hal-init, so it gets one more try. A stall after /init
        # started is reported as it is.
        if not stalled or attempt == 2:
            return result
        print(f"outer VM stalled before /init ran; retrying once ({console_log})", flush=True)
        console_log.rename(console_log.with_suffix(".stalled"))


# Seconds of console silence before /init, under TCG, after which the outer VM counts as hung.
EARLY_STALL_SECONDS = 90


def run_outer_vm(command, console_log: Path, timeout: float, pending: list) -> tuple[Boot, bool]:
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timed_out = stalled = False
    while process.poll() is None and time.monotonic() - started < timeout:
        text = console_log.read_text(errors="replace") if console_log.exists() else ""
        for entry in [entry for entry in pending if entry[0] in text]:
            pending.remove(entry)
            entry[1]()
        if "hal-init" not in text and "bench-script" not in text and \
                time.monotonic() - started > EARLY_STALL_SECONDS:
            stalled = True
            break
        time.sleep(0.2)
    if process.poll() is None:
        timed_out = True
        process.kill()
    output, _ = process.communicate()
    seconds = time.monotonic() - started
    console = console_log.read_text(errors="replace") if console_log.exists() else ""
    if output:
        console += "\n[outer qemu] " + output.decode(errors="replace")
    return Boot(console=console, returncode=None if timed_out else process.returncode, seconds=seconds,
                timed_out=timed_out), stalled


def read_newc(image: Path) -> dict[str, tuple[int, bytes, int]]:
    """Our own reader for a gzip newc cpio: {path: (mode, data, mtime)}, to check the packer's output."""
    data = gzip.decompress(image.read_bytes())
    entries = {}
    offset = 0
    while True:
        header = data[offset:offset + 110]
        assert header[:6] == b"070701", f"bad newc magic at {offset}"
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, mtime, file_size, name_size = fields[1], fields[5], fields[6], fields[11]
        name_start = offset + 110
        name = data[name_start:name_start + name_size - 1].decode()
        data_start = (name_start + name_size + 3) & ~3
        if name == "TRAILER!!!":
            return entries
        entries[name] = (mode, data[data_start:data_start + file_size], mtime)
        offset = (data_start + file_size + 3) & ~3
