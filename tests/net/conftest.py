"""Fixtures for the DHCP client tests."""
import os

import pytest

from netlab import HAL_INIT, Lab


@pytest.fixture
def lab(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    assert HAL_INIT.exists(), "run `make` first"
    lab = Lab(tmp_path)
    yield lab
    lab.close()
