"""Fixtures for the DHCP client tests."""
import os

import pytest

from netlab import HAL_INIT, Lab


@pytest.fixture
def lab(tmp_path):
    if os.geteuid() != 0:
        # Under CI (root, as .ci/run runs) a test that cannot run is a failure, never a skip.
        if os.environ.get("CI") == "true":
            pytest.fail("the DHCP tests need root for their network namespaces, and CI=true")
        pytest.skip("network namespaces need root")
    assert HAL_INIT.exists(), "run `make` first"
    lab = Lab(tmp_path)
    yield lab
    lab.close()
