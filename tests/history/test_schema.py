"""Numbered migrations: a database of any earlier schema is brought forward one atomic step at
a time, with its data intact, and PRAGMA user_version says which step it is at."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from verifier.history import schema, store
from verifier.history.db import HistoryError, open_db


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows} - {"sqlite_sequence"}


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


V1_RUN = (
    "baseline",
    "2026-10-01T02:00:00+00:00",
    "2026-10-01T02:05:00+00:00",
    "0.0.9",
    "msp-standard",
    "1.1.0",
    "a" * 64,
    "clients/acme.yml",
    "/srv/clients/acme.yml",
    "b" * 64,
    None,
    0,
    1,
    json.dumps({"pass": 1, "fail": 1, "hosts": 1}),
)


def _v1_database(path: Path) -> None:
    """What the first release wrote: migration 1 only, one run with a host and a check."""
    conn = _raw(path)
    assert schema.migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO runs (command, started_at, finished_at, tool_version, baseline_name,"
        " baseline_version, baseline_sha256, inventory_path, inventory_key, inventory_sha256,"
        " limit_pattern, interrupted, exit_code, summary_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        V1_RUN,
    )
    conn.execute(
        "INSERT INTO hosts VALUES (1, 'web1', '10.0.0.5', 'linux', 'server', 'reachable', '',"
        " '2026-10-01T02:01:00+00:00', '{\"os\": {\"version\": \"22.04\"}}', '{}')"
    )
    conn.execute(
        "INSERT INTO check_results VALUES (1, 'web1', 'linux.ssh.root_login', 'fail', 'high',"
        " 'Root login', '\"no\"', '\"yes\"', 'ssh.permit_root_login is yes')"
    )
    conn.close()


def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    conn = _raw(tmp_path / "h.db")
    assert schema.version(conn) == 0
    assert schema.migrate(conn) == schema.LATEST == len(schema.MIGRATIONS) == 2
    assert _tables(conn) == {"runs", "hosts", "check_results", "acceptances", "drift_reports"}
    assert schema.migrate(conn) == 2  # nothing left to do
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_each_step_sets_user_version(tmp_path: Path) -> None:
    conn = _raw(tmp_path / "h.db")
    assert schema.migrate(conn, target=1) == 1
    assert _tables(conn) == {"runs", "hosts", "check_results"}
    assert schema.migrate(conn, target=2) == 2
    assert {"acceptances", "drift_reports"} <= _tables(conn)


def test_version_1_database_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    _v1_database(path)

    conn = open_db(path)

    assert schema.version(conn) == schema.LATEST
    row = conn.execute(
        "SELECT command, started_at, finished_at, tool_version, baseline_name, baseline_version,"
        " baseline_sha256, inventory_path, inventory_key, inventory_sha256, limit_pattern,"
        " interrupted, exit_code, summary_json FROM runs WHERE id = 1"
    ).fetchone()
    assert row == V1_RUN
    stored = store.load_run(conn, 1)
    assert stored.run.baseline_ref == "msp-standard@1.1.0" and not stored.run.accepted
    host = stored.host("web1")
    assert host is not None and host.facts == {"os": {"version": "22.04"}}
    check = host.check("linux.ssh.root_login")
    assert check is not None and (check.status, check.expected, check.actual) == (
        "fail",
        "no",
        "yes",
    )
    # The tables of migration 2 work on the old data.
    store.accept(conn, 1, "2026-10-02T00:00:00+00:00")
    assert store.accepted_run_id(conn, "/srv/clients/acme.yml") == 1


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path) -> None:
    """Step 2 creates `acceptances`, then fails on `drift_reports`: none of it may remain."""
    path = tmp_path / "h.db"
    _v1_database(path)
    conn = _raw(path)
    conn.execute("CREATE TABLE drift_reports (x)")  # in the way of migration 2

    with pytest.raises(sqlite3.OperationalError, match="drift_reports already exists"):
        schema.migrate(conn)

    # The connection is usable afterwards: no half-applied step pending in an open transaction.
    assert not conn.in_transaction
    conn.close()
    check = _raw(path)
    assert schema.version(check) == 1
    assert "acceptances" not in _tables(check)
    assert check.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_open_db_reports_a_failing_step_and_keeps_the_database(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    _v1_database(path)
    conn = _raw(path)
    conn.execute("CREATE TABLE drift_reports (x)")
    conn.close()

    with pytest.raises(
        HistoryError, match=r"not a usable history database: table drift_reports already exists"
    ):
        open_db(path)

    check = _raw(path)
    assert schema.version(check) == 1
    assert "acceptances" not in _tables(check)
