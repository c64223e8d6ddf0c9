"""`verify drift` against an accepted snapshot of the bundled localhost inventory: real runs
(about 7 s each), the snapshot edited in the database to stand for a changed machine."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from verifier.cli.main import main
from verifier.cli.options import DebugState

REPO = Path(__file__).resolve().parents[2]
INVENTORY = "inventories/localhost.yml"


@dataclass(frozen=True)
class Snapshot:
    db: Path
    report: dict[str, Any]


def _env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VERIFY_DB", "VERIFY_NOTIFY_CONFIG")}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    return env


def _verify_process(work: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verifier", *map(str, args)],
        cwd=REPO,
        env=_env(work),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    work = tmp_path_factory.mktemp("drift-cli")
    db, report = work / "h.db", work / "r.json"
    proc = _verify_process(work, "baseline", "-i", INVENTORY, "--db", db, "--accept", "-o", report)
    assert proc.returncode in (0, 1, 3), proc.stderr
    return Snapshot(db, json.loads(report.read_text(encoding="utf-8")))


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DebugState, "enabled", False)


def _copy(snapshot: Snapshot, tmp_path: Path) -> Path:
    path = tmp_path / "h.db"
    source, target = sqlite3.connect(snapshot.db), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


def verify(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
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


def test_drift_without_a_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    db = tmp_path / "h.db"
    code, _out, err = verify(
        capsys, "drift", "-i", INVENTORY, "--db", db, "-o", tmp_path / "d.json"
    )
    _one_line_error(
        code,
        err,
        f"verify: error: {INVENTORY}: no accepted snapshot in {db}; run "
        f"`verify baseline -i {INVENTORY} --accept` (or `verify accept RUN_ID`) first",
    )
    assert not (tmp_path / "d.json").exists()


def test_drift_needs_a_snapshot_of_this_inventory(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The accepted run belongs to inventories/localhost.yml, not to a copy of it elsewhere."""
    copy = tmp_path / "localhost.yml"
    copy.write_text((REPO / INVENTORY).read_text(encoding="utf-8"), encoding="utf-8")
    db = _copy(snapshot, tmp_path)
    code, _out, err = verify(capsys, "drift", "-i", copy, "--db", db, "-o", tmp_path / "d.json")
    _one_line_error(code, err, f"{copy}: no accepted snapshot in {db}")


@pytest.mark.parametrize("kind", ["directory", "not-sqlite"])
def test_drift_with_a_bad_db(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path
    if kind == "not-sqlite":
        db = tmp_path / "h.db"
        db.write_bytes(b"\x00garbage" * 512)
    code, _out, err = verify(capsys, "drift", "-i", REPO / INVENTORY, "--db", db)
    if kind == "directory":
        _one_line_error(code, err, "Invalid value for '--db'")
    else:
        _one_line_error(code, err, f"{db}: not a usable history database: file is not a database")


def test_no_change_is_no_drift(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out_file = _copy(snapshot, tmp_path), tmp_path / "drift.json"

    proc = _verify_process(
        tmp_path, "drift", "-i", INVENTORY, "--db", db, "--format", "json", "-o", out_file
    )

    # This machine is the host: something else changing it between the two runs (a package
    # installed, a service stopped) is real drift, and the message says which.
    changes = json.loads(proc.stdout)["changes"] if proc.stdout.startswith("{") else None
    assert proc.returncode == 0, f"{changes!r}\n{proc.stderr}"
    document = json.loads(proc.stdout)
    assert json.loads(out_file.read_text(encoding="utf-8")) == document
    assert document["drift"] is False and document["changes"] == [] and document["counts"] == {}
    assert document["notes"] == []
    assert document["accepted_run"]["id"] == 1 and document["run"]["id"] == 2
    assert document["accepted_run"]["baseline"] == document["run"]["baseline"]
    assert document["run"]["baseline"]["sha256"] == snapshot.report["baseline"]["sha256"]
    assert document["inventory"] == INVENTORY

    # The drift run is history too, with its drift document.
    code, out, err = verify(capsys, "history", "show", "2", "--db", db, "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["run"]["command"] == "drift" and shown["run"]["accepted"] is False
    assert shown["drift"] == document
    code, out, err = verify(capsys, "history", "list", "--db", db, "--format", "json")
    assert [(r["id"], r["command"], r["accepted"]) for r in json.loads(out)["runs"]] == [
        (2, "drift", False),
        (1, "baseline", True),
    ]


def _edit_snapshot(db: Path, report: dict[str, Any]) -> str:
    """Make the accepted run 1 differ from this machine: a check that passes now failed then,
    a host that is gone was there, and it was checked against another baseline revision."""
    [host] = report["hosts"]
    passing = sorted(c["id"] for c in host["checks"] if c["status"] == "pass")
    assert passing, "localhost passes no check at all"
    fixed = passing[0]
    conn = sqlite3.connect(db)
    with conn:
        changed = conn.execute(
            "UPDATE check_results SET status = 'fail' WHERE run_id = 1 AND check_id = ?", (fixed,)
        ).rowcount
        assert changed == 1
        conn.execute(
            "INSERT INTO hosts (run_id, name, address, platform, device_class, status, message,"
            " collected_at, facts_json, probe_errors_json) VALUES (1, 'ghost[red]', '10.9.9.9',"
            " 'linux', 'server', 'reachable', '', NULL, '{}', '{}')"
        )
        conn.execute("UPDATE runs SET baseline_sha256 = ? WHERE id = 1", ("f" * 64,))
    conn.close()
    return fixed


def test_changed_snapshot_is_drift(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out_file = _copy(snapshot, tmp_path), tmp_path / "drift.json"
    fixed = _edit_snapshot(db, snapshot.report)

    proc = _verify_process(tmp_path, "drift", "-i", INVENTORY, "--db", db, "-o", out_file)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert document["drift"] is True
    changes = {(c["kind"], c["host"], c["subject"]): c for c in document["changes"]}
    assert changes[("check_fixed", "localhost", fixed)]["before"] == "fail"
    assert changes[("check_fixed", "localhost", fixed)]["after"] == "pass"
    missing = changes[("host_missing", "ghost[red]", "")]
    assert (missing["severity"], missing["detail"]) == (
        "high",
        "host is no longer in the inventory",
    )
    assert document["counts"]["check_fixed"] >= 1 and document["counts"]["host_missing"] == 1
    sha = snapshot.report["baseline"]["sha256"]
    ref = f"{snapshot.report['baseline']['name']}@{snapshot.report['baseline']['version']}"
    assert document["notes"] == [
        f"baseline differs: snapshot {ref} (ffffffffffff), now {ref} ({sha[:12]})"
    ]

    text = " ".join(proc.stdout.split())
    assert "Changes since the accepted snapshot" in text
    assert "ghost[red]" in text and "host_missing" in text and "check_fixed" in text
    assert f"note: baseline differs: snapshot {ref}" in text
    assert f"Drift: {len(document['changes'])} change" in text
    assert f"Drift document: {out_file}" in text

    code, out, err = verify(capsys, "history", "show", "2", "--db", db)
    assert code == 0, err
    assert f"Drift against run 1: {len(document['changes'])} changes" in out
    assert "[high] ghost[red]: host_missing: host is no longer in the inventory" in out
