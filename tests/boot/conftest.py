"""Fixtures for the boot tests: the Debian test kernel and the default image."""
import os
import subprocess
from pathlib import Path

import pytest

from guestos import build_initramfs
from halvm import BUILD, LONGEST_SILENCE, MKINITRD, REPO, SILENCE_PROBE_SECONDS, find_kernel, pack


@pytest.fixture(scope="session")
def kernel():
    root = os.environ.get("HAL_KERNEL_ROOT")
    if not root:
        root = subprocess.run(["bash", str(REPO / "scripts" / "fetch-kernel.sh")], check=True,
                              capture_output=True, text=True).stdout.strip()
    assert (BUILD / "hal-init").exists() and MKINITRD.exists(), "run `make` first"
    return find_kernel(Path(root))


@pytest.fixture(scope="session")
def image(kernel, tmp_path_factory):
    """The image `mkinitrd-hal` builds with every default (shipped config and modules.list)."""
    output = tmp_path_factory.mktemp("image") / "hal.img"
    result = pack(kernel, output)
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="session")
def guest_initramfs(kernel, tmp_path_factory):
    """The real test guest's initramfs (tests/guest), built once per run."""
    return build_initramfs(kernel, tmp_path_factory.mktemp("guest") / "initrd.gz")


@pytest.fixture(scope="session", autouse=True)
def longest_silence(figures):
    """The margin of the rig's freeze probe: the longest console silence any boot had."""
    yield
    seconds, log = LONGEST_SILENCE
    if log:
        figures.append(f"longest console silence after /init in any boot: {seconds:.0f} s ({Path(log).name}); "
                               f"the rig's freeze probe waits {SILENCE_PROBE_SECONDS} s")
