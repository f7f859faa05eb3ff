"""Shared by every test directory: a place to report figures, printed after the run."""
import pytest

FIGURES: list[str] = []


@pytest.fixture
def figures():
    return FIGURES


@pytest.fixture(scope="session")
def figures_session():
    """The same list, for session-scoped fixtures."""
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
