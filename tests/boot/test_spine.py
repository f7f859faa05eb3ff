"""The spine end to end: mkinitrd-hal packs, hal-init boots, the bundled QEMU boots the disk."""
import json
import re
import subprocess
import uuid

import pytest

from halvm import BUILD, REPO, boot, make_disk, pack, read_newc


SYSTEM_QEMU = ["--qemu", "/usr/bin/qemu-system-x86_64"]  # Debian's dynamic QEMU: the closure path


@pytest.fixture(scope="module")
def default_image(kernel, tmp_path_factory):
    output = tmp_path_factory.mktemp("image") / "hal.img"
    result = pack(kernel, output, extra=SYSTEM_QEMU)
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="module")
def spine_boot(kernel, default_image, tmp_path_factory):
    """One boot of the default image to a boot-sector guest, shared by the spine's checks."""
    work = tmp_path_factory.mktemp("spine")
    marker = f"HAL-GUEST-{uuid.uuid4().hex[:12]}"
    result = boot(kernel, default_image, work / "console.log", disks=[make_disk(work / "disk.img", marker)])
    return marker, result


def test_boot_reaches_guest_and_powers_off(spine_boot, default_image, figures):
    marker, result = spine_boot
    result.assert_no_panic()
    assert not result.timed_out, f"outer VM did not power off within the bound:\n{result.console}"
    assert result.returncode == 0
    result.assert_in_order(
        "hal-init: hal-init starting",
        "hal-init: mounts: /proc /sys /dev /tmp /run ready",
        "hal-init: config: platform=transparent disk=auto bus=auto",
        "hal-init: devices: disk auto is /dev/vda (virtio, 512/512-byte sectors, BIOS boot code), found after",
        "hal-init: modules: critical path ready in",
        "hal-init: network: bridge: guest NIC 0 on eth0",
        "hal-init: network: bridge: the host takes no address on the LAN (net.manage = none)",
        "hal-init: firmware: bios: the boot disk has BIOS boot code and no EFI System Partition",
        "hal-init: launch: accel=",
        "hal-init: supervise: QEMU running as pid",
        marker,
        "hal-init: supervise: QEMU exited with status 0",
        "hal-init: power: QEMU ended; syncing disks and powering off",
        "reboot: Power down",
    )
    assert "hal-init: network: eth0 lease" not in result.console  # bridged: the host stays off the LAN
    start = result.first_time("hal-init starting")
    launch = result.first_time("launch:")
    figures.append(f"spine boot: hal-init start -> QEMU exec {1000 * (launch - start):.0f} ms (kernel timestamps), "
                   f"whole outer VM run {result.seconds:.1f} s, image {default_image.stat().st_size} bytes, "
                   f"hal-init {(REPO / 'build' / 'hal-init').stat().st_size} bytes")


def test_modules_load_in_dependency_order_without_unknown_symbols(spine_boot):
    marker, result = spine_boot
    # The boot happened: the guest ran and every queued module was tried.
    result.assert_in_order("hal-init: modules: critical path ready in", marker,
                           "hal-init: supervise: QEMU exited with status 0")
    # Before the launch: the early list and coldplug were queued, the critical path loaded.
    queued = re.search(r"hal-init: modules: critical path ready in \d+ ms: of (\d+) queued modules .* "
                       r"(\d+) loaded so far", result.console)
    assert queued and int(queued.group(1)) >= 20 and int(queued.group(2)) >= 10, result.console
    assert "Unknown symbol" not in result.console, result.console
    # Only a vendor KVM module may fail (the outer VM's CPU has one vendor at most).
    failures = [message for _, message in result.hal_lines()
                if re.match(r"modules: \S+: \S+ failed", message)]
    assert all(message.startswith(("modules: kvm_intel", "modules: kvm_amd")) for message in failures), failures
    # Modules go on loading while QEMU runs; when they all ended first, their count agrees.
    if ended := re.search(r"hal-init: modules: all loaded: \d+ loaded, (\d+) failed", result.console):
        assert int(ended.group(1)) == len(failures), (ended.group(0), failures)


PHASES = ["mounts", "config", "modules", "disks", "identity", "critical_modules", "network", "launch"]


def test_boot_timeline_says_where_the_time_to_qemu_went(kernel, tmp_path, figures):
    """hal-init's own timeline: /run/hal/boot.json (read back through the test build's report)
    and the same in one debug line, each phase and module load agreeing with the log."""
    image = tmp_path / "hal.img"
    packed_image = pack(kernel, image, extra=["--init", str(BUILD / "hal-init-test")])
    assert packed_image.returncode == 0, packed_image.stderr
    marker = f"HAL-GUEST-{uuid.uuid4().hex[:12]}"
    result = boot(kernel, image, tmp_path / "console.log", disks=[make_disk(tmp_path / "disk.img", marker)],
                  append="hal.debug=yes loglevel=8 hal_test_report=boot-json")
    result.assert_no_panic()
    result.assert_in_order("hal-init: supervise: QEMU running as pid", marker, "reboot: Power down")
    line = re.search(r"hal-init: boot: timeline at QEMU exec \(ms since hal-init started\): (.*)", result.console)
    assert line, result.console
    phases_text, modules_text = line.group(1).rstrip("\r").split("; modules START+MS:")
    words = phases_text.split()
    assert words[-2] == "exec", phases_text
    exec_ms = int(words[-1])
    spans = [(name, *map(int, span.split("+"))) for name, span in zip(words[:-2:2], words[1:-2:2])]
    assert [name for name, *_ in spans] == PHASES, phases_text
    for (_, start, length), (_, next_start, _) in zip(spans, spans[1:]):
        assert start + length == next_start, phases_text  # one phase ends where the next begins
    assert spans[-1][1] + spans[-1][2] == exec_ms
    # The file, in the pieces the test build logs, says the same.
    pieces = re.findall(r"hal-init: test: boot\.json (\d+)/(\d+) (.*)", result.console)
    count = int(pieces[0][1])
    timeline = json.loads("".join(text.rstrip("\r") for _, _, text in pieces[:count]))
    assert [(phase["name"], phase["start_ms"], phase["end_ms"] - phase["start_ms"])
            for phase in timeline["phases"]] == spans
    assert timeline["qemu_exec_ms"] == exec_ms
    # The clock agrees with the kernel's timestamps. Both count from boot, but printk's clock
    # and CLOCK_MONOTONIC drift apart by tens of ms in a VM, so the absolute origin is only
    # checked loosely; the span from the first line (logged during the mounts) to QEMU's start
    # is checked against the timeline's own, within 50 ms for the log's delay.
    start = result.first_time("hal-init starting")
    launch = result.first_time("supervise: QEMU running as pid")
    assert abs(timeline["origin_ms"] - 1000 * start) < 200, (timeline["origin_ms"], start)
    logged_span = 1000 * (launch - start)
    assert exec_ms - spans[0][2] - 50 <= logged_span <= exec_ms + 50, (exec_ms, logged_span, spans[0])
    # Every module load the log reported before the exec, with its time, in both.
    loaded = dict(re.findall(r"hal-init: modules: (\w+) loaded in (\d+) ms", result.console))
    in_file = {module["name"]: module for module in timeline["modules"]}
    in_line = {name: tuple(map(int, span.rstrip("!").split("+")))
               for name, span in zip(modules_text.split()[::2], modules_text.split()[1::2])}
    assert {"virtio_blk", "virtio_pci", "virtio_net", "kvm"} <= set(in_file), sorted(in_file)
    for name, module in in_file.items():
        assert module["loaded"] == (name in loaded), name
        if module["loaded"]:
            assert module["ms"] == int(loaded[name]), (name, module, loaded[name])
        assert in_line[name] == (module["start_ms"], module["ms"]), name
    slowest = sorted(in_file.values(), key=lambda module: -module["ms"])[:3]
    figures.append("boot timeline (ms since hal-init started, outer TCG VM): "
                   + " ".join(f"{name} {length}" for name, _, length in spans) + f"; exec at {exec_ms}; "
                   + f"{len(in_file)} module loads by then, slowest "
                   + ", ".join(f"{module['name']} {module['ms']}" for module in slowest))


def test_missing_disk_logs_and_powers_off_cleanly(kernel, tmp_path):
    config = tmp_path / "hal.conf"
    config.write_text("disk = /dev/disk-that-is-not-there\ndisk_timeout = 3\n")
    image = tmp_path / "hal.img"
    packed = pack(kernel, image, config=config)
    assert packed.returncode == 0, packed.stderr
    result = boot(kernel, image, tmp_path / "console.log", disks=[])
    result.assert_no_panic()
    assert not result.timed_out, result.console
    assert result.returncode == 0
    result.assert_in_order(
        "hal-init: fatal: disk /dev/disk-that-is-not-there did not appear within 3 s",
        "hal-init: power: fatal setup error; syncing disks and powering off",
        "reboot: Power down",
    )
    assert "supervise: QEMU running" not in result.console


def test_kernel_command_line_overrides_config(kernel, default_image, tmp_path):
    result = boot(kernel, default_image, tmp_path / "console.log", disks=[],
                  append="hal.disk=/dev/overridden hal.disk_timeout=1 hal.colour=blue hal.nic=e1000 "
                         "hal.platform=virtual")
    result.assert_no_panic()
    # The preset gives what the user did not set, whichever word came first.
    result.assert_in_order(
        "hal-init: config: kernel command line hal.colour=blue ignored: unknown key",
        "hal-init: config: platform=virtual disk=/dev/overridden bus=ide firmware=auto identity=generic "
        "machine=pc accel=auto nic=e1000",
        "hal-init: fatal: disk /dev/overridden did not appear within 1 s",
        "reboot: Power down",
    )


def test_image_contents(kernel, default_image):
    entries = read_newc(default_image)
    for path in ["init", "etc/hal.conf", "dev/console", "usr/bin/qemu-system-x86_64",
                 "usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so", "lib64/ld-linux-x86-64.so.2",
                 "lib/x86_64-linux-gnu/libglib-2.0.so.0", "usr/share/qemu/bios-256k.bin",
                 "usr/share/qemu/kvmvapic.bin",
                 f"lib/modules/{kernel.release}/modules.dep"]:
        assert path in entries, f"{path} missing from the image"
    assert entries["init"].mode & 0o777 == 0o755
    assert entries["etc/hal.conf"].data == (REPO / "configs" / "hal.conf").read_bytes()
    # The firmware is the real file, not a dangling symlink to /usr/share/seabios.
    assert entries["usr/share/qemu/bios-256k.bin"].data == open("/usr/share/seabios/bios-256k.bin", "rb").read()
    # modules.dep lists every packed module in load order; modules.load only the early ones.
    dep_lines = entries[f"lib/modules/{kernel.release}/modules.dep"].data.decode().splitlines()
    order = [line.split(":")[0] for line in dep_lines]
    names = [path.rsplit("/", 1)[1] for path in order]
    early = [path.rsplit("/", 1)[1] for path in entries[f"lib/modules/{kernel.release}/modules.load"].data.decode().split()]
    # Modules without a device alias load at every boot: KVM, the bridged guest's NIC stack,
    # VFIO's IOMMU backend and the code pages vfat needs.
    assert early == ["kvm.ko.zst", "kvm-intel.ko.zst", "kvm-amd.ko.zst", "tun.ko.zst", "macvtap.ko.zst",
                     "vhost_net.ko.zst", "vfio_iommu_type1.ko.zst", "nls_cp437.ko.zst", "nls_ascii.ko.zst"], early
    for dependency, dependent in [("virtio_ring", "virtio"), ("virtio", "virtio_blk"),
                                  ("virtio_pci_modern_dev", "virtio_pci"), ("kvm", "kvm-intel"),
                                  ("libata", "ahci"), ("nvme-core", "nvme")]:
        assert names.index(dependency + ".ko.zst") < names.index(dependent + ".ko.zst"), names
    assert len(names) == len(set(names))
    # Each module is its own zstd frame holding the kernel's file byte for byte, in the
    # uncompressed archive ahead of the compressed rest (segment 0: no early microcode here).
    module_root = kernel.root / "lib" / "modules" / kernel.release
    for path in order:
        entry = entries[f"lib/modules/{kernel.release}/{path}"]
        assert entry.segment == 0, path
        assert path.endswith(".ko.zst") and entry.data.startswith(b"\x28\xb5\x2f\xfd"), path
    for path in order[:: max(1, len(order) // 40)]:
        inflated = subprocess.run(["zstd", "-dc"], input=entries[f"lib/modules/{kernel.release}/{path}"].data,
                                  capture_output=True, check=True).stdout
        assert inflated == (module_root / path.removesuffix(".zst")).read_bytes(), path
    assert entries["init"].segment == 1 and entries["etc/hal.conf"].segment == 1
    aliases = entries[f"lib/modules/{kernel.release}/modules.alias"].data.decode()
    assert "alias virtio:d00000002v* virtio_blk" in aliases


def test_image_is_reproducible_with_source_date_epoch(kernel, tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    first, second = tmp_path / "first.img", tmp_path / "second.img"
    assert pack(kernel, first, env=env, extra=SYSTEM_QEMU).returncode == 0
    assert pack(kernel, second, env=env, extra=SYSTEM_QEMU).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert all(entry.mtime <= 1700000000 for entry in read_newc(first).values())


@pytest.mark.parametrize("config_text, expected", [
    ("disk = /dev/vda\nmemory = plenty\n", "line 2: key 'memory': memory must be"),
    ("disk = /dev/vda\ncolour = blue\n", "line 2: key 'colour': unknown key"),
    ("memory = 512\n", "key 'disk': required key is missing"),
])
def test_packer_rejects_bad_config_and_keeps_old_image(kernel, tmp_path, config_text, expected):
    config = tmp_path / "bad.conf"
    config.write_text(config_text)
    output = tmp_path / "hal.img"
    output.write_bytes(b"previous good image")
    result = pack(kernel, output, config=config)
    assert result.returncode == 1
    assert f"{config}" in result.stderr and expected in result.stderr, result.stderr
    assert output.read_bytes() == b"previous good image"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.conf", "hal.img"]


def test_packer_names_unknown_module_and_kernel(kernel, tmp_path):
    modules = tmp_path / "modules.list"
    modules.write_text("virtio_blk\nno_such_module\noptional_missing?\n")
    result = pack(kernel, tmp_path / "hal.img", modules=modules)
    assert result.returncode == 1
    assert f"{modules} line 2: module 'no_such_module' not found for kernel {kernel.release}" in result.stderr


def test_packer_reports_missing_qemu(kernel, tmp_path):
    result = pack(kernel, tmp_path / "hal.img", extra=["--qemu", str(tmp_path / "no-qemu")])
    assert result.returncode == 1
    assert str(tmp_path / "no-qemu") in result.stderr
    assert not (tmp_path / "hal.img").exists()


def test_packer_names_the_library_a_dynamic_qemu_misses(kernel, tmp_path):
    # The fixture program needs libfixture.so through $ORIGIN/../lib; copied away, it cannot resolve.
    program = tmp_path / "qemu-system-x86_64"
    program.write_bytes((REPO / "build" / "fixtures" / "elf" / "bin" / "fixture_program").read_bytes())
    program.chmod(0o755)
    result = pack(kernel, tmp_path / "hal.img", extra=["--qemu", str(program)])
    assert result.returncode == 1
    assert f"library libfixture.so needed by {program} not found" in result.stderr
