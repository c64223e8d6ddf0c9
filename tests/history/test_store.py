"""The history store: runs saved in one transaction and read back as stored; snapshots; prune."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.helpers import baseline, check, host, reachable
from verifier import __version__
from verifier.history import store
from verifier.history.db import HistoryError, open_db
from verifier.history.redact import REDACTED
from verifier.history.store import RunContext
from verifier.models import (
    Collection,
    FactSet,
    HostStatus,
    Platform,
    RunResult,
    Severity,
    Status,
)
from verifier.pipeline import evaluate_run

BASELINE = baseline(
    check(id="linux.ssh.root_login", title="Root login is off", fact="ssh.root", expected="no"),
    check(
        id="app.db.password",
        title="Database password rotated",
        severity=Severity.MEDIUM,
        fact="app.db_password",
        expected="rotated-2026",
    ),
    check(
        id="linux.accounts.empty_password",
        title="No empty passwords",
        severity=Severity.CRITICAL,
        fact="accounts.empty_password",
        operator="empty",
        expected=None,
    ),
)
FACTS = {
    "ssh": {"root": "yes"},
    "app": {"db_password": "hunter2", "port": 5432, "password_set": True},
    "accounts": {"empty_password": ["bob"], "admins": ["root", "ops"]},
}


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return open_db(tmp_path / "history.sqlite3")


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yml"
    path.write_text("all:\n  hosts:\n    web1: {}\n    db1: {}\n", encoding="utf-8")
    return path


def _run(
    inventory: Path,
    started: str = "2026-11-05T10:00:00+00:00",
    names: tuple[str, ...] = ("web1",),
    interrupted: bool = False,
) -> RunResult:
    collections = [reachable(FACTS, name=n) for n in names]
    run = evaluate_run(BASELINE, inventory, collections, started, date(2026, 11, 23), interrupted)
    return replace(run, finished_at=started.replace("T10:", "T11:"))


def _save(conn: sqlite3.Connection, run: RunResult, inventory: Path, **kw: object) -> int:
    context = RunContext(
        command=str(kw.get("command", "baseline")),
        inventory=inventory,
        limit=kw.get("limit"),  # type: ignore[arg-type]
        exit_code=int(kw.get("exit_code", 1)),  # type: ignore[call-overload]
    )
    return store.save_run(conn, run, context)


def _mixed_run(inventory: Path) -> RunResult:
    """web1 answered (with a probe error), db1 did not."""
    web1 = host("web1")
    facts = FactSet(
        "web1",
        Platform.LINUX,
        "2026-11-05T10:01:00+00:00",
        "ansible",
        FACTS,
        probe_errors={"updates": "apt-get timed out"},
    )
    collections = [
        Collection(web1, HostStatus.REACHABLE, facts),
        Collection(host("db1"), HostStatus.UNREACHABLE, message="ssh: connect timed out"),
    ]
    run = evaluate_run(
        BASELINE, inventory, collections, "2026-11-05T10:00:00+00:00", date(2026, 11, 23)
    )
    return replace(run, finished_at="2026-11-05T10:02:00+00:00")


def test_round_trip_of_a_run(conn: sqlite3.Connection, inventory: Path) -> None:
    run = _mixed_run(inventory)

    run_id = _save(conn, run, inventory, limit="web*:db*", exit_code=1)
    stored = store.load_run(conn, run_id)

    assert run_id == 1
    record = stored.run
    assert record.id == 1 and record.command == "baseline"
    assert (record.started_at, record.finished_at) == (
        "2026-11-05T10:00:00+00:00",
        "2026-11-05T10:02:00+00:00",
    )
    assert record.tool_version == __version__
    assert (record.baseline_name, record.baseline_version, record.baseline_sha256) == (
        "test",
        "1.0.0",
        "0" * 64,
    )
    assert record.baseline_ref == "test@1.0.0"
    assert record.inventory_path == str(inventory)
    assert record.inventory_key == str(inventory.resolve())
    assert record.inventory_sha256 == hashlib.sha256(inventory.read_bytes()).hexdigest()
    assert record.limit_pattern == "web*:db*"
    assert (record.interrupted, record.exit_code, record.accepted) == (False, 1, False)
    assert dict(record.summary) == run.summary()
    assert record.summary["fail"] == 3 and record.summary["hosts_reachable"] == 1

    assert [h.name for h in stored.hosts] == ["web1", "db1"]
    web1, db1 = stored.hosts
    assert (web1.address, web1.platform, web1.device_class, web1.status, web1.message) == (
        "127.0.0.1",
        "linux",
        "server",
        "reachable",
        "",
    )
    assert web1.collected_at == "2026-11-05T10:01:00+00:00"
    assert web1.probe_errors == {"updates": "apt-get timed out"}
    assert web1.facts == {
        "ssh": {"root": "yes"},
        "app": {"db_password": REDACTED, "port": 5432, "password_set": True},
        "accounts": {"empty_password": ["bob"], "admins": ["root", "ops"]},
    }
    assert [(c.check_id, c.status, c.severity, c.title) for c in web1.checks] == [
        ("linux.ssh.root_login", "fail", "high", "Root login is off"),
        ("app.db.password", "fail", "medium", "Database password rotated"),
        ("linux.accounts.empty_password", "fail", "critical", "No empty passwords"),
    ]
    root_login = web1.check("linux.ssh.root_login")
    assert root_login is not None
    assert (root_login.expected, root_login.actual) == ("no", "yes")
    assert root_login.message == run.hosts[0].results[0].message != ""
    # A check named after a secret stores neither its expected nor its actual string.
    password = web1.check("app.db.password")
    assert password is not None and (password.expected, password.actual) == (REDACTED, REDACTED)
    # Account names are findings, not secrets: the engineer needs to see who it is.
    empty = web1.check("linux.accounts.empty_password")
    assert empty is not None and empty.actual == ["bob"]
    assert web1.check("no.such.check") is None

    assert (db1.status, db1.message, db1.facts, db1.collected_at, db1.probe_errors) == (
        "unreachable",
        "ssh: connect timed out",
        None,
        None,
        {},
    )
    assert [(c.check_id, c.status) for c in db1.checks] == [
        (r.check_id, r.status.value) for r in run.hosts[1].results
    ]
    assert stored.host("nope") is None


def test_secrets_never_reach_the_database_file(tmp_path: Path, inventory: Path) -> None:
    path = tmp_path / "h.db"
    conn = open_db(path)
    _save(conn, _mixed_run(inventory), inventory)
    conn.close()  # checkpoints the WAL into the main file
    data = path.read_bytes()
    assert b"hunter2" not in data and b"rotated-2026" not in data
    assert b"apt-get timed out" in data  # the same file does hold the run


def test_a_check_reading_a_secret_fact_stores_no_secret(
    conn: sqlite3.Connection, inventory: Path
) -> None:
    """The check id does not name a secret, the fact path does: the facts are redacted, and so
    must be what the check found and the message that quotes it."""
    rotated = check(id="app.db.rotated", fact="app.db_password", expected="rotated-2026")
    vpn = check(id="vpn.site_a", fact="vpn.secrets.site_a", operator="ne", expected="changeme")
    facts = {"app": {"db_password": "hunter2"}, "vpn": {"secrets": {"site_a": "changeme"}}}
    run = evaluate_run(
        baseline(rotated, vpn), inventory, [reachable(facts)], "2026-11-05T10:00:00+00:00"
    )
    assert "hunter2" in run.hosts[0].results[0].message  # what the console report shows

    stored = store.load_run(conn, _save(conn, run, inventory)).hosts[0]

    assert stored.facts == {
        "app": {"db_password": REDACTED},
        "vpn": {"secrets": {"site_a": REDACTED}},
    }
    for check_id in ("app.db.rotated", "vpn.site_a"):
        result = stored.check(check_id)
        assert result is not None and result.status == "fail"
        assert (result.expected, result.actual) == (REDACTED, REDACTED)
        assert "hunter2" not in result.message and "changeme" not in result.message
        assert REDACTED in result.message
    message = stored.check("app.db.rotated").message  # type: ignore[union-attr]
    assert message == f'app.db_password is "{REDACTED}", expected eq "{REDACTED}"'


def test_interrupted_run_is_stored_as_such_and_cannot_be_accepted(
    conn: sqlite3.Connection, inventory: Path
) -> None:
    run_id = _save(conn, _run(inventory, interrupted=True), inventory, exit_code=130)
    record = store.load_record(conn, run_id)
    assert record.interrupted is True and record.exit_code == 130

    with pytest.raises(
        HistoryError, match=rf"^run {run_id} was interrupted; accept a complete run$"
    ):
        store.accept(conn, run_id, "2026-11-05T12:00:00+00:00")
    assert store.accepted_run_id(conn, str(inventory.resolve())) is None


def test_a_failed_save_leaves_nothing(conn: sqlite3.Connection, inventory: Path) -> None:
    first = _save(conn, _run(inventory), inventory)
    twice = _run(inventory, names=("web1", "web1"))  # (run_id, host) is the key: the 2nd fails

    with pytest.raises(HistoryError, match="cannot store the run in the history database"):
        _save(conn, twice, inventory)

    assert not conn.in_transaction
    assert [r.id for r in store.list_runs(conn)] == [first]
    assert conn.execute("SELECT count(*) FROM hosts").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM check_results").fetchone()[0] == 3
    assert _save(conn, _run(inventory), inventory) == first + 1


def test_unknown_run_id(conn: sqlite3.Connection) -> None:
    with pytest.raises(HistoryError, match=r"^no run 42 in the history database$"):
        store.load_record(conn, 42)
    with pytest.raises(HistoryError, match=r"^no run 42 in the history database$"):
        store.load_run(conn, 42)
    with pytest.raises(HistoryError, match=r"^no run 42 in the history database$"):
        store.accept(conn, 42, "2026-11-05T12:00:00+00:00")


@pytest.fixture
def many(conn: sqlite3.Connection, tmp_path: Path, inventory: Path) -> dict[str, int]:
    """Five runs: two inventories, three days, different hosts."""
    other = tmp_path / "globex.yml"
    other.write_text("all:\n  hosts:\n    fw1: {}\n", encoding="utf-8")
    ids = {
        "acme_nov01": _save(conn, _run(inventory, "2026-11-01T10:00:00+00:00"), inventory),
        "globex_nov02": _save(
            conn, _run(other, "2026-11-02T00:00:00+00:00", ("fw1",)), other, command="drift"
        ),
        "acme_nov02": _save(
            conn, _run(inventory, "2026-11-02T10:00:00+00:00", ("web1", "db1")), inventory
        ),
        "acme_nov03": _save(conn, _run(inventory, "2026-11-03T10:00:00+00:00"), inventory),
        "globex_nov03": _save(conn, _run(other, "2026-11-03T23:59:59+00:00", ("fw1",)), other),
    }
    assert list(ids.values()) == [1, 2, 3, 4, 5]
    return ids


def _ids(records: list[store.RunRecord]) -> list[int]:
    return [r.id for r in records]


def test_list_runs_newest_first(conn: sqlite3.Connection, many: dict[str, int]) -> None:
    records = store.list_runs(conn)
    assert _ids(records) == [5, 4, 3, 2, 1]
    assert records[3].command == "drift" and records[3].inventory_path.endswith("globex.yml")


def test_list_runs_filters(
    conn: sqlite3.Connection, many: dict[str, int], tmp_path: Path, inventory: Path
) -> None:
    acme = str(inventory.resolve())
    globex = str((tmp_path / "globex.yml").resolve())
    assert _ids(store.list_runs(conn, host="db1")) == [3]
    assert _ids(store.list_runs(conn, host="fw1")) == [5, 2]
    assert _ids(store.list_runs(conn, host="nobody")) == []
    assert _ids(store.list_runs(conn, inventory=acme)) == [4, 3, 1]
    assert _ids(store.list_runs(conn, inventory=globex)) == [5, 2]
    assert _ids(store.list_runs(conn, since="2026-11-02")) == [5, 4, 3, 2]  # midnight counts
    assert _ids(store.list_runs(conn, since="2026-11-02T10:00:00+00:00")) == [5, 4, 3]
    assert _ids(store.list_runs(conn, since="2026-11-04")) == []
    assert _ids(store.list_runs(conn, limit=2)) == [5, 4]
    assert _ids(store.list_runs(conn, host="web1", since="2026-11-02", inventory=acme)) == [4, 3]
    assert _ids(store.list_runs(conn, inventory=acme, limit=1)) == [4]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("20261102", [5, 4, 3, 2]),  # ISO 8601 basic format
        ("2026-11-02T00:00:00Z", [5, 4, 3, 2]),
        ("2026-11-02T12:00:00+02:00", [5, 4, 3]),  # 10:00 UTC
        ("2026-11-03T01:00:00-02:00", [5, 4]),  # 03:00 UTC
        ("2026-11-03T23:59:59.500000+00:00", []),  # run 5 started half a second earlier
    ],
)
def test_list_runs_since_compares_instants(
    conn: sqlite3.Connection, many: dict[str, int], since: str, expected: list[int]
) -> None:
    assert _ids(store.list_runs(conn, since=since)) == expected


def test_accept_newest_acceptance_wins(
    conn: sqlite3.Connection, many: dict[str, int], tmp_path: Path, inventory: Path
) -> None:
    acme = str(inventory.resolve())
    assert store.accepted_run_id(conn, acme) is None

    record = store.accept(conn, 3, "2026-11-04T08:00:00+00:00", note="after the migration")
    assert record.id == 3 and record.accepted is True
    store.accept(conn, 4, "2026-11-04T09:00:00+00:00")
    assert store.accepted_run_id(conn, acme) == 4
    store.accept(conn, 1, "2026-11-04T10:00:00+00:00")  # an older run, accepted last
    assert store.accepted_run_id(conn, acme) == 1

    assert store.accepted_run_id(conn, str((tmp_path / "globex.yml").resolve())) is None
    assert [r.id for r in store.list_runs(conn) if r.accepted] == [4, 3, 1]
    assert conn.execute("SELECT run_id, note FROM acceptances ORDER BY id").fetchall() == [
        (3, "after the migration"),
        (4, ""),
        (1, ""),
    ]


def _count(conn: sqlite3.Connection, table: str, run_id: int) -> int:
    return int(
        conn.execute(f"SELECT count(*) FROM {table} WHERE run_id = ?", (run_id,)).fetchone()[0]
    )


def test_prune_keeps_accepted_and_recent_runs(
    conn: sqlite3.Connection, many: dict[str, int]
) -> None:
    store.accept(conn, 1, "2026-11-01T12:00:00+00:00")
    store.save_drift(conn, 2, 1, {"changes": [{"kind": "host_added"}]})
    assert (_count(conn, "hosts", 3), _count(conn, "check_results", 3)) == (2, 6)
    now = datetime(2026, 11, 12, 10, 0, 0, tzinfo=UTC)

    deleted = store.prune(conn, keep_days=10, now=now)  # cutoff 2026-11-02T10:00:00

    assert deleted == [2]  # run 1 is older but accepted; run 3 starts exactly at the cutoff
    assert _ids(store.list_runs(conn)) == [5, 4, 3, 1]
    assert (_count(conn, "hosts", 2), _count(conn, "check_results", 2)) == (0, 0)
    assert store.load_drift(conn, 2) is None
    assert store.load_run(conn, 1).hosts[0].checks  # the snapshot is whole

    assert store.prune(conn, keep_days=0, now=now) == [3, 4, 5]
    assert _ids(store.list_runs(conn)) == [1]
    assert conn.execute("SELECT count(*) FROM hosts").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert store.prune(conn, keep_days=0, now=now) == []


def test_save_and_load_drift(conn: sqlite3.Connection, many: dict[str, int]) -> None:
    assert store.load_drift(conn, 4) is None
    document = {
        "drift": True,
        "changes": [{"kind": "check_fixed", "detail": "fixed: naïve ✓"}, {"kind": "x"}],
    }
    store.save_drift(conn, 4, 1, document)
    assert store.load_drift(conn, 4) == document
    row = conn.execute("SELECT base_run_id, change_count FROM drift_reports").fetchone()
    assert row == (1, 2)

    store.save_drift(conn, 4, 3, {"drift": False, "changes": []})  # a re-run replaces it
    assert store.load_drift(conn, 4) == {"drift": False, "changes": []}
    assert conn.execute("SELECT base_run_id, change_count FROM drift_reports").fetchall() == [
        (3, 0)
    ]
    stored_json = conn.execute("SELECT document_json FROM drift_reports").fetchone()[0]
    assert json.loads(stored_json) == {"drift": False, "changes": []}


def test_statuses_survive_as_their_values(conn: sqlite3.Connection, inventory: Path) -> None:
    skipped = check(id="win.only", fact="x", platforms=("windows",))
    run = evaluate_run(baseline(skipped), inventory, [reachable({})], "2026-11-05T10:00:00+00:00")
    stored = store.load_run(conn, _save(conn, run, inventory))
    assert [c.status for c in stored.hosts[0].checks] == [Status.SKIPPED.value]
