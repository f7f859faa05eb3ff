"""make soak-memory: hal-init's resident memory and open descriptors over a long unattended
run (HAL_SOAK_MINUTES, default 30) while its own DHCP client renews the host's lease every 2 s
against a real dnsmasq (DHCP option T1 = 2 s) and a USB keyboard is plugged into the machine
and pulled out again and again (each time the kernel sends PID 1 a burst of uevents; the
keyboard's input devices are power-button candidates hal-init opens and must close again).

A test build of hal-init (hal_test_report=memory:SECONDS) logs its VmRSS, VmHWM, open
descriptors and uevents received from /proc/self; this script reads them off the console and
compares the baseline (the last report once the guest runs, before the first keyboard) with
the last report (after the last keyboard was pulled out). It fails when the descriptors
differ, when VmRSS grew by more than RSS_GROWTH_KB, when there were fewer than 1000 uevents,
or when fewer than 80 % of the expected renewals happened.

Needs root: the outer VM's NIC is a tap device in a network namespace of its own (unshare),
with dnsmasq on it."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from halvm import BUILD, boot, find_kernel, make_disk, pack, qmp_command  # noqa: E402

TAP, HOST_ADDRESS = "haltap0", "10.77.0.1"
RENEW_SECONDS = 2
MIN_UEVENTS = 1000
RSS_GROWTH_KB = 64
REPORT = re.compile(r"hal-init: test: memory: VmRSS (\d+) kB, VmHWM (\d+) kB, (\d+) open descriptors, "
                    r"(\d+) uevents received")
RENEWED = re.compile(r"hal-init: network: \S+ lease [\d.]+ renewed")


def plug_keyboards(qmp: Path, stop: threading.Event, counts: dict, delay: float):
    """After `delay`, plugs a USB keyboard into the machine's xHCI port and pulls it out,
    until `stop`."""
    if stop.wait(delay):
        return
    counts["started"] = time.monotonic()
    while not stop.is_set():
        try:
            qmp_command(qmp, "device_add", {"driver": "usb-kbd", "bus": "outer-xhci.0", "id": "soak-kbd"})
            stop.wait(1.5)
            qmp_command(qmp, "device_del", {"id": "soak-kbd"})
            counts["plugs"] += 1
        except OSError as error:
            counts["errors"].append(repr(error))
        stop.wait(1.5)


def main() -> int:
    if os.environ.get("HAL_SOAK_NETNS") != "1":
        # A network namespace of our own: the tap, dnsmasq and the outer VM vanish with it.
        return subprocess.run(["unshare", "--net", sys.executable, *sys.argv],
                              env={**os.environ, "HAL_SOAK_NETNS": "1"}).returncode
    minutes = float(os.environ.get("HAL_SOAK_MINUTES", "30"))
    report_seconds = max(5, int(minutes * 60 / 30))
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    work = Path(tempfile.mkdtemp(prefix="hal-memory-"))
    for command in (["ip", "link", "set", "lo", "up"], ["ip", "tuntap", "add", "dev", TAP, "mode", "tap"],
                    ["ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", TAP], ["ip", "link", "set", TAP, "up"]):
        subprocess.run(command, check=True)
    dnsmasq_log = work / "dnsmasq.log"
    dnsmasq = subprocess.Popen(["dnsmasq", "--no-daemon", "--conf-file=/dev/null", f"--interface={TAP}",
                                "--bind-interfaces", "--port=0", "--dhcp-range=10.77.0.50,10.77.0.99,2m",
                                f"--dhcp-option=option:T1,{RENEW_SECONDS}", f"--dhcp-option=option:T2,{RENEW_SECONDS + 1}",
                                f"--dhcp-leasefile={work / 'leases'}", "--log-dhcp", f"--log-facility={dnsmasq_log}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        config = work / "hal.conf"
        config.write_text("disk = auto\nnet.manage = dhcp\npowerdown_timeout = 3\n")
        image = work / "hal.img"
        packed = pack(kernel, image, config=config, extra=["--init", str(BUILD / "hal-init-test")])
        if packed.returncode != 0:
            print(packed.stderr, file=sys.stderr)
            return 1
        marker = "HAL-MEMORY-GUEST"
        disk = make_disk(work / "disk.img", marker, loop_forever=True)
        qmp = work / "outer-qmp.sock"
        stop = threading.Event()
        # The baseline is a report once the guest runs (QMP, the lease, every device in
        # place) and before the first keyboard; the last one comes after the last keyboard.
        counts = {"plugs": 0, "errors": [], "started": 0.0, "stopped": 0.0}
        plugger = threading.Thread(target=plug_keyboards, args=(qmp, stop, counts, report_seconds + 2), daemon=True)

        def power_off():
            stop.set()
            plugger.join(timeout=30)
            counts["stopped"] = time.monotonic()
            time.sleep(report_seconds + 3)
            qmp_command(qmp, "system_powerdown")

        timer = threading.Timer(minutes * 60, power_off)
        outer = ["-netdev", f"tap,id=net0,ifname={TAP},script=no,downscript=no",
                 "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56",
                 "-device", "qemu-xhci,id=outer-xhci"]
        print(f"memory run: {minutes:g} min, reports every {report_seconds} s, console {work / 'console.log'}",
              flush=True)
        result = boot(kernel, image, work / "console.log", disks=[disk], nic=None, qmp_socket=qmp,
                      extra=outer, append=f"hal_test_report=memory:{report_seconds}", timeout=minutes * 60 + 600,
                      when=[(marker, plugger.start), (marker, timer.start)])
        timer.cancel()
        stop.set()
    finally:
        dnsmasq.terminate()
        dnsmasq.wait()
    console = result.console
    # (VmRSS, VmHWM, descriptors, uevents, host time the report arrived)
    reports = [(*(int(value) for value in match.groups()), result.arrival(match.group(0), match.start()))
               for match in REPORT.finditer(console)]
    renewals = len(RENEWED.findall(console))
    acks = dnsmasq_log.read_text(errors="replace").count("DHCPACK") if dnsmasq_log.exists() else 0
    problems = []
    if result.timed_out:
        problems.append("the run did not end (timed out)")
    if "reboot: Power down" not in console:
        problems.append("the machine did not power off at the end")
    before = [report for report in reports if report[4] < counts["started"]]
    after = [report for report in reports if counts["stopped"] and report[4] > counts["stopped"]]
    if not counts["started"] or not before or not after:
        problems.append(f"no memory report before the first keyboard or after the last ({len(reports)} reports)")
    else:
        baseline, last = before[-1], after[-1]
        print(f"memory run: first report VmRSS {reports[0][0]} kB VmHWM {reports[0][1]} kB, {reports[0][2]} fds; "
              f"baseline VmRSS {baseline[0]} kB VmHWM {baseline[1]} kB, {baseline[2]} fds; "
              f"last VmRSS {last[0]} kB VmHWM {last[1]} kB, {last[2]} fds, {last[3]} uevents; "
              f"largest VmRSS {max(r[0] for r in reports)} kB, fds {min(r[2] for r in reports)}-"
              f"{max(r[2] for r in reports)}, {len(reports)} reports", flush=True)
        if last[2] != baseline[2]:
            problems.append(f"open descriptors {baseline[2]} -> {last[2]}")
        if last[0] > baseline[0] + RSS_GROWTH_KB:
            problems.append(f"VmRSS grew {baseline[0]} -> {last[0]} kB")
        if last[3] < MIN_UEVENTS:
            problems.append(f"only {last[3]} uevents")
    expected = (minutes * 60) / RENEW_SECONDS
    print(f"memory run: {renewals} lease renewals logged by hal-init ({expected:.0f} expected at T1 = "
          f"{RENEW_SECONDS} s), dnsmasq sent {acks} DHCPACKs; keyboard plugged and pulled {counts['plugs']} "
          f"times, {len(counts['errors'])} QMP errors", flush=True)
    if renewals < 0.8 * expected:
        problems.append(f"only {renewals} renewals")
    for problem in problems:
        print(f"memory run: FAILED: {problem}", flush=True)
    if problems:
        print(f"memory run: console kept in {work}", flush=True)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("memory run: OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
