"""`verify history list|show|prune`, `verify accept`, and the history options of `verify
baseline` (--db, --no-history, --accept), over one real run of the bundled localhost inventory."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import baseline, check, reachable
from verifier.cli.main import main
from verifier.cli.options import DebugState
from verifier.history import store
from verifier.history.db import open_db
from verifier.history.store import RunContext
from verifier.pipeline import evaluate_run

REPO = Path(__file__).resolve().parents[2]
LOCALHOST = REPO / "inventories" / "localhost.yml"
CAPTURE = REPO / "tests" / "fixtures" / "network" / "cisco_ios" / "iosxe17_12_cat9300"


@dataclass(frozen=True)
class Recorded:
    db: Path
    report: dict[str, Any]
    exit_code: int


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """One real `verify baseline --accept` of localhost into a fresh database (about 7 s)."""
    work = tmp_path_factory.mktemp("history-cli")
    env = {k: v for k, v in os.environ.items() if k not in ("VERIFY_DB", "VERIFY_NOTIFY_CONFIG")}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    db, report = work / "h.db", work / "r.json"
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "verifier", "baseline", "-i", "inventories/localhost.yml"),
            *("--db", str(db), "--accept", "-o", str(report)),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert "History: stored as run 1 and accepted as the snapshot" in proc.stdout
    return Recorded(db, json.loads(report.read_text(encoding="utf-8")), proc.returncode)


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DebugState, "enabled", False)


def verify(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run the CLI in this process: (exit code, stdout, stderr)."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(code: int, err: str, message: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err


def _copy(recorded: Recorded, tmp_path: Path) -> Path:
    """This test's own copy of the recorded database."""
    path = tmp_path / "h.db"
    source, target = sqlite3.connect(recorded.db), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


def _add_runs(db: Path, tmp_path: Path) -> Path:
    """Runs 2 and 3: another inventory (host web9), started in 2020."""
    other = tmp_path / "other.yml"
    other.write_text("all:\n  hosts:\n    web9: {}\n", encoding="utf-8")
    conn = open_db(db)
    for started in ("2020-01-01T08:00:00+00:00", "2020-06-01T08:00:00+00:00"):
        run = evaluate_run(
            baseline(check(expected=False)), other, [reachable({"a": {"b": True}}, "web9")], started
        )
        store.save_run(
            conn, replace(run, finished_at=started), RunContext("baseline", other, None, 1)
        )
    conn.close()
    return other


def _localhost_checks(report: dict[str, Any]) -> dict[str, str]:
    [host] = report["hosts"]
    assert host["name"] == "localhost"
    return {c["id"]: c["status"] for c in host["checks"]}


def test_list_json(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "history", "list", "--db", recorded.db, "--format", "json")

    assert code == 0, err
    [run] = json.loads(out)["runs"]
    assert run["id"] == 1 and run["command"] == "baseline" and run["accepted"] is True
    assert run["inventory_path"] == "inventories/localhost.yml"
    assert run["inventory_key"] == str(LOCALHOST.resolve())
    assert run["baseline_name"] == recorded.report["baseline"]["name"]
    assert run["baseline_version"] == recorded.report["baseline"]["version"]
    assert run["baseline_sha256"] == recorded.report["baseline"]["sha256"]
    assert run["summary"] == recorded.report["summary"]
    assert run["started_at"] == recorded.report["started_at"]
    assert run["exit_code"] == recorded.exit_code
    assert run["interrupted"] is False and run["limit_pattern"] is None


def test_list_console(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "history", "list", "--db", recorded.db)

    assert code == 0, err
    assert f"Runs in {recorded.db}" in out
    baseline_ref = f"{recorded.report['baseline']['name']}@{recorded.report['baseline']['version']}"
    [row] = [line for line in out.splitlines() if "1 (accepted)" in line]
    assert baseline_ref in row and "inventories/localhost.yml" in row
    assert f" {recorded.report['summary']['fail']} " in row


def test_list_filters(
    recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(recorded, tmp_path)
    other = _add_runs(db, tmp_path)

    def ids(*args: object) -> list[int]:
        code, out, err = verify(capsys, "history", "list", "--db", db, "--format", "json", *args)
        assert code == 0, err
        return [r["id"] for r in json.loads(out)["runs"]]

    assert ids() == [3, 2, 1]
    assert ids("--host", "localhost") == [1]
    assert ids("--host", "web9") == [3, 2]
    assert ids("--inventory", LOCALHOST) == [1]
    assert ids("-i", other) == [3, 2]
    assert ids("--since", "2020-03-01") == [3, 1]
    assert ids("--since", "20200301") == [3, 1]  # basic ISO format, accepted by --since
    assert ids("--since", "2020-06-01T10:00:00+02:00") == [3, 1]  # 08:00 UTC: inclusive
    assert ids("--since", "2020-06-01T10:00:01+02:00") == [1]
    assert ids("-n", "2") == [3, 2]
    assert ids("--host", "web9", "--limit", "1") == [3]


def test_list_rejects_a_bad_date(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = verify(capsys, "history", "list", "--db", recorded.db, "--since", "notadate")
    _one_line_error(code, err, "Invalid value for --since: 'notadate' is not an ISO date")


def test_show_json(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "history", "show", "1", "--db", recorded.db, "--format", "json")

    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"run", "hosts", "drift"}
    assert document["run"]["id"] == 1 and document["run"]["accepted"] is True
    assert document["drift"] is None
    [host] = document["hosts"]
    assert (host["name"], host["platform"], host["device_class"], host["status"]) == (
        "localhost",
        "linux",
        "server",
        "reachable",
    )
    assert isinstance(host["facts"], dict) and "os" in host["facts"]
    stored = {c["check_id"]: c["status"] for c in host["checks"]}
    assert stored == _localhost_checks(recorded.report)
    assert {"severity", "title", "expected", "actual", "message"} <= set(host["checks"][0])


def test_show_console(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "history", "show", "1", "--db", recorded.db)

    assert code == 0, err
    words = " ".join(out.split())  # the first line wraps at the console's width
    assert words.startswith("Run 1: verify baseline of inventories/localhost.yml against ")
    assert f"exit {recorded.exit_code}, accepted snapshot Hosts" in words
    assert "localhost" in out and "Hosts" in out
    failing = [i for i, s in _localhost_checks(recorded.report).items() if s == "fail"]
    assert ("Failed checks" in out) == bool(failing)
    assert all(check_id in out for check_id in failing)


def test_show_unknown_run(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = verify(capsys, "history", "show", "99", "--db", recorded.db)
    _one_line_error(code, err, "verify: error: no run 99 in the history database")


def test_prune(recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _copy(recorded, tmp_path)
    _add_runs(db, tmp_path)

    code, out, err = verify(capsys, "history", "prune", "--keep-days", "36500", "--db", db)
    assert (code, out) == (0, "pruned 0 runs older than 36500 days (accepted snapshots kept)\n")

    code, out, err = verify(capsys, "history", "prune", "--keep-days", "0", "--db", db)
    assert code == 0, err
    assert out == "pruned 2 runs older than 0 days (accepted snapshots kept)\n"
    conn = open_db(db)
    assert [r.id for r in store.list_runs(conn)] == [1]  # the accepted run, though older
    assert conn.execute("SELECT count(*) FROM hosts").fetchone()[0] == 1

    code, _out, err = verify(capsys, "history", "prune", "--db", db)
    _one_line_error(code, err, "Missing option '--keep-days'")


def test_accept(recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _copy(recorded, tmp_path)
    other = _add_runs(db, tmp_path)

    code, out, err = verify(capsys, "accept", "2", "--db", db, "--note", "signed off by Ann")

    assert code == 0, err
    assert out == (
        f"run 2 (2020-01-01T08:00:00+00:00, test@1.0.0, 1 failing checks) "
        f"is now the accepted snapshot of {other}\n"
    )
    conn = open_db(db)
    assert store.accepted_run_id(conn, str(other.resolve())) == 2
    assert store.accepted_run_id(conn, str(LOCALHOST.resolve())) == 1  # per inventory
    assert conn.execute("SELECT note FROM acceptances WHERE run_id = 2").fetchone()[0] == (
        "signed off by Ann"
    )


def test_accept_unknown_run(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = verify(capsys, "accept", "42", "--db", recorded.db)
    _one_line_error(code, err, "verify: error: no run 42 in the history database")


def test_no_history_with_accept_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = verify(
        capsys, "baseline", "-i", LOCALHOST, "--no-history", "--accept", "--db", tmp_path / "h.db"
    )
    _one_line_error(code, err, "--accept stores the run: it cannot be used with --no-history")
    assert not (tmp_path / "h.db").exists()


def _captures(tmp_path: Path) -> Path:
    root = tmp_path / "captures"
    shutil.copytree(CAPTURE, root / "core-sw-01")
    return root


def test_baseline_stores_in_the_default_database_unless_no_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Saved device outputs: a real run of the pipeline without connecting to anything."""
    default_db = Path(os.environ["XDG_DATA_HOME"]) / "verify" / "history.sqlite3"
    captures = _captures(tmp_path)

    code, out, err = verify(
        capsys, "baseline", "--from-captures", captures, "--no-history", "-o", tmp_path / "a.json"
    )
    assert code in (0, 1, 3), err
    assert "History:" not in out + err
    assert not default_db.parent.exists()

    code, out, err = verify(
        capsys, "baseline", "--from-captures", captures, "-o", tmp_path / "b.json"
    )
    assert code in (0, 1, 3), err
    assert "History: stored as run 1\n" in out
    assert default_db.is_file()
    stored_code = code
    code, out, err = verify(capsys, "history", "list", "--format", "json")
    [run] = json.loads(out)["runs"]
    assert run["inventory_key"] == str(captures.resolve()) and run["accepted"] is False
    assert run["exit_code"] == stored_code
    assert run["summary"] == json.loads((tmp_path / "b.json").read_text("utf-8"))["summary"]


@pytest.mark.parametrize("command", [["history", "list"], ["baseline", "-i", str(LOCALHOST)]])
def test_db_that_is_a_directory(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = verify(capsys, *command, "--db", tmp_path)
    _one_line_error(code, err, "Invalid value for '--db'")
    assert "is a directory" in err


@pytest.mark.parametrize("command", [["history", "list"], ["baseline", "-i", str(LOCALHOST)]])
def test_db_that_is_not_sqlite(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("meeting notes\n" * 100, encoding="utf-8")
    code, _out, err = verify(capsys, *command, "--db", bad)
    _one_line_error(
        code, err, f"verify: error: {bad}: not a usable history database: file is not a database"
    )
    assert bad.read_text(encoding="utf-8") == "meeting notes\n" * 100


def test_db_of_another_program_via_the_installed_command(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    proc = subprocess.run(
        [sys.executable, "-m", "verifier", "history", "list", "--db", str(other)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"verify: error: {other}: not a verify history database\n"
    assert proc.stdout == ""
