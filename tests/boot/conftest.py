"""Fixtures for the boot tests: the Debian test kernel and a place to report figures."""
import os
import subprocess
from pathlib import Path

import pytest

from halvm import BUILD, MKINITRD, REPO, find_kernel

FIGURES: list[str] = []


@pytest.fixture(scope="session")
def kernel():
    root = os.environ.get("HAL_KERNEL_ROOT")
    if not root:
        root = subprocess.run(["bash", str(REPO / "scripts" / "fetch-kernel.sh")], check=True,
                              capture_output=True, text=True).stdout.strip()
    assert (BUILD / "hal-init").exists() and MKINITRD.exists(), "run `make` first"
    return find_kernel(Path(root))


@pytest.fixture
def figures():
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
