"""Supervision and shutdown: the power button ladder, exit policy, orphans, signals to PID 1."""
import threading
import uuid
from pathlib import Path

import pytest

from guestos import bios_disk
from halvm import BUILD, boot, make_disk, pack, qmp_command, serial_qmp

FAKE_QEMU = BUILD / "fixtures" / "fake-qemu"
FIRMWARE_DIRS = ["--firmware-dir", "/usr/share/qemu", "--firmware-dir", "/usr/share/seabios",
                 "--firmware-dir", "/usr/lib/ipxe/qemu"]


def packed(kernel, directory: Path, config_text: str, *, fake_qemu: bool = False) -> Path:
    config = directory / "hal.conf"
    config.write_text(config_text)
    image = directory / "hal.img"
    extra = ["--qemu", str(FAKE_QEMU), *FIRMWARE_DIRS] if fake_qemu else []
    result = pack(kernel, image, config=config, extra=extra)
    assert result.returncode == 0, result.stderr
    return image


def packed_test_build(kernel, directory: Path, config_text: str) -> Path:
    """An image with the test build of hal-init (build/hal-init-test), whose faults the kernel
    command line arms (init/test_hooks.hpp)."""
    config = directory / "hal.conf"
    config.write_text(config_text)
    image = directory / "hal.img"
    packed_image = pack(kernel, image, config=config, extra=["--init", str(BUILD / "hal-init-test")])
    assert packed_image.returncode == 0, packed_image.stderr
    return image


def fake_qemu_boot(kernel, tmp_path: Path, config_text: str, scenario: str):
    """A boot of an image whose QEMU is the fake playing `scenario` (hal_test=SCENARIO), with a
    disk it never reads; no panic whatever the scenario."""
    image = packed(kernel, tmp_path, config_text, fake_qemu=True)
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", "unused")],
                  append=f"hal_test={scenario}")
    result.assert_no_panic()
    return result


def test_power_button_ladder_reaches_quit_with_a_guest_ignoring_acpi(kernel, tmp_path):
    image = packed(kernel, tmp_path, "disk = auto\npowerdown_timeout = 3\n")
    marker = f"HAL-STUBBORN-{uuid.uuid4().hex[:8]}"
    disk = make_disk(tmp_path / "disk.img", marker, loop_forever=True)
    qmp = tmp_path / "outer-qmp.sock"
    replies = []
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp,
                  when=[(marker, lambda: replies.append(qmp_command(qmp, "system_powerdown")))])
    result.assert_no_panic()
    assert not result.timed_out, result.console
    assert replies == [{"return": {}}]
    result.assert_in_order(
        "hal-init: supervise: power button on /dev/input/event",
        marker,
        "hal-init: stop: power button; stopping the guest",
        "hal-init: stop: system_powerdown sent; waiting up to 3 s for the guest to power off",
        "hal-init: stop: the guest did not power off in time; QMP quit sent",
        "hal-init: qmp: SHUTDOWN (host, reason host-qmp-quit)",
        "hal-init: supervise: QEMU exited with status 0",
        "hal-init: supervise: the host asked to stop; action poweroff",
        "reboot: Power down",
    )


def test_guest_poweroff_is_seen_as_qmp_shutdown_event(kernel, tmp_path):
    image = packed(kernel, tmp_path, "disk = auto\n")
    marker = f"HAL-GUEST-{uuid.uuid4().hex[:8]}"
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", marker)])
    result.assert_no_panic()
    result.assert_in_order(marker, "hal-init: qmp: SHUTDOWN (guest, reason guest-shutdown)",
                           "hal-init: supervise: the guest shut down; action poweroff", "reboot: Power down")
    # The start watch (KVM's statistics through QMP query-stats) left a running guest alone.
    assert "hal-init: guest: no progress" not in result.console


def test_operator_qmp_on_a_serial_port_asks_and_stops_the_guest(kernel, tmp_path):
    # qmp_serial = ttyS1: the machine's second serial port (here the outer VM's, a socket the
    # test holds) carries a QMP monitor of its own while hal-init keeps its connection.
    image = packed(kernel, tmp_path, "disk = auto\nqmp_serial = ttyS1\n")
    marker = f"HAL-OPERATED-{uuid.uuid4().hex[:8]}"
    operator = tmp_path / "operator.sock"
    replies = []

    def operate():
        replies.extend(serial_qmp(operator, ["query-status", "system_powerdown", "quit"]))

    result = boot(kernel, image, tmp_path / "console.log",
                  disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)],
                  extra=["-chardev", f"socket,id=operator,path={operator},server=on,wait=off",
                         "-serial", "chardev:operator"],
                  when=[(marker, operate)])
    result.assert_no_panic()
    assert not result.timed_out, result.console
    assert replies[0]["return"]["status"] == "running", replies
    assert replies[1] == {"return": {}, "id": 2}, replies
    result.assert_in_order(
        "hal-init: launch: operator QMP on /dev/ttyS1 (115200 8N1)",
        "hal-init: supervise: QEMU running",
        marker,
        "hal-init: qmp: POWERDOWN: the guest was asked to power off by another QMP monitor",
        "hal-init: qmp: SHUTDOWN (host, reason host-qmp-quit)",
        "hal-init: supervise: QEMU exited with status 0",
        "reboot: Power down",
    )


def test_qmp_serial_on_the_kernel_console_is_refused_and_the_guest_boots(kernel, tmp_path):
    image = packed(kernel, tmp_path, "disk = auto\nqmp_serial = ttyS0\n")
    marker = f"HAL-GUEST-{uuid.uuid4().hex[:8]}"
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", marker)])
    result.assert_no_panic()
    result.assert_in_order("hal-init: launch: qmp_serial ttyS0 is the kernel's console; no operator QMP",
                           "hal-init: supervise: QEMU running", marker, "reboot: Power down")
    # The port reaches QEMU only with its "operator QMP on" line (argv is logged at debug only).
    assert "hal-init: launch: operator QMP on" not in result.console


def test_guest_that_never_starts_is_detected_killed_and_started_again(kernel, tmp_path):
    # A test build of hal-init starts its first QEMU with the vCPUs stopped (-S): QEMU alive,
    # answering QMP, the guest never running, as seen under nested KVM. The start watch must
    # say so, kill it, and the second QEMU must boot the guest, although on_failure is poweroff.
    image = packed_test_build(kernel, tmp_path, "disk = auto\nguest_start_timeout = 8\n")
    marker = f"HAL-LATE-{uuid.uuid4().hex[:8]}"
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", marker)],
                  append="hal_test_fault=stall-guest")
    result.assert_no_panic()
    assert not result.timed_out, result.console
    result.assert_in_order(
        "hal-init: test: this QEMU starts with its vCPUs stopped",
        "hal-init: guest: no progress ",
        "QEMU or the accelerator is stuck; killing QEMU",
        "hal-init: supervise: QEMU killed by signal 9",
        "hal-init: supervise: the guest never started; action restart",
        "hal-init: supervise: restarting QEMU in 1000 ms",
        "hal-init: supervise: QEMU exited with status 0",
        "reboot: Power down",
    )
    assert result.console.count("hal-init: supervise: QEMU running as pid") == 2
    # QEMU answered with vCPU 0's statistics (an unmatched QOM path would mean "not watched").
    stuck_line = next(line for line in result.lines() if "hal-init: guest: no progress " in line)
    assert "vCPU 0: 0 port I/O exits" in stuck_line and " 0 answers" not in stuck_line, stuck_line
    assert marker in result.console.split("the guest never started")[1]


def test_crashing_qemu_is_restarted_then_emergency_action(kernel, tmp_path):
    result = fake_qemu_boot(kernel, tmp_path, "disk = auto\non_failure = restart\nrestart_limit = 2\n", "crash")
    assert not result.timed_out, result.console
    assert result.console.count("fake-qemu: crashing") == 3
    assert result.console.count("hal-init: supervise: restarting QEMU in") == 2
    result.assert_in_order(
        "hal-init: supervise: QEMU killed by signal 9",
        "hal-init: supervise: QEMU was killed by a signal, and QEMU was restarted 2 times within 300 s; "
        "emergency action poweroff",
        "reboot: Power down",
    )


def test_orphans_are_reaped(kernel, tmp_path):
    result = fake_qemu_boot(kernel, tmp_path, "disk = auto\n", "orphans")
    # The fake's console writes and hal-init's kernel log lines are separate channels whose
    # interleaving is not ordered within a few ms, so each channel's order is checked alone.
    result.assert_in_order("fake-qemu: orphaned 1000 grandchildren", "fake-qemu: zombies left: 0")
    result.assert_in_order("hal-init: supervise: QEMU running", "hal-init: supervise: QEMU exited with status 0",
                           "reboot: Power down")


def test_every_catchable_signal_leaves_pid1_running_and_sigterm_stops(kernel, tmp_path):
    result = fake_qemu_boot(kernel, tmp_path, "disk = auto\npowerdown_timeout = 1\n", "signals")
    assert not result.timed_out, result.console
    # Each channel's order on its own (see test_orphans_are_reaped).
    result.assert_in_order("fake-qemu: sent PID 1 every catchable signal", "fake-qemu: sent PID 1 SIGTERM",
                           "fake-qemu: stopped by SIGTERM")
    result.assert_in_order(
        "hal-init: stop: Terminated; stopping the guest",
        "hal-init: stop: system_powerdown not sent (no QMP connection)",
        "hal-init: stop: QEMU still running; sending SIGTERM",
        "hal-init: supervise: the host asked to stop; action poweroff",
        "reboot: Power down",
    )
    assert "hal-init: supervise: ignored a fault signal sent by another process" in result.console
    assert "hal-init: supervise: ignored signal 1 (Hangup)" in result.console


def test_sigpwr_starts_the_stop_ladder(kernel, tmp_path):
    result = fake_qemu_boot(kernel, tmp_path, "disk = auto\npowerdown_timeout = 1\n", "sigpwr")
    assert not result.timed_out, result.console
    result.assert_in_order("fake-qemu: sent PID 1 SIGPWR", "fake-qemu: stopped by SIGTERM")
    result.assert_in_order("hal-init: stop: Power failure; stopping the guest",
                           "hal-init: stop: QEMU still running; sending SIGTERM",
                           "hal-init: supervise: the host asked to stop; action poweroff", "reboot: Power down")


def test_ctrl_alt_del_on_the_keyboard_starts_the_stop_ladder(kernel, tmp_path):
    # The kernel turns Ctrl-Alt-Del into SIGINT to PID 1 (hal-init switched its reboot off).
    image = packed(kernel, tmp_path, "disk = auto\npowerdown_timeout = 3\n")
    marker = f"HAL-CAD-{uuid.uuid4().hex[:8]}"
    qmp = tmp_path / "outer-qmp.sock"
    result = boot(kernel, image, tmp_path / "console.log",
                  disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)], qmp_socket=qmp,
                  when=[(marker, lambda: qmp_command(qmp, "send-key", {"keys": [
                      {"type": "qcode", "data": key} for key in ("ctrl", "alt", "delete")]}))])
    result.assert_no_panic()
    assert not result.timed_out, result.console
    result.assert_in_order(marker, "hal-init: stop: Ctrl-Alt-Del; stopping the guest",
                           "hal-init: stop: the guest did not power off in time; QMP quit sent",
                           "hal-init: supervise: the host asked to stop; action poweroff", "reboot: Power down")


@pytest.mark.parametrize("word, phase, before", [
    ("hal.shell", "launch", "hal-init: supervise: QEMU running"),
    ("hal.break=modules", "modules", "hal-init: modules: critical path ready in"),
    ("hal.break=devices", "devices", "hal-init: devices: disk auto is /dev/vda")])
def test_rescue_shell_before_a_phase_then_boot_continues(kernel, tmp_path, word, phase, before):
    config = tmp_path / "hal.conf"
    config.write_text("disk = auto\n")
    image = tmp_path / "hal.img"
    result = pack(kernel, image, config=config, extra=["--rescue-shell"])
    assert result.returncode == 0, result.stderr
    marker = f"HAL-AFTER-SHELL-{uuid.uuid4().hex[:8]}"
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", marker)],
                  append=word,
                  console_input=("starting /bin/sh on the console", b"echo RESCUE-$((6*7))\nexit\n"))
    result.assert_no_panic()
    assert not result.timed_out, result.console
    result.assert_in_order(f"hal-init: shell: hal.break={phase}; starting /bin/sh on the console",
                           "RESCUE-42", marker, "reboot: Power down")
    # The shell comes before the phase, and the phase runs once it exits.
    result.assert_in_order(f"hal-init: shell: hal.break={phase}", "hal-init: shell: exited", before)


def test_emergency_shell_without_busybox_falls_back_to_power_off(kernel, tmp_path):
    image = packed(kernel, tmp_path, "disk = /dev/absent\ndisk_timeout = 1\nemergency = shell\n")
    result = boot(kernel, image, tmp_path / "console.log", disks=[])
    result.assert_no_panic()
    result.assert_in_order("hal-init: fatal: disk /dev/absent did not appear within 1 s",
                           "hal-init: shell: no rescue shell in this image (build it with mkinitrd-hal --rescue-shell)",
                           "reboot: Power down")


@pytest.mark.parametrize("fault, emergency", [("segv", "poweroff"), ("stack-overflow", "reboot")])
def test_fault_inside_pid1_is_caught_logged_synced_and_takes_the_emergency_action(kernel, tmp_path, fault,
                                                                                 emergency):
    # A test build of hal-init (build/hal-init-test) faults on purpose once QEMU runs: a write
    # through a null pointer, or recursion into the stack's guard page, which the crash guard
    # can only report from its alternate stack. The machine must power off (or reboot, with
    # emergency = reboot) cleanly, not panic with "Attempted to kill init".
    image = packed_test_build(kernel, tmp_path, f"disk = auto\nemergency = {emergency}\n")
    disk = make_disk(tmp_path / "disk.img", "HAL-FAULT", loop_forever=True)
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], append=f"hal_test_fault={fault}")
    result.assert_no_panic()
    assert not result.timed_out, result.console
    assert "Attempted to kill init" not in result.console
    result.assert_in_order(
        "hal-init: test: fault injection armed",
        "hal-init: supervise: QEMU running as pid",
        "hal-init: test: faulting inside PID 1 now",
        "hal-init: crash: fatal signal 11 inside hal-init; syncing and "
        + ("powering off in 3 s" if emergency == "poweroff" else "rebooting in 3 s"),
        "reboot: Power down" if emergency == "poweroff" else "reboot: Restarting system",
    )


# The outer VM's hardware watchdog: an emulated i6300ESB whose expiry powers the machine off,
# so the test sees it as the outer QEMU's end without a "reboot: Power down" from the kernel.
WATCHDOG_OUTER = ["-device", "i6300esb", "-action", "watchdog=poweroff"]
ARMED = "hal-init: watchdog: /dev/watchdog0 (i6300ESB timer) armed: the machine resets 10 s after"


def test_hardware_watchdog_is_petted_while_all_is_well_and_resets_a_hung_pid1_or_qemu(kernel, tmp_path):
    image = packed_test_build(kernel, tmp_path, "disk = auto\nwatchdog = 10\npowerdown_timeout = 3\n")
    disk = make_disk(tmp_path / "disk.img", f"HAL-WATCHED-{uuid.uuid4().hex[:8]}", loop_forever=True)
    # Healthy: 40 s after arming (four timeouts), the machine's power button; hal-init's loop
    # pets the watchdog all along and disarms it before it powers off.
    qmp = tmp_path / "outer-qmp.sock"
    press_later = threading.Timer(40, lambda: qmp_command(qmp, "system_powerdown"))
    healthy = boot(kernel, image, tmp_path / "healthy.log", disks=[disk], extra=WATCHDOG_OUTER, qmp_socket=qmp,
                   timeout=300, when=[(ARMED, press_later.start)])
    press_later.cancel()
    healthy.assert_no_panic()
    assert not healthy.timed_out, healthy.console[-3000:]
    healthy.assert_in_order(ARMED, "hal-init: stop: power button", "hal-init: watchdog: /dev/watchdog0 disarmed",
                            "reboot: Power down")
    assert healthy.arrival("hal-init: stop: power button") - healthy.arrival(ARMED) >= 39
    # Hung: PID 1's loop stops 30 s after QEMU started; nothing pets the watchdog, which ends
    # the machine, the guest still running, 10 s after the last pet (at most one pet interval,
    # 3.3 s, before the loop stopped).
    hung = boot(kernel, image, tmp_path / "hung.log", disks=[disk], extra=WATCHDOG_OUTER, timeout=300,
                append="hal_test_fault=stop-loop")
    hung.assert_no_panic()
    assert not hung.timed_out, hung.console[-3000:]
    hung.assert_in_order(ARMED, "hal-init: test: PID 1's event loop stops here for good")
    assert "reboot: Power down" not in hung.console and "disarmed" not in hung.console, hung.console[-3000:]
    stopped = hung.arrival("hal-init: test: PID 1's event loop stops here for good")
    ended = hung.started + hung.seconds
    assert 10 - 10 / 3 - 0.5 <= ended - stopped <= 60, (ended - stopped, hung.console[-3000:])
    # QEMU stopped (SIGSTOP 10 s after its start) while hal-init's loop runs: QMP goes
    # unanswered, and 10 s on hal-init stops petting; the machine ends 10 s after the last pet.
    wedged = boot(kernel, image, tmp_path / "wedged.log", disks=[disk], extra=WATCHDOG_OUTER, timeout=300,
                  append="hal_test_fault=stop-qemu")
    wedged.assert_no_panic()
    assert not wedged.timed_out, wedged.console[-3000:]
    withheld = "hal-init: watchdog: QEMU has answered no QMP query for "
    wedged.assert_in_order(ARMED, withheld, "no longer petted; the machine resets within 10 s")
    assert "reboot: Power down" not in wedged.console, wedged.console[-3000:]
    ended = wedged.started + wedged.seconds
    assert 10 - 10 / 3 - 0.5 <= ended - wedged.arrival(withheld) <= 30, wedged.console[-3000:]


def test_guest_watchdog_expiry_ends_a_hung_guest_under_on_failure(kernel, guest_initramfs, tmp_path, figures):
    """guest_watchdog = i6300esb: the real Linux guest arms its watchdog for 3 s and hangs; QEMU
    reports the expiry (QMP WATCHDOG), hal-init ends QEMU and on_failure applies: a restart,
    then, the restart limit reached, the emergency action."""
    disk = bios_disk(kernel, guest_initramfs, tmp_path / "hang.img", cmdline="guest.steps=facts,hang")
    config = tmp_path / "hal.conf"
    config.write_text("disk = auto\nguest_watchdog = i6300esb\non_failure = restart\nrestart_limit = 1\n")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config)
    assert packed.returncode == 0, packed.stderr
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], timeout=600)
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    expired = ("hal-init: qmp: WATCHDOG (action none): the guest's watchdog expired, the guest hangs; "
               "QMP quit sent, then on_failure")
    result.assert_in_order(
        "GUEST-HANG watchdog armed for 3 s, never petted again", expired,
        "hal-init: supervise: the guest's watchdog expired; action restart",
        "GUEST-HANG watchdog armed for 3 s, never petted again", expired,
        "hal-init: supervise: the guest's watchdog expired, and QEMU was restarted 1 times within 300 s; "
        "emergency action poweroff", "reboot: Power down")
    waited = result.arrival(expired) - result.arrival("GUEST-HANG watchdog armed")
    assert waited < 20, result.console[-4000:]
    figures.append(f"guest watchdog (i6300esb, 3 s): armed -> hal-init's WATCHDOG line {waited:.1f} s")
