"""Opening the history database: created private, migrated, WAL; refuses what is not ours."""

from __future__ import annotations

import inspect
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from verifier.errors import EXIT_USAGE
from verifier.history import db, schema
from verifier.history.db import HistoryError, open_db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _insert_run(conn: sqlite3.Connection) -> int:
    cursor = conn.execute(
        "INSERT INTO runs (command, started_at, finished_at, tool_version, baseline_name,"
        " baseline_version, baseline_sha256, inventory_path, inventory_key, inventory_sha256,"
        " interrupted, exit_code, summary_json)"
        " VALUES ('baseline', 's', 'f', '0', 'b', '1', '', 'i', 'k', '', 0, 0, '{}')"
    )
    return int(cursor.lastrowid or 0)


def test_creates_directory_and_private_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "verify" / "history.sqlite3"

    conn = open_db(path)

    assert path.is_file()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    _insert_run(conn)
    wal = path.with_name(path.name + "-wal")
    assert wal.is_file() and _mode(wal) == 0o600  # SQLite copies the database's mode


def test_settings_of_an_opened_database(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "h.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert conn.isolation_level is None  # the store manages its own transactions


def test_reopening_keeps_data_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    conn = open_db(path)
    run_id = _insert_run(conn)
    conn.close()
    path.chmod(0o640)  # an administrator's choice stays

    again = open_db(path)

    assert again.execute("SELECT id FROM runs").fetchall() == [(run_id,)]
    assert _mode(path) == 0o640


def test_an_existing_empty_file_becomes_a_history_database(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.touch()
    assert schema.version(open_db(path)) == schema.LATEST


def _assert_one_line(error: HistoryError) -> None:
    assert "\n" not in str(error)
    assert error.exit_code == EXIT_USAGE


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    open_db(path).execute(f"PRAGMA user_version = {schema.LATEST + 1}")

    with pytest.raises(HistoryError) as err:
        open_db(path)

    _assert_one_line(err.value)
    assert str(err.value) == (
        f"{path}: history database schema {schema.LATEST + 1} is newer than this verify "
        f"understands ({schema.LATEST}); upgrade verify"
    )
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST + 1


def test_refuses_another_programs_sqlite_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE inventory (sku TEXT)")
    other.execute("INSERT INTO inventory VALUES ('x')")
    other.commit()
    other.close()
    before = path.read_bytes()

    with pytest.raises(HistoryError) as err:
        open_db(path)

    _assert_one_line(err.value)
    assert str(err.value) == f"{path}: not a verify history database"
    assert path.read_bytes() == before  # not even switched to WAL
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert check.execute("SELECT name FROM sqlite_master").fetchall() == [("inventory",)]


def test_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    garbage = b'{"not": "a database"}\n' * 200
    path.write_bytes(garbage)

    with pytest.raises(HistoryError) as err:
        open_db(path)

    _assert_one_line(err.value)
    assert str(err.value) == f"{path}: not a usable history database: file is not a database"
    assert path.read_bytes() == garbage


def test_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=r"cannot open the history database") as err:
        open_db(tmp_path)
    _assert_one_line(err.value)
    assert str(err.value).startswith(f"{tmp_path}: ")


def test_refuses_a_path_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"file/h\.db: cannot open the history database"):
        open_db(tmp_path / "file" / "h.db")


# Two verify runs can open a database that does not exist yet at the same moment (a nightly
# drift and an engineer's run on a fresh machine). The tests below make the loser's timing
# deterministic: it is held on one line of open_db/migrate (via sys.settrace in its own thread)
# while the winner creates the whole database, then let go.


def _race(tmp_path: Path, func: Callable[..., Any], marker: str) -> dict[str, Any]:
    """Hold a second open_db at `marker` in `func` while the first creates the database."""
    path = tmp_path / "h.db"
    lines, first = inspect.getsourcelines(func)
    targets = [first + i for i, line in enumerate(lines) if marker in line]
    assert len(targets) == 1, f"{marker!r} must appear once in {func.__name__}"
    code, reached, release = func.__code__, threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def local(frame: FrameType, event: str, _arg: object) -> Any:
        if event == "line" and frame.f_lineno == targets[0] and not reached.is_set():
            reached.set()
            release.wait(timeout=120)
        return local

    def tracer(frame: FrameType, _event: str, _arg: object) -> Any:
        return local if frame.f_code is code else None

    def loser() -> None:
        sys.settrace(tracer)
        try:
            conn = open_db(path)
            outcome["version"] = schema.version(conn)
            outcome["run_id"] = _insert_run(conn)  # the connection works (in its own thread)
            conn.close()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=loser)
    thread.start()
    try:
        assert reached.wait(timeout=120), "the second opener never reached the hold point"
        winner = open_db(path)  # creates and migrates the whole database meanwhile
        assert schema.version(winner) == schema.LATEST
    finally:
        release.set()
        thread.join()
    assert "error" not in outcome, outcome.get("error")
    return outcome


def test_a_database_migrated_by_another_run_after_the_version_was_read(tmp_path: Path) -> None:
    outcome = _race(tmp_path, schema.migrate, "conn.executescript(")
    assert outcome == {"version": schema.LATEST, "run_id": 1}


def test_a_database_created_by_another_run_is_not_foreign(tmp_path: Path) -> None:
    outcome = _race(tmp_path, db.open_db, "if found > schema.LATEST")
    assert outcome == {"version": schema.LATEST, "run_id": 1}
