"""The bundled static QEMU (`make qemu-static`): no libraries in the image, user networking."""
import json
import os
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from halvm import boot, make_disk, pack, read_newc

SYSTEM_QEMU = "/usr/bin/qemu-system-x86_64"


def cached_static_qemu() -> Path:
    cache = os.environ.get("HAL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mkinitrd-hal")
    return Path(cache) / "qemu-static" / "current" / "qemu-system-x86_64"


@pytest.fixture(scope="module")
def static_qemu():
    path = cached_static_qemu()
    # `make check` builds it first; a missing static QEMU is a failure, never a skip.
    assert path.exists(), f"no static QEMU at {path}: `make qemu-static` did not build it"
    return path


def test_static_qemu_is_static_and_small(static_qemu, figures):
    described = subprocess.run(["file", "-L", str(static_qemu)], capture_output=True, text=True).stdout
    assert "statically linked" in described or "static-pie linked" in described, described
    size = static_qemu.stat().st_size
    info = (static_qemu.parent / "BUILD-INFO").read_text().strip() if (static_qemu.parent / "BUILD-INFO").exists() else ""
    figures.append(f"static QEMU: {size} bytes stripped ({size / 1e6:.1f} MB); {info}")


def test_user_networking_compiled_in(static_qemu, tmp_path):
    qmp = tmp_path / "qmp.sock"
    firmware = ["-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-L", "/usr/lib/ipxe/qemu"]
    process = subprocess.Popen([str(static_qemu), *firmware, "-machine", "pc", "-accel", "tcg", "-nodefaults",
                                "-display", "none", "-S", "-netdev", "user,id=n0", "-device", "e1000,netdev=n0",
                                "-qmp", f"unix:{qmp},server=on,wait=off"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            if qmp.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        assert process.poll() is None, process.stdout.read().decode()
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(qmp))
            stream = connection.makefile("rwb")
            json.loads(stream.readline())
            answers = []
            for command in ({"execute": "qmp_capabilities"},
                            {"execute": "human-monitor-command", "arguments": {"command-line": "info network"}}):
                stream.write(json.dumps(command).encode() + b"\r\n")
                stream.flush()
                answers.append(json.loads(stream.readline()))
        assert "type=user" in answers[1]["return"], answers
    finally:
        process.kill()
        process.wait()


def test_image_with_static_qemu_has_no_shared_library_and_boots(kernel, static_qemu, tmp_path, figures):
    static_image, dynamic_image = tmp_path / "static.img", tmp_path / "dynamic.img"
    packed = pack(kernel, static_image)
    assert packed.returncode == 0, packed.stderr
    assert f"using the static QEMU {static_qemu}" in packed.stderr
    assert pack(kernel, dynamic_image, extra=["--qemu", SYSTEM_QEMU]).returncode == 0
    entries = read_newc(static_image)
    libraries = [name for name in entries if re.search(r"\.so(\.|$)", name)]
    assert libraries == [], libraries
    assert entries["usr/bin/qemu-system-x86_64"].data == static_qemu.read_bytes()
    timings = {}
    for name, image in (("static", static_image), ("dynamic", dynamic_image)):
        marker = f"HAL-{name.upper()}-{uuid.uuid4().hex[:8]}"
        result = boot(kernel, image, tmp_path / f"console-{name}.log",
                      disks=[make_disk(tmp_path / f"disk-{name}.img", marker)])
        result.assert_no_panic()
        result.assert_in_order("hal-init: supervise: QEMU running", marker,
                               "hal-init: qmp: SHUTDOWN (guest, reason guest-shutdown)")
        timings[name] = 1000 * (result.first_time("qmp: SHUTDOWN") - result.first_time("supervise: QEMU running"))
    figures.append(f"image with static QEMU {static_image.stat().st_size} bytes vs dynamic closure "
                   f"{dynamic_image.stat().st_size} bytes; QEMU start to guest shutdown: static {timings['static']:.0f} ms, "
                   f"dynamic {timings['dynamic']:.0f} ms")
