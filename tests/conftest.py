"""Shared fixtures: one lab (real sshd hosts in namespaces) for the whole integration session.

In CI a skipped integration test is a failure: a green run must mean the real parts ran.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import lab  # noqa: E402  (needs the repo on sys.path first)

LAB_TOOLS = ("unshare", "nsenter", "nft", "sshpass", "ssh-keygen")


def lab_missing() -> str | None:
    """Why the lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "the lab needs root"
    missing = [t for t in LAB_TOOLS if not shutil.which(t)]
    if not os.path.exists("/usr/sbin/sshd"):
        missing.append("sshd")
    return f"missing {', '.join(missing)} (run `make test` as root)" if missing else None


@pytest.fixture(autouse=True)
def _private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every verify run stores history and reads notify config from the user's XDG dirs; tests
    (and the CLI subprocesses they start, which inherit the environment) use throwaway ones."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.delenv("VERIFY_DB", raising=False)
    monkeypatch.delenv("VERIFY_NOTIFY_CONFIG", raising=False)


@pytest.fixture(scope="session")
def lab_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    reason = lab_missing()
    if reason:
        pytest.skip(reason)
    state_dir = tmp_path_factory.mktemp("lab")
    the_lab = lab.up(state_dir)
    try:
        yield the_lab
    finally:
        lab.down(state_dir)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    integration = [r for r in skipped if "integration" in getattr(r, "keywords", {})]
    if integration:
        print(f"\nCI: {len(integration)} integration tests were skipped; that is a failure here.")
        session.exitstatus = 1
