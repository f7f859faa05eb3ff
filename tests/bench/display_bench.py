"""make bench, the display half: the real test guest on the machine's monitor through hal-display,
in the nested setup (the outer VM's std VGA is the machine's monitor), once with a 1024x768
monitor and once with a 1920x1080 one (the guest's video takes the monitor's native mode).
Figures, never assertions:
  * key -> screen: the bench presses a key on the outer keyboard (QMP send-key) and polls the
    outer monitor (QMP screendump) until the guest's answer, a whole screen in a new colour,
    is on it. The poll's own period is reported: it is the resolution. The guest also reports
    each frame drawn on its serial port, but that line crosses both QEMUs' serial ports and
    arrives after the frame is on the monitor, so it bounds nothing; its lag is printed. A key
    the guest does not answer ends the series (later colours would match stale frames).
  * the same key -> screen path on the host alone, measured in the same run as the reference:
    the menu hotkey, which hal-display answers by handing the monitor to the host's console;
  * sustained full-screen updates: the guest repaints its whole screen as fast as it can;
    hal-display's own figures (display_stats) give the whole screens a second that reached
    the monitor and its CPU share, against the frames the guest drew;
  * idle: the guest's screen does not change; hal-display's CPU share;
  * a cross-check of hal-display's own CPU figure against /proc/PID/stat read by hal-init (its
    test build), and of the screens a second against the frames the guest drew."""
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from guestos import bios_disk, build_initramfs  # noqa: E402
from halvm import BUILD, boot, find_kernel, pack  # noqa: E402

FLIPS = int(os.environ.get("HAL_BENCH_FLIPS", "12"))
PHASE_SECONDS = 12          # idle and storm each
STATS_SECONDS = 2           # display_stats: hal-display's window
MONITORS = [tuple(int(n) for n in size.split("x"))
            for size in os.environ.get("HAL_BENCH_MONITORS", "1024x768,1920x1080").split(",")]
# Seconds between screendumps: each one holds the outer QEMU's big lock for milliseconds, and
# polling back to back starves the outer VM (keys were never delivered).
POLL_GAP = 0.05
# The outer VMs' consoles, kept for a look after the run (build/ is never committed).
LOGS = Path(__file__).resolve().parents[2] / "build" / "bench" / "display"
RED, GREEN = (255, 0, 0), (0, 255, 0)
STATS = re.compile(r"hal-display: stats: ([\d.]+) s: (\d+) updates \(([\d.]+)/s\), ([\d.]+) Mpx = ([\d.]+) screens "
                   r"of (\d+)x(\d+) \(([\d.]+)/s\), ([\d.]+) MB from QEMU, drawing (\d+) ms, cpu (\d+) ms "
                   r"\(([\d.]+) %\)")


class Monitor:
    """The outer VM's QMP: its keyboard and its screen, on one connection kept open."""

    def __init__(self, path: Path, dump: Path):
        self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.connection.settimeout(30)
        self.connection.connect(str(path))
        self.stream = self.connection.makefile("rwb")
        json.loads(self.stream.readline())
        self.execute("qmp_capabilities")
        self.dump = dump
        self.polls = []  # seconds each screendump took

    def execute(self, command: str, arguments: dict | None = None) -> dict:
        message = {"execute": command} | ({"arguments": arguments} if arguments else {})
        self.stream.write(json.dumps(message).encode() + b"\r\n")
        self.stream.flush()
        while True:
            reply = json.loads(self.stream.readline())
            if "return" in reply or "error" in reply:
                return reply

    def keys(self, *names: str):
        self.execute("send-key", {"keys": [{"type": "qcode", "data": name} for name in names]})

    def centre(self) -> tuple[int, int, int]:
        started = time.monotonic()
        self.execute("screendump", {"filename": str(self.dump)})
        with open(self.dump, "rb") as ppm:
            head = ppm.read(64)
            fields = head.split(maxsplit=4)
            width, height = int(fields[1]), int(fields[2])
            header = len(head) - len(fields[4])
            ppm.seek(header + 3 * ((height // 2) * width + width // 2))
            rgb = tuple(ppm.read(3))
        self.polls.append(time.monotonic() - started)
        return rgb

    def wait_for(self, test, timeout: float = 20) -> float | None:
        """Monotonic time of the first poll whose centre pixel passes `test`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(self.centre()):
                return time.monotonic()
            time.sleep(POLL_GAP)
        return None


def arrival_of(result, end: int) -> float:
    """When console offset `end` had arrived."""
    for moment, length in result.arrivals:
        if length >= end:
            return moment
    return float("nan")


def window_stats(result, start: str, end: str) -> list[dict]:
    """hal-display's stats lines whose whole window lies between the arrival of `start` and
    of `end` on the console."""
    begin, finish = result.arrival(start), result.arrival(end)
    found = []
    for match in STATS.finditer(result.console):
        at = arrival_of(result, match.end())
        if at - float(match.group(1)) >= begin and at <= finish:
            found.append({"updates_per_s": float(match.group(3)), "screens_per_s": float(match.group(8)),
                          "mb": float(match.group(9)), "seconds": float(match.group(1)),
                          "cpu_pct": float(match.group(12)), "draw_ms": int(match.group(10))})
    return found


OUTSIDE_CPU = re.compile(r"\[\s*(\d+\.\d+)\] hal-init: test: hal-display cpu (\d+) ms")


def outside_cpu_pct(result, start: str, end: str) -> float:
    """hal-display's CPU share between the arrivals of `start` and `end`, from the CPU time
    hal-init read in /proc/PID/stat (hal-init's test build, hal_test_report=display-cpu):
    the outside measurement hal-display's own figure is checked against."""
    begin, finish = result.arrival(start), result.arrival(end)
    inside = [(float(match.group(1)), int(match.group(2))) for match in OUTSIDE_CPU.finditer(result.console)
              if begin <= arrival_of(result, match.end()) <= finish]
    if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
        return float("nan")
    (first_at, first_ms), (last_at, last_ms) = inside[0], inside[-1]
    return 100 * (last_ms - first_ms) / (1000 * (last_at - first_at))


def median(values, scale: float = 1.0) -> str:
    return f"{statistics.median(values) * scale:.1f}" if values else "-"


def run_monitor(kernel, image: Path, initramfs: Path, work: Path, width: int, height: int):
    disk = bios_disk(kernel, initramfs, work / f"guest-{width}.img",
                     cmdline=f"vt.global_cursor_default=0 guest.steps=paint,idle,storm,paint,flip,wait guest.paint=0,0,255 "
                             f"guest.idle={PHASE_SECONDS} guest.storm={PHASE_SECONDS} guest.flips={FLIPS}")
    qmp = work / "outer-qmp.sock"
    measured = {"keys": [], "seen": [], "menu": None}

    def drive():
        monitor = Monitor(qmp, Path("/dev/shm") / f"hal-display-bench-{os.getpid()}.ppm")
        try:
            monitor.wait_for(lambda rgb: rgb == (0, 0, 255))  # the storm's last frame is gone
            for flip in range(FLIPS):
                colour = RED if flip % 2 == 0 else GREEN
                time.sleep(0.5)
                pressed = time.monotonic()
                monitor.keys("a")
                seen = monitor.wait_for(lambda rgb: rgb == colour)
                measured["keys"].append(pressed)
                measured["seen"].append(seen)
                if seen is None:
                    break  # the guest did not answer: later colours would be stale matches
            last = RED if (len(measured["seen"]) - 1) % 2 == 0 else GREEN
            time.sleep(1)
            pressed = time.monotonic()
            monitor.keys("ctrl", "alt", "esc")
            seen = monitor.wait_for(lambda rgb: rgb != last)
            measured["menu"] = seen - pressed if seen else None
            time.sleep(1)
            monitor.keys("1")  # power off the guest: the stop ladder
            measured["poll"] = monitor.polls
        finally:
            monitor.dump.unlink(missing_ok=True)

    LOGS.mkdir(parents=True, exist_ok=True)
    result = boot(kernel, image, LOGS / f"console-{width}x{height}.log", disks=[disk], qmp_socket=qmp, timeout=900,
                  append=f"console=tty0 console=ttyS0 hal.display_stats={STATS_SECONDS} "
                         f"hal_test_report=display-cpu:{STATS_SECONDS}",
                  extra=["-device", f"VGA,id=outer-vga,xres={width},yres={height}"],
                  when=[("GUEST-FLIP-READY", lambda: threading.Thread(target=drive, daemon=True).start())])
    if not measured.get("poll"):
        sys.exit(f"{width}x{height}: no figures:\n{result.console[-4000:]}")
    painted = re.search(r"GUEST-PAINT (\d+x\d+)", result.console)
    key_to_screen, draw_to_screen = [], []
    for flip, (pressed, seen) in enumerate(zip(measured["keys"], measured["seen"])):
        drawn = re.search(rf"GUEST-FLIP {flip} rgb", result.console)
        if seen is None or not drawn:
            break
        key_to_screen.append(seen - pressed)
        # The guest's line reporting the frame drawn, against the frame on the monitor.
        draw_to_screen.append(arrival_of(result, drawn.end()) - seen)
    storm = window_stats(result, "GUEST-STORM start", "GUEST-STORM end")
    idle = window_stats(result, "GUEST-IDLE start", "GUEST-IDLE end")
    drawn = re.search(r"GUEST-STORM end (\d+) frames in ([\d.]+) s \(([\d.]+)/s\)", result.console)
    guest_rate = float(drawn.group(3)) if drawn else float("nan")
    monitor = f"{width}x{height}"
    print(f"monitor {monitor} (guest screen {painted.group(1) if painted else '?'}):", flush=True)
    print(f"  key -> screen, guest: median {median(key_to_screen, 1000)} ms, max "
          f"{max(key_to_screen) * 1000 if key_to_screen else float('nan'):.0f} ms "
          f"({len(key_to_screen)} of {FLIPS} keys answered"
          f"{'' if len(key_to_screen) == FLIPS else '; then the guest drew no more'}); the guest's serial line "
          f"'drawn' arrived {median(draw_to_screen, 1000)} ms after the frame was on the monitor; screendump {median(measured['poll'], 1000)} ms + {POLL_GAP * 1000:.0f} ms between polls")
    menu = measured["menu"]
    print(f"  key -> screen, host menu (reference): {menu * 1000:.0f} ms" if menu else
          "  key -> screen, host menu (reference): not seen")
    if menu and key_to_screen:
        print(f"  guest / host key -> screen: {statistics.median(key_to_screen) / menu:.2f}x")
    print(f"  full-screen storm: the guest drew {guest_rate:.1f} frames/s; the monitor got "
          f"{median([s['screens_per_s'] for s in storm])} whole screens/s "
          f"({median([s['updates_per_s'] for s in storm])} updates/s, "
          f"{median([s['mb'] / s['seconds'] for s in storm])} MB/s from QEMU), hal-display cpu "
          f"{median([s['cpu_pct'] for s in storm])} % ({len(storm)} windows of {STATS_SECONDS} s)")
    print(f"  idle: hal-display cpu {median([s['cpu_pct'] for s in idle])} %, "
          f"{median([s['updates_per_s'] for s in idle])} updates/s ({len(idle)} windows of {STATS_SECONDS} s)",
          flush=True)
    # The cross-check: hal-display's own CPU figure against the kernel's count of its CPU time,
    # read by hal-init; its screens a second against the frames the guest says it drew.
    print(f"  cross-check: hal-display cpu from /proc/PID/stat (read by hal-init): storm "
          f"{outside_cpu_pct(result, 'GUEST-STORM start', 'GUEST-STORM end'):.1f} %, idle "
          f"{outside_cpu_pct(result, 'GUEST-IDLE start', 'GUEST-IDLE end'):.1f} %; whole screens on the monitor "
          f"/ frames the guest drew: {statistics.median([s['screens_per_s'] for s in storm]) / guest_rate:.2f}"
          if storm else "  cross-check: no storm window", flush=True)


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        initramfs = build_initramfs(kernel, work / "guest-initrd.gz")
        image = work / "hal.img"
        # hal-init's test build: it reports hal-display's CPU time from /proc for the cross-check.
        packed = pack(kernel, image, extra=["--init", str(BUILD / "hal-init-test")])
        if packed.returncode != 0:
            sys.exit(packed.stderr)
        print("display, nested (outer VM under TCG, guest under KVM inside it); figures, not assertions:",
              flush=True)
        for width, height in MONITORS:
            run_monitor(kernel, image, initramfs, work, width, height)


if __name__ == "__main__":
    main()
