"""The guest on the machine's own screen, keyboard and mouse: the outer VM has a std VGA (the
HAL host gets bochs-drm), a PS/2 keyboard and mouse and a USB tablet; a real Linux guest paints
its framebuffer and reports every input event it gets on its serial port."""
import re
import time
from pathlib import Path

from guestos import bios_disk
from halvm import BUILD, DISPLAY_OUTER, boot, pack, qmp_command
from test_real_guests import GUEST_TIMEOUT

KEY_A, KEY_B, KEY_C, KEY_ESC, KEY_LEFTCTRL, KEY_LEFTALT = 30, 48, 46, 1, 29, 56
ABS_X, ABS_Y = 0, 1


def read_ppm(path: Path):
    """(width, height, rgb bytes) of a binary PPM (QMP screendump)."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6", fields[:4]
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][-width * height * 3:]


def pixel(image, x: int, y: int) -> tuple[int, int, int]:
    width, _, rgb = image
    offset = 3 * (y * width + x)
    return rgb[offset], rgb[offset + 1], rgb[offset + 2]


def screendump(qmp: Path, path: Path):
    qmp_command(qmp, "screendump", {"filename": str(path)})
    return read_ppm(path)


def look_then_power_down(qmp: Path, shots: dict, name: str, directory: Path, wait: float):
    """An action for boot(when=...): after `wait` seconds, the outer screen into shots[name]
    (directory/NAME.ppm), then the outer power button."""
    def action():
        time.sleep(wait)
        shots[name] = screendump(qmp, directory / f"{name}.ppm")
        qmp_command(qmp, "system_powerdown")
    return action


def keys(qmp: Path, *names: str):
    qmp_command(qmp, "send-key", {"keys": [{"type": "qcode", "data": name} for name in names]})


def move(qmp: Path, kind: str, x: int, y: int):
    events = [{"type": kind, "data": {"axis": "x", "value": x}}, {"type": kind, "data": {"axis": "y", "value": y}}]
    qmp_command(qmp, "input-send-event", {"events": events})


def image_and_guest(kernel, guest_initramfs, tmp_path: Path, cmdline: str) -> tuple[Path, Path]:
    """The HAL image (hal-init's test build, for its fault knobs) and the guest's disk."""
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, extra=["--init", str(BUILD / "hal-init-test")])
    assert packed.returncode == 0, packed.stderr
    return image, bios_disk(kernel, guest_initramfs, tmp_path / "guest.img", cmdline=cmdline)


def light_pixels(image) -> int:
    """Pixels bright enough to be console text."""
    _, _, rgb = image
    return sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] > 150 and rgb[i + 2] > 150)


def test_guest_screen_keyboard_pointer_and_host_menu(kernel, guest_initramfs, tmp_path, figures):
    image, disk = image_and_guest(kernel, guest_initramfs, tmp_path,
                                  "vt.global_cursor_default=0 guest.steps=paint,inputbg,wait guest.paint=0,0,255 "
                                  "guest.input=300")
    qmp = tmp_path / "outer-qmp.sock"
    shots = {}
    done = []
    replies = {}

    def shoot(name):
        return lambda: shots.setdefault(name, screendump(qmp, tmp_path / f"{name}.ppm"))

    def drive_input():
        time.sleep(2)
        shots["guest"] = screendump(qmp, tmp_path / "guest.ppm")
        keys(qmp, "a")
        keys(qmp, "b")
        move(qmp, "rel", 50, 0)
        time.sleep(1)
        move(qmp, "rel", 100, 0)
        time.sleep(1)
        move(qmp, "abs", 16384, 8192)
        time.sleep(2)
        # A USB keyboard plugged in while the guest runs drives it; then it is pulled out. It
        # is bound to the monitor's console, so keys sent to that console come from it alone
        # (the PS/2 keyboard is not bound).
        replies["plug"] = qmp_command(qmp, "device_add", {"driver": "usb-kbd", "bus": "outer-xhci.0",
                                                          "id": "plugged-kbd", "display": "outer-vga"})
        time.sleep(4)
        replies["key"] = qmp_command(qmp, "input-send-event", {"device": "outer-vga", "events": [
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": "c"}}} for down in (True, False)]})
        time.sleep(1)
        replies["unplug"] = qmp_command(qmp, "device_del", {"id": "plugged-kbd"})
        time.sleep(2)
        keys(qmp, "ctrl", "alt", "esc")  # the host menu: the guest must not see this
        time.sleep(3)
        shots["menu"] = screendump(qmp, tmp_path / "menu.ppm")
        keys(qmp, "1")                   # power off the guest: the stop ladder
        done.append(True)

    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                  extra=DISPLAY_OUTER, append="console=tty0 console=ttyS0",
                  when=[("hal-init: modules: critical path ready", shoot("early")),
                        ("hal-init: launch: accel=", shoot("launch")),
                        ("GUEST-INPUT-READY", drive_input)])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    console = result.console
    assert done, console[-4000:]
    result.assert_in_order("hal-init: display: monitor on card0-Virtual-1, native mode 1280x800",
                           "hal-init: display: hal-display running as pid",
                           "hal-display: screen: the guest's first frame is on the monitor",
                           "GUEST-PAINT 1280x800 rgb=0,0,255")
    # Before the guest's first frame the monitor shows the console, changing as hal-init logs.
    for name in ("early", "launch"):
        assert light_pixels(shots[name]) > 500, f"no console text on the monitor at {name}"
        assert pixel(shots[name], 640, 400) != (0, 0, 255)
    assert shots["early"][2] != shots["launch"][2], "the console on the monitor did not move"
    # The guest's frame: its blue and its white square, 1:1 on the 1280x800 monitor.
    assert pixel(shots["guest"], 10, 10) == (255, 255, 255)
    assert pixel(shots["guest"], 640, 400) == (0, 0, 255)
    assert pixel(shots["guest"], 1270, 790) == (0, 0, 255)
    # Keys, relative motion (integrated, 1:1) and absolute motion reached the guest's tablet.
    result.assert_in_order(f"GUEST-KEY {KEY_A}", f"GUEST-KEY {KEY_B}")
    # The keyboard plugged in mid-run was taken over, its key reached the guest, and its
    # removal was seen.
    assert replies == {"plug": {"return": {}}, "key": {"return": {}}, "unplug": {"return": {}}}, replies
    plugged = re.search(r"hal-display: input: (/dev/input/event\d+) \"[^\"]*USB Keyboard\": keyboard", console)
    assert plugged, console[-4000:]
    result.assert_in_order(plugged.group(0), f"GUEST-KEY {KEY_C}",
                           f"hal-display: input: {plugged.group(1)} went away")
    xs = [int(value) for value in re.findall(rf"GUEST-ABS {ABS_X} (\d+)", console)]
    assert len(xs) >= 3, console[-4000:]
    step = xs[1] - xs[0]
    assert abs(step - 100 * 32767 // 1280) <= 3, xs
    assert abs(xs[2] - 16384) <= 40, xs
    # The hotkey opened the host menu; the guest never saw it, and "1" ran the stop ladder.
    result.assert_in_order("hal-display: menu: ctrl+alt+esc: the host menu is open",
                           "hal-init: display: the host menu is open on the monitor",
                           "hal-display: menu: poweroff",
                           "hal-init: stop: host menu (power off guest); stopping the guest",
                           "GUEST-STOPPING power button", "GUEST-DONE", "reboot: Power down")
    for code in (KEY_ESC, KEY_LEFTCTRL, KEY_LEFTALT):
        assert f"GUEST-KEY {code}\n" not in console.replace("\r", ""), f"the guest saw key {code}"
    assert pixel(shots["menu"], 640, 400) != (0, 0, 255)
    assert light_pixels(shots["menu"]) > 300, "the menu is not on the monitor"
    figures.append(f"display: guest 1280x800 on the monitor 1:1; relative step 100 px -> tablet {step}")


def test_killed_display_process_comes_back_and_the_guest_keeps_running(kernel, guest_initramfs, tmp_path):
    image, disk = image_and_guest(kernel, guest_initramfs, tmp_path,
                                  "vt.global_cursor_default=0 guest.steps=paint,wait guest.paint=0,255,0")
    qmp = tmp_path / "outer-qmp.sock"
    shots = {}

    after_restart = look_then_power_down(qmp, shots, "back", tmp_path, wait=2)

    first_frame = "hal-display: screen: the guest's first frame is on the monitor"
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                  extra=DISPLAY_OUTER, append="console=tty0 console=ttyS0 hal_test_fault=kill-display",
                  when=[("GUEST-PAINT", after_restart)])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order(first_frame, "hal-init: test: killing hal-display",
                           "hal-init: display: hal-display killed by signal 9 (Killed); the guest keeps running; "
                           "restarting it in 1000 ms",
                           "hal-init: display: hal-display running as pid", first_frame, "GUEST-PAINT",
                           "GUEST-STOPPING power button", "GUEST-DONE", "reboot: Power down")
    between = result.console.split("hal-init: test: killing hal-display")[1].split("GUEST-STOPPING")[0]
    assert "hal-init: supervise: QEMU" not in between, "QEMU ended while the display process was restarted"
    # The picture is back: the guest's green with its white square.
    assert pixel(shots["back"], 10, 10) == (255, 255, 255)
    assert pixel(shots["back"], 640, 400) == (0, 255, 0)


def test_firmware_framebuffer_without_drm_shows_the_guest(kernel, guest_initramfs, tmp_path):
    """A UEFI machine whose display has no DRM driver (Debian's kernel has no simpledrm): the
    outer VM boots OVMF with a ramfb, which no DRM driver drives, so the HAL host has only
    efifb's /dev/fb0. The guest shows there, the console before it and in the host menu, and
    a killed hal-display gives the monitor back and takes it again."""
    image, disk = image_and_guest(kernel, guest_initramfs, tmp_path,
                                  "vt.global_cursor_default=0 guest.steps=paint,wait guest.paint=255,0,255")
    qmp = tmp_path / "outer-qmp.sock"
    shots = {}

    def drive():
        time.sleep(3)
        shots["guest"] = screendump(qmp, tmp_path / "guest.ppm")
        keys(qmp, "ctrl", "alt", "esc")
        time.sleep(3)
        shots["menu"] = screendump(qmp, tmp_path / "menu.ppm")
        keys(qmp, "1")

    first_frame = "hal-display: screen: the guest's first frame is on the monitor"
    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                  extra=["-bios", "/usr/share/ovmf/OVMF.fd", "-device", "ramfb"],
                  append="console=tty0 console=ttyS0 hal_test_fault=kill-display",
                  when=[("hal-init: launch: accel=", lambda: shots.setdefault(
                            "launch", screendump(qmp, tmp_path / "launch.ppm"))),
                        ("GUEST-PAINT", drive)])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    probe = re.search(r"hal-init: display: no DRM monitor; framebuffer fb0 \(EFI VGA\) (\d+)x(\d+); "
                      r"the guest's screen goes there", result.console)
    assert probe, result.console[-6000:]
    width, height = int(probe.group(1)), int(probe.group(2))
    result.assert_in_order(probe.group(0), first_frame, "hal-init: test: killing hal-display",
                           "hal-init: display: hal-display killed by signal 9 (Killed); the guest keeps running",
                           "hal-init: display: hal-display running as pid", first_frame,
                           f"GUEST-PAINT {width}x{height} rgb=255,0,255",
                           "hal-display: menu: ctrl+alt+esc: the host menu is open", "hal-display: menu: poweroff",
                           "GUEST-STOPPING power button", "GUEST-DONE", "reboot: Power down")
    # The console on the firmware's framebuffer before the guest's first frame.
    assert shots["launch"][:2] == (width, height)
    assert light_pixels(shots["launch"]) > 500, "no console text on the monitor before the guest"
    # The guest's magenta with its white square, 1:1 (its screen took the framebuffer's size).
    assert pixel(shots["guest"], 10, 10) == (255, 255, 255)
    assert pixel(shots["guest"], width // 2, height // 2) == (255, 0, 255)
    assert pixel(shots["guest"], width - 5, height - 5) == (255, 0, 255)
    # The host menu: the VT back in text mode, the console redrawn with the menu.
    assert pixel(shots["menu"], width // 2, height // 2) != (255, 0, 255)
    assert light_pixels(shots["menu"]) > 300, "the menu is not on the monitor"


def test_vesa_framebuffer_of_a_bios_machine_without_drm_shows_the_guest(kernel, guest_initramfs, tmp_path):
    """A BIOS machine whose display has no DRM driver: the outer VM's std VGA with nomodeset
    (its bochs DRM driver stands aside), and the kernel's real-mode setup asks the VGA BIOS for
    a 1024x768 32-bit VESA mode (vga=0x344: VESA mode 0x144), so the HAL host has vesafb's
    /dev/fb0. The guest shows there, 1:1."""
    image, disk = image_and_guest(kernel, guest_initramfs, tmp_path,
                                  "vt.global_cursor_default=0 guest.steps=paint,wait guest.paint=255,128,0")
    qmp = tmp_path / "outer-qmp.sock"
    shots = {}

    look_then_stop = look_then_power_down(qmp, shots, "guest", tmp_path, wait=3)

    result = boot(kernel, image, tmp_path / "console.log", disks=[disk], qmp_socket=qmp, timeout=GUEST_TIMEOUT,
                  extra=["-device", "VGA,id=outer-vga"], append="console=tty0 console=ttyS0 vga=0x344 nomodeset",
                  when=[("GUEST-PAINT", look_then_stop)])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    probe = re.search(r"hal-init: display: no DRM monitor; framebuffer fb0 \(VESA VGA\) (\d+)x(\d+); "
                      r"the guest's screen goes there", result.console)
    assert probe, result.console[-6000:]
    width, height = int(probe.group(1)), int(probe.group(2))
    assert (width, height) == (1024, 768)
    result.assert_in_order(probe.group(0), "hal-display: screen: the guest's first frame is on the monitor",
                           f"GUEST-PAINT {width}x{height} rgb=255,128,0", "GUEST-STOPPING power button",
                           "GUEST-DONE", "reboot: Power down")
    assert pixel(shots["guest"], 10, 10) == (255, 255, 255)
    assert pixel(shots["guest"], width // 2, height // 2) == (255, 128, 0)
