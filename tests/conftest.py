"""Shared by every test directory: a place to report figures, printed after the run."""
import pytest

FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures():
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
