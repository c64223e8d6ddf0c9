"""Where the history database lives: --db, else $VERIFY_DB, else the XDG data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verifier.history import paths


def test_data_dir_follows_xdg_data_home() -> None:
    env = {"XDG_DATA_HOME": "/srv/data", "HOME": "/home/eng"}
    assert paths.data_dir(env) == Path("/srv/data/verify")


@pytest.mark.parametrize("xdg", [None, ""])
def test_data_dir_defaults_to_home_local_share(xdg: str | None) -> None:
    env = {"HOME": "/home/eng"}
    if xdg is not None:
        env["XDG_DATA_HOME"] = xdg
    assert paths.data_dir(env) == Path("/home/eng/.local/share/verify")


def test_default_db_path_prefers_verify_db() -> None:
    env = {"VERIFY_DB": "/var/lib/verify/h.db", "XDG_DATA_HOME": "/srv/data"}
    assert paths.default_db_path(env) == Path("/var/lib/verify/h.db")
    del env["VERIFY_DB"]
    assert paths.default_db_path(env) == Path("/srv/data/verify/history.sqlite3")


def test_default_db_path_reads_the_process_environment() -> None:
    # The autouse fixture in tests/conftest.py points XDG_DATA_HOME at a temp dir.
    expected = Path(os.environ["XDG_DATA_HOME"]) / "verify" / "history.sqlite3"
    assert paths.default_db_path() == expected


def test_resolve_db_path_option_wins_and_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"VERIFY_DB": "/elsewhere/h.db"}
    assert paths.resolve_db_path(Path("sub/h.db"), env) == tmp_path / "sub" / "h.db"
    assert paths.resolve_db_path(None, env) == Path("/elsewhere/h.db")


def test_resolve_db_path_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.resolve_db_path(Path("~/h.db"), {}) == tmp_path / "h.db"
    assert paths.resolve_db_path(None, {"VERIFY_DB": "~/x/h.db"}) == tmp_path / "x" / "h.db"
