"""One full run over the whole lab (Linux, Windows, network devices), shared by the
integration modules: each asserts on its own hosts."""

from __future__ import annotations

import pytest

import lab
from tests.integration.verify_run import Run, run_verify


@pytest.fixture(scope="session")
def full_run(lab_network: lab.Lab, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_verify(
        lab_network.inventory_path, tmp_path_factory.mktemp("full"), "--format", "json"
    )
