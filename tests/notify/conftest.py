"""Fixtures for alert tests: a throwaway CA and server certificate for 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.notify.receivers import PROXY_VARIABLES, TlsFiles, make_tls_files


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours proxy variables; the local receivers must be reached directly."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "notify.yml"
