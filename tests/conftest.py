"""Shared by every test directory: a place to report figures, printed after the run, and the
rig's retry summary (tests/boot/rig.py), printed after every run that booted the outer VM."""
import sys

import pytest

FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures():
    return FIGURES


def rig_module():
    """tests/boot/rig.py when this run imported it (it booted), else None."""
    return sys.modules.get("rig")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    rig = rig_module()
    if rig and len(rig.RETRIES) > rig.retry_budget(rig.BOOTS[0]):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
    rig = rig_module()
    if not rig:
        return
    retries = len(rig.RETRIES)
    terminalreporter.section("rig retries")
    for line in rig.summary():
        terminalreporter.write_line(line)
    budget = rig.retry_budget(rig.BOOTS[0])
    if retries > budget:
        terminalreporter.write_line(f"FAILED: {retries} rig retries exceed the budget of {budget}: "
                                    f"the rig is too unstable for its passes to mean anything", red=True)
