"""Helpers for the boot tests: build images and disks, boot them in QEMU (TCG), read the console."""
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import rig

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
MKINITRD = BUILD / "mkinitrd-hal"
BOOTSECTOR = REPO / "tests" / "boot" / "guest" / "bootsector.S"

PANIC_PATTERNS = ("Kernel panic", "Attempted to kill init")
# The machine's monitor, keyboard and mouse for the display tests: the outer VM's std VGA (the
# HAL host gets bochs-drm), its PS/2 keyboard and mouse, and a USB tablet.
DISPLAY_OUTER = ["-device", "VGA,id=outer-vga", "-device", "qemu-xhci,id=outer-xhci",
                 "-device", "usb-tablet,bus=outer-xhci.0"]
# The outer VM's QEMU: `make qemu-outer`'s build (Debian's source with our patches: KVM nested
# in TCG needs them), else the system's.
OUTER_QEMU = os.environ.get("HAL_OUTER_QEMU") or "qemu-system-x86_64"
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


def pack_config(kernel: Kernel, directory: Path, config_text: str) -> Path:
    """directory/hal.img packed with `config_text` as its hal.conf (the benchmarks' images);
    a packer failure stops the caller with its message."""
    config = directory / "hal.conf"
    config.write_text(config_text)
    image = directory / "hal.img"
    packed = pack(kernel, image, config=config)
    if packed.returncode != 0:
        raise SystemExit(packed.stderr)
    return image


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
    # (host monotonic seconds, console length then): when each piece of the console arrived.
    arrivals: list = field(default_factory=list)
    # What the freeze probe concluded in this boot (rig.py), and how many frozen tries of the
    # rig came before it.
    rig_checks: list = field(default_factory=list)
    retries: int = 0
    # Host monotonic seconds when the outer QEMU was started: the machine's power-on.
    started: float = 0.0

    def arrival(self, needle: str, start: int = 0) -> float:
        """Host monotonic time at which `needle` (its first occurrence after `start`) had
        fully arrived on the console."""
        found = self.console.find(needle, start)
        assert found >= 0, f"{needle!r} not on the console:\n{self.console[-3000:]}"
        end = found + len(needle)
        for moment, length in self.arrivals:
            if length >= end:
                return moment
        raise AssertionError(f"no arrival time for {needle!r}")

    def longest_silence_after(self, needle: str) -> float:
        """The longest gap, in seconds, between console arrivals once `needle` had arrived
        (0 when it never did)."""
        if needle not in self.console:
            return 0.0
        start = self.arrival(needle)
        moments = [moment for moment, _ in self.arrivals if moment >= start]
        return max((later - earlier for earlier, later in zip(moments, moments[1:])), default=0.0)

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
    """QEMU arguments for disks: a path (virtio), or (path, bus[, device properties[, drive
    options]]); bus is virtio, ahci (q35's built-in), ide, or nvme:SERIAL."""
    arguments = []
    for number, disk in enumerate(disks):
        path, bus, properties, options = (disk, "virtio", "", "") if isinstance(disk, Path) else (*disk, "", "")[:4]
        drive = f"file={path},format=raw,if=none,id=disk{number}" + (f",{options}" if options else "")
        if bus == "virtio":
            device = f"virtio-blk-pci,drive=disk{number}"
        elif bus in ("ahci", "ide"):
            device = f"ide-hd,drive=disk{number},bus=ide.{number}"
        elif bus.startswith("nvme:"):
            device = f"nvme,drive=disk{number},serial={bus[5:]}"
        else:
            raise ValueError(bus)
        arguments += ["-drive", drive, "-device", device + (f",{properties}" if properties else "")]
    return arguments


def qmp_command(socket_path: Path, command: str, arguments: dict | None = None, timeout: float = 30) -> dict:
    """One QMP command to the outer QEMU (the test's hand on the machine's power button,
    keyboard, mouse and monitor)."""
    return rig.qmp(socket_path, command, arguments, timeout)


def serial_qmp(socket_path: Path, commands: list[str], timeout: float = 30) -> list[dict]:
    """QMP commands to the inner QEMU's operator monitor (qmp_serial) over the outer VM's
    serial port (a QEMU unix socket server on the outer side): its greeting went out when QEMU
    started, before anyone listened, and events may come between replies, so every command
    carries an id and the reply with that id is its answer (for `quit`, which may end QEMU
    before its reply is on the line, the SHUTDOWN event that comes first). Every answer is
    waited for before the next command and before hanging up: the outer UART takes 16 bytes
    at a time, and what it has not taken yet is dropped with the connection. Returns the
    answers in order."""
    replies = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(str(socket_path))
        stream = connection.makefile("rwb")
        for number, command in enumerate(["qmp_capabilities", *commands]):
            stream.write(json.dumps({"execute": command, "id": number}).encode() + b"\r\n")
            stream.flush()
            while True:
                line = stream.readline()
                if not line:
                    raise OSError(f"the operator monitor closed before answering {command}")
                try:
                    reply = json.loads(line)
                except ValueError:
                    continue  # a greeting cut by the connection's start
                if reply.get("id") == number or (command == "quit" and reply.get("event") == "SHUTDOWN"):
                    break
            if number:
                replies.append(reply)
    return replies


# The outer kernel's command line (a disk booted by the outer firmware must pass the same).
OUTER_KERNEL_WORDS = "console=ttyS0 panic=-1 sysrq_always_enabled"
OVMF_SECURE_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")
OVMF_SECURE_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.ms.fd")
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")


def boot(kernel: Kernel, image: Path, console_log: Path, *, disks=(), append: str = "",
         nic: str | None = "virtio-net-pci", machine: str = "pc", cpu: str | None = None,
         timeout: float = 240, memory_mib: int = 1024, qmp_socket: Path | None = None,
         when: list | None = None, console_input: tuple[str, bytes] | None = None,
         extra: list[str] | None = None, user_net: str = "",
         rig_probe: tuple[float, float] | None = None, rig_tries: int = 3,
         before_try=None, uefi_boot: tuple[Path, Path] | None = None, reboots: bool = False) -> Boot:
    """Boots the outer VM under TCG with `disks`; waits for QEMU to exit. The console is the
    outer VM's first serial port on QEMU's stdio, copied to `console_log` as it arrives, with
    host timestamps. `when` is a list of (console text, action[, occurrence]): each action
    runs once, as soon as its text has appeared that many times (once by default).
    `console_input` is (console text, bytes): the bytes are typed once the text appears
    (bytes sent during early boot are dropped by the not yet initialised serial driver).
    `extra` is more QEMU arguments for the outer VM; `user_net` more options of its user
    network (hostfwd=...). `rig_probe` is the freeze probe's (seconds of silence, seconds for
    the SysRq answer); a boot the probe proves frozen (rig.py) is tried again, up to
    `rig_tries` boots in all, with `before_try()` called before each new try (a test that
    gathers what its actions saw starts afresh there). `uefi_boot` (OVMF code, a copy of a
    variable store): the outer VM boots its first disk with that firmware instead of
    -kernel/-initrd (OVMF_SECURE_CODE needs machine="q35,smm=on"); the disk's boot loader
    passes OUTER_KERNEL_WORDS and `image` itself. `reboots`: the outer machine's reboot starts
    it again (its firmware, then its disk) instead of ending QEMU."""
    command = [OUTER_QEMU, "-machine", machine, "-accel", "tcg", "-smp", "2", "-m", str(memory_mib),
               "-nodefaults", "-no-user-config", "-display", "none", *([] if reboots else ["-no-reboot"]),
               "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"]
    if uefi_boot:
        # The outer machine's own UEFI firmware boots its first disk (its boot loader, the
        # kernel and `image`, as the disk's configuration says); Secure Boot with its secure build.
        code, variables = uefi_boot
        if code == OVMF_SECURE_CODE:
            command += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        command += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={code}",
                    "-drive", f"if=pflash,format=raw,unit=1,file={variables}"]
    else:
        # SysRq over the serial console (a break, then the key): the freeze probe's question
        # to the outer kernel (rig.py).
        command += ["-kernel", str(kernel.image), "-initrd", str(image),
                    "-append", f"{OUTER_KERNEL_WORDS} {append}".strip()]
    when = list(when or [])
    if cpu:
        command += ["-cpu", cpu]
    if qmp_socket:
        command += ["-qmp", f"unix:{qmp_socket},server=on,wait=off"]
    command += disk_arguments(disks)
    if nic:
        command += ["-netdev", "user,id=net0" + (f",{user_net}" if user_net else ""),
                    "-device", f"{nic},netdev=net0,mac=52:54:00:12:34:56"]
    command += extra or []
    test = os.environ.get("PYTEST_CURRENT_TEST", " ".join(os.path.basename(a) for a in sys.argv)).split(" (")[0]
    retries = 0
    for attempt in range(1, rig_tries + 1):
        if attempt > 1 and before_try:
            before_try()
        rig.BOOTS[0] += 1
        # The harness's own QMP monitor (a test's -qmp stays the test's): the probe's line to
        # the outer VM.
        probe_socket = Path(tempfile.mkdtemp(prefix="hal-rig-")) / "qmp"
        probe = rig.RigProbe(probe_socket, console_log, *(rig_probe or ()))
        result, stalled = run_outer_vm(command + ["-qmp", f"unix:{probe_socket},server=on,wait=off"],
                                       console_log, timeout, list(when), console_input, probe)
        shutil.rmtree(probe_socket.parent, ignore_errors=True)
        result.rig_checks, result.retries = probe.checks, retries
        if not stalled or attempt == rig_tries:
            silence = result.longest_silence_after("Run /init as init process")
            if silence > LONGEST_SILENCE[0]:
                LONGEST_SILENCE[:] = [silence, str(console_log)]
            return result
        # Proven (rig.py): the outer VM itself froze. Its console and evidence are kept aside
        # under the try's number, the retry is counted for the run's summary, and the boot is
        # tried again.
        kept = console_log.with_suffix(f".frozen{attempt}")
        console_log.rename(kept)
        console_log.with_suffix(".probe").rename(kept.with_suffix(f".frozen{attempt}-probe"))
        rig.RETRIES.append(rig.Retry(test, stalled, str(kept)))
        retries += 1
        print(f"rig froze: {stalled}; trying {test} again (try {attempt + 1} of {rig_tries}; kept {kept})",
              file=sys.stderr, flush=True)


# (seconds, console log) of the longest console silence after /init in any boot of this run
# that the harness kept (frozen tries it booted again do not count).
LONGEST_SILENCE: list = [0.0, ""]
SILENCE_PROBE_SECONDS = rig.SILENCE_PROBE_SECONDS


class ConsoleReader(threading.Thread):
    """Copies the outer VM's console from its stdout into a file, timestamping every chunk."""

    def __init__(self, stream, log_path: Path):
        super().__init__(daemon=True)
        self.stream, self.log_path = stream, log_path
        self.data = bytearray()
        self.arrivals: list[tuple[float, int]] = []
        self.lock = threading.Lock()

    def run(self):
        with self.log_path.open("wb") as log:
            while chunk := self.stream.read1(65536):
                now = time.monotonic()
                with self.lock:
                    self.data += chunk
                    self.arrivals.append((now, len(self.data)))
                log.write(chunk)
                log.flush()

    def text(self) -> str:
        with self.lock:
            return untangle(self.data.decode(errors="replace"))

    def last_arrival(self, default: float) -> float:
        """Host monotonic time of the latest console output (`default` before any)."""
        with self.lock:
            return self.arrivals[-1][0] if self.arrivals else default


# A kernel log line ("[   25.944135] ...") that starts in the middle of a line: the outer
# kernel wrote it while the guest's output line was half written on the same console.
MID_LINE_KERNEL_LOG = re.compile(r"(?<=[^\n])\[ *\d+\.\d{6}\] [^\n]*\n")
KERNEL_LOG_LINE = re.compile(r"\[ *\d+\.\d{6}\] [^\n]*\n")


def untangle(text: str) -> str:
    """The console as each writer wrote it: a kernel log line that interrupted a guest's (or
    hal-display's) half-written line is moved after the end of that line, so the line reads
    whole ("GUEST-PAINT ... rgb=0,0,25" + log line + "5" becomes the line, then the log line)."""
    start = 0
    while match := MID_LINE_KERNEL_LOG.search(text, start):
        # Kernel lines right after it belong to the same interruption.
        block_end = match.end()
        while following := KERNEL_LOG_LINE.match(text, block_end):
            block_end = following.end()
        rest = text.find("\n", block_end)
        if rest < 0:
            break  # the interrupted line is not complete yet
        text = text[:match.start()] + text[block_end:rest + 1] + text[match.start():block_end] + text[rest + 1:]
        start = match.start()
    return text


def run_outer_vm(command, console_log: Path, timeout: float, pending: list,
                 console_input: tuple[str, bytes] | None, probe: rig.RigProbe) -> tuple[Boot, str]:
    """Runs the outer VM to its end or `timeout`. The second value is the freeze probe's
    verdict when it proved the rig itself stuck ("" otherwise: the boot's outcome is the
    product's)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = ConsoleReader(process.stdout, console_log)
    reader.start()
    probe.pid = process.pid

    def type_on_console(data: bytes):
        process.stdin.write(data)
        process.stdin.flush()

    if console_input is not None:
        prompt, data = console_input
        pending.append((prompt, lambda: type_on_console(data)))
    timed_out = False
    stalled = ""
    while process.poll() is None and time.monotonic() - started < timeout:
        text = reader.text()
        due = [entry for entry in pending if text.count(entry[0]) >= (entry[2] if len(entry) > 2 else 1)]
        for entry in due:
            pending.remove(entry)
            entry[1]()
        if probe.due(time.monotonic() - reader.last_arrival(started), text):
            stalled = probe.run(reader.text, type_on_console, "Run /init as init process" in text)
            if stalled:
                break
        time.sleep(0.05)
    if process.poll() is None:
        timed_out = True
        process.kill()
    _, errors = process.communicate()
    reader.join(timeout=10)
    seconds = time.monotonic() - started
    console = reader.text()
    arrivals = reader.arrivals  # byte offsets; the console is ASCII, so they are character offsets too
    if errors:
        console += "\n[outer qemu] " + errors.decode(errors="replace")
    return Boot(console=console, returncode=None if timed_out else process.returncode, seconds=seconds,
                timed_out=timed_out, arrivals=arrivals, started=started), stalled


@dataclass
class CpioEntry:
    mode: int
    data: bytes
    mtime: int
    rdev: tuple[int, int]  # major, minor of a device node
    segment: int           # which archive of the image (an early uncompressed one is 0)


MAGICS = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd", b"\xfd7zXZ": "xz", b"\x02\x21\x4c\x18": "lz4",
          b"070701": "none"}


def decompress(data: bytes) -> tuple[str, bytes]:
    """(compressor, whole decompressed stream) for one compressed member at the start of `data`,
    with the external tools the kernel's formats match (lz4 legacy, xz with CRC32)."""
    for magic, name in MAGICS.items():
        if data.startswith(magic):
            break
    else:
        raise AssertionError(f"unknown image format {data[:6]!r}")
    if name == "none":
        return name, data
    if name == "gzip":
        return name, gzip.decompress(data)
    tool = {"zstd": ["zstd", "-dc"], "xz": ["xz", "-dc"], "lz4": ["lz4", "-dc"]}[name]
    return name, subprocess.run(tool, input=data, capture_output=True, check=True).stdout


def read_newc(image: Path) -> dict[str, CpioEntry]:
    """Our own reader for an initramfs: uncompressed newc archives (early microcode) followed
    by a compressed one, as the kernel reads them: {path: entry}, later archives winning."""
    blob = image.read_bytes()
    entries: dict[str, CpioEntry] = {}
    segment = 0
    while blob:
        if blob.startswith(b"070701"):
            data, compressed = blob, False
        else:
            _, data = decompress(blob)
            compressed = True
        offset = 0
        while True:
            header = data[offset:offset + 110]
            assert header[:6] == b"070701", f"bad newc magic at {offset} of archive {segment}"
            fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
            mode, mtime, file_size, name_size = fields[1], fields[5], fields[6], fields[11]
            name_start = offset + 110
            name = data[name_start:name_start + name_size - 1].decode()
            data_start = (name_start + name_size + 3) & ~3
            offset = (data_start + file_size + 3) & ~3
            if name == "TRAILER!!!":
                break
            entries[name] = CpioEntry(mode, data[data_start:data_start + file_size], mtime,
                                      (fields[9], fields[10]), segment)
        segment += 1
        if compressed:
            break
        # The kernel skips zero padding between archives (to 4-byte alignment and beyond).
        blob = data[offset:].lstrip(b"\0")
    return entries
