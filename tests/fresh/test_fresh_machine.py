"""The README's promise on a new machine: in a clean Debian 12 root (debootstrap), `make run`
installs every dependency, builds the static QEMU from source, packs it and boots to the
demo guest (scripts/fresh-check.sh --quick; `make fresh-check` also runs `make check` there)."""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("HAL_FRESH_ROOT") == "1",
                    reason="this run is itself inside scripts/fresh-check.sh's clean root")
def test_make_run_in_a_clean_debian_root_builds_and_packs_the_static_qemu(figures):
    result = subprocess.run(["bash", str(REPO / "scripts" / "fresh-check.sh"), "--quick"],
                            capture_output=True, text=True, timeout=45 * 60)
    report = result.stderr
    assert result.returncode == 0, report
    for line in ("fresh-check: passed: make run",
                 "fresh-check: static QEMU built from source: qemu",
                 "fresh-check: the image holds the static QEMU and no shared library",
                 "fresh-check: OK"):
        assert line in report, report
    figures.extend(line for line in report.splitlines() if line.startswith(("fresh-check: passed",
                                                                             "fresh-check: static QEMU")))
