"""make soak: a real Linux guest (the test kernel and busybox initramfs of tests/guest) keeps
writing checksummed, fsync'd files to an ext4 partition of its disk while the machine is
stopped, cycle after cycle, each cycle one of:
  power-button    the machine's power button (the outer VM's ACPI button)
  ctrl-alt-del    Ctrl-Alt-Del on the machine's keyboard (the outer kernel's SIGINT to PID 1)
  sigterm         SIGTERM to PID 1 (what `kill -TERM 1` does), from a test build of hal-init
                  (hal_test_fault=sigterm-on-serial: a line on the machine's second serial
                  port, written when the guest is mid-write)
  qmp-powerdown   system_powerdown on the operator's QMP monitor (qmp_serial = ttyS1: the
                  machine's second serial port), as a console server or BMC would send it
  guest-poweroff  the guest powers off by itself mid-write (after unmounting)
  guest-panic     the guest panics mid-write, reboots (panic=-1) and powers off cleanly
After every cycle the partition must pass `e2fsck -fn`, and every file the guest reported as
fsync'd must hold the bytes it reported (FNV-1a, as guest-tool computes it); files from
earlier cycles must be untouched, except those whose report the cycle may have lost (see
run_cycle). Each kind keeps its own disk across its cycles.
HAL_SOAK_CYCLES (default 100) is the total, spread evenly over the kinds (HAL_SOAK_KINDS, a
comma-separated subset, default all). Exit status 1 on any failure; the counts are printed
either way."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from guestos import Partition, bios_disk, build_initramfs  # noqa: E402
from halvm import BUILD, boot, find_kernel, pack, qmp_command, serial_qmp  # noqa: E402

KINDS = ["power-button", "ctrl-alt-del", "sigterm", "qmp-powerdown", "guest-poweroff", "guest-panic"]
GUEST_STOP = {"power-button": "button", "ctrl-alt-del": "button", "sigterm": "button", "qmp-powerdown": "button",
              "guest-poweroff": "poweroff:4",
              "guest-panic": "panic:4"}
TEST_INIT = BUILD / "hal-init-test"
# The host-side stops come once the guest has reported this many fsync'd files.
FILES_BEFORE_STOP = 25
FSYNCED = re.compile(r"GUEST-FSYNCED /data/(f\d{3}) ([0-9a-f]{16})")


def fnv1a(data: bytes) -> str:
    value = 1469598103934665603
    for byte in data:
        value = ((value ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def partition_of(disk: Path, number: int, output: Path):
    table = subprocess.run(["sfdisk", "-d", str(disk)], capture_output=True, text=True, check=True).stdout
    line = [line for line in table.splitlines() if line.startswith(f"{disk}{number} ")][0]
    start = int(re.search(r"start=\s*(\d+)", line).group(1))
    size = int(re.search(r"size=\s*(\d+)", line).group(1))
    subprocess.run(["dd", f"if={disk}", f"of={output}", "bs=512", f"skip={start}", f"count={size}",
                    "status=none"], check=True)


def check_filesystem(disk: Path, work: Path, expected: dict, maybe_newer: set) -> tuple[list[str], int]:
    """Problems with the disk's ext4 partition (e2fsck's verdict, then every expected file
    but those in `maybe_newer`), and how many files were checked."""
    image = work / "part.img"
    partition_of(disk, 2, image)
    problems = []
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    if fsck.returncode != 0:
        problems.append(f"e2fsck -fn exit {fsck.returncode}: {fsck.stdout.strip()[-400:]}")
    dump = work / "dump"
    subprocess.run(["rm", "-rf", str(dump)], check=True)
    dump.mkdir()
    subprocess.run(["debugfs", "-R", f"rdump / {dump}", str(image)], capture_output=True, check=True)
    checked = 0
    for name, checksum in sorted(expected.items()):
        path = dump / name
        if not path.exists():
            problems.append(f"{name}: reported fsync'd, missing")
        elif name not in maybe_newer:
            checked += 1
            if fnv1a(path.read_bytes()) != checksum:
                problems.append(f"{name}: checksum {fnv1a(path.read_bytes())}, reported {checksum}")
    image.unlink()
    return problems, checked


def send_line(path: Path):
    """A line to the outer VM's second serial port (a QEMU unix socket server)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(path))
        connection.sendall(b"TERM\n")
        time.sleep(0.5)


def run_cycle(kernel, image: Path, disk: Path, kind: str, work: Path) -> tuple[dict, set, list[str]]:
    qmp = work / "qmp.sock"
    when = []
    append, extra = "", []
    if kind == "power-button":
        when = [("GUEST-FSYNCED", lambda: qmp_command(qmp, "system_powerdown"), FILES_BEFORE_STOP)]
    elif kind == "ctrl-alt-del":
        keys = [{"type": "qcode", "data": name} for name in ("ctrl", "alt", "delete")]
        when = [("GUEST-FSYNCED", lambda: qmp_command(qmp, "send-key", {"keys": keys}), FILES_BEFORE_STOP)]
    elif kind == "sigterm":
        trigger = work / "trigger.sock"
        append = "hal_test_fault=sigterm-on-serial"
        extra = ["-chardev", f"socket,id=trigger,path={trigger},server=on,wait=off", "-serial", "chardev:trigger"]
        when = [("GUEST-FSYNCED", lambda: send_line(trigger), FILES_BEFORE_STOP)]
    elif kind == "qmp-powerdown":
        operator = work / "operator.sock"
        append = "hal.qmp_serial=ttyS1"
        extra = ["-chardev", f"socket,id=operator,path={operator},server=on,wait=off", "-serial", "chardev:operator"]
        when = [("GUEST-FSYNCED", lambda: serial_qmp(operator, ["system_powerdown"]), FILES_BEFORE_STOP)]
    result = boot(kernel, image, work / "console.log", disks=[disk], qmp_socket=qmp, when=when, timeout=420,
                  append=append, extra=extra)
    problems = []
    if result.timed_out:
        problems.append("the machine did not power off in time")
    if "reboot: Power down" not in result.console:
        problems.append("no 'reboot: Power down'")
    if "GUEST-UNMOUNTED /data" not in result.console:
        problems.append("the guest never unmounted its filesystem")
    stop_line = {"power-button": "hal-init: stop: power button", "ctrl-alt-del": "hal-init: stop: Ctrl-Alt-Del",
                 "sigterm": "hal-init: stop: Terminated",
                 "qmp-powerdown": "hal-init: qmp: POWERDOWN: the guest was asked to power off by another QMP monitor",
                 "guest-poweroff": "hal-init: supervise: the guest shut down",
                 "guest-panic": "GUEST-SOAK after the panic"}[kind]
    if stop_line not in result.console:
        problems.append(f"{stop_line!r} missing")
    if kind == "sigterm":
        sent, first_write = result.console.find("sending PID 1 SIGTERM"), result.console.find("GUEST-FSYNCED")
        if sent < 0 or first_write < 0 or sent < first_write:
            problems.append("SIGTERM did not land while the guest was writing")
    reported, last = {}, None
    for name, checksum in FSYNCED.findall(result.console):
        reported[name] = checksum
        last = name
    # Which files may hold bytes nobody saw reported. The writer goes f000, f001... (wrapping
    # after f199, which a cycle here does not reach): a name up to the last report seen that
    # was not reported this cycle was written with its report lost (a panic cuts lines short
    # and loses what the serial line still buffered, sometimes in the middle); after the last
    # report, a clean stop (GUEST-UNMOUNTED comes after every report) leaves at most the one
    # file renamed but not reported, a panic any number.
    last_index = int(last[1:]) if last else -1
    maybe_newer = {f"f{number:03d}" for number in range(last_index + 1) if f"f{number:03d}" not in reported}
    if kind == "guest-panic":
        maybe_newer |= {f"f{number:03d}" for number in range(last_index + 1, 200)}
    else:
        maybe_newer.add(f"f{(last_index + 1) % 200:03d}")
    if not reported:
        problems.append("the guest reported no fsync'd file")
    (work / "console.log").rename(work / f"console-{kind}-{time.monotonic_ns()}.log")
    return reported, maybe_newer, problems


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    total = int(os.environ.get("HAL_SOAK_CYCLES", "100"))
    kinds = [kind for kind in (os.environ.get("HAL_SOAK_KINDS") or ",".join(KINDS)).split(",") if kind]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        sys.exit(f"HAL_SOAK_KINDS: unknown kind {', '.join(unknown) or '(none given)'}; the kinds are {', '.join(KINDS)}")
    keep = os.environ.get("HAL_SOAK_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="hal-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    config = work / "hal.conf"
    config.write_text("disk = auto\ndisplay = none\npowerdown_timeout = 60\n")
    # The shipped hal-init for every kind but sigterm, whose signal comes from a test build;
    # each image packed once, and only when a chosen kind boots it.
    images = {}
    for test_build in sorted({kind == "sigterm" for kind in kinds}):
        images[test_build] = work / ("hal-test.img" if test_build else "hal.img")
        packed = pack(kernel, images[test_build], config=config,
                      extra=["--init", str(TEST_INIT)] if test_build else [])
        if packed.returncode != 0:
            sys.exit(packed.stderr)
    initramfs = build_initramfs(kernel, work / "guest-initrd.gz")
    disks, expected = {}, {}
    for kind in kinds:
        disks[kind] = bios_disk(kernel, initramfs, work / f"{kind}.img",
                                cmdline=f"guest.steps=soak guest.soak={GUEST_STOP[kind]}",
                                extra=[Partition(size_mib=64, label="SOAK")])
        expected[kind] = {}
    counts = {kind: {"cycles": 0, "clean": 0, "files": 0, "intact": 0} for kind in kinds}
    failures = []
    started = time.monotonic()
    for cycle in range(total):
        kind = kinds[cycle % len(kinds)]
        reported, maybe_newer, problems = run_cycle(kernel, images[kind == "sigterm"], disks[kind], kind, work)
        expected[kind].update(reported)
        fs_problems, checked = check_filesystem(disks[kind], work, expected[kind], maybe_newer)
        # What nobody saw written is no longer expected; the next cycle reports it again.
        for name in maybe_newer:
            expected[kind].pop(name, None)
        counts[kind]["cycles"] += 1
        counts[kind]["clean"] += not any(problem.startswith("e2fsck") for problem in fs_problems)
        counts[kind]["files"] += checked
        counts[kind]["intact"] += checked - sum(1 for p in fs_problems if not p.startswith("e2fsck"))
        for problem in problems + fs_problems:
            failures.append(f"cycle {cycle + 1} ({kind}): {problem}")
        print(f"cycle {cycle + 1}/{total} {kind}: {len(reported)} files fsync'd this cycle, "
              f"{checked} on the disk checked, {'OK' if not problems + fs_problems else 'FAILED'} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
    for kind in kinds:
        c = counts[kind]
        print(f"{kind:15s} cycles {c['cycles']:3d}, e2fsck clean {c['clean']:3d}, "
              f"files checked {c['files']:5d}, intact {c['intact']:5d}")
    for failure in failures:
        print("FAILED", failure)
    print(f"soak: {total} cycles, {len(failures)} problems, {time.monotonic() - started:.0f} s; logs in {work}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
