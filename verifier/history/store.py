"""Save runs to the history database and read them back; accept snapshots; prune.

Each run is written in one transaction at the end of the run: a run killed half-way leaves no
partial rows, and every earlier run stays as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from verifier import __version__
from verifier.history.db import HistoryError
from verifier.history.inventory_id import inventory_key, inventory_sha256
from verifier.history.records import RunRecord, StoredCheck, StoredHost, StoredRun
from verifier.history.redact import REDACTED, is_secret_key, redact_facts
from verifier.models import Check, CheckResult, HostResult, RunResult


@dataclass(frozen=True)
class RunContext:
    """What the history needs to know about a run beyond its RunResult."""

    command: str  # baseline | drift
    inventory: Path
    limit: str | None
    exit_code: int


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def save_run(conn: sqlite3.Connection, run: RunResult, context: RunContext) -> int:
    titles = {c.id: c.title for c in run.baseline.checks}
    secret_keys = {c.id: _secret_key(c) for c in run.baseline.checks}
    try:
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.execute(
            "INSERT INTO runs (command, started_at, finished_at, tool_version, baseline_name,"
            " baseline_version, baseline_sha256, inventory_path, inventory_key,"
            " inventory_sha256, limit_pattern, interrupted, exit_code, summary_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                context.command,
                run.started_at,
                run.finished_at,
                __version__,
                run.baseline.name,
                run.baseline.version,
                run.baseline.sha256,
                str(context.inventory),
                inventory_key(context.inventory),
                inventory_sha256(context.inventory),
                context.limit,
                int(run.interrupted),
                context.exit_code,
                _json(run.summary()),
            ),
        )
        run_id = int(cursor.lastrowid or 0)
        for host in run.hosts:
            _insert_host(conn, run_id, host, titles, secret_keys)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise HistoryError(f"cannot store the run in the history database: {exc}") from exc
    return run_id


def _secret_key(check: Check) -> str:
    """The part of the check's id or fact path that names a secret ('' when none does): the
    check's values are then redacted like the fact they come from."""
    parts = (check.id.rsplit(".", 1)[-1], *check.fact.split("."))
    return next((part for part in parts if is_secret_key(part)), "")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def _redacted_result(result: CheckResult, key: str) -> tuple[Any, Any, str]:
    """Expected, actual and message as stored: the message quotes the values, so a secret is
    cut out of it in each form it may be quoted in (as is, JSON-escaped, repr-escaped)."""
    if not is_secret_key(key):
        return result.expected, result.actual, result.message
    message = result.message
    for secret in sorted(_strings([result.expected, result.actual]), key=len, reverse=True):
        for form in (secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]):
            if form:
                message = message.replace(form, REDACTED)
    return redact_facts(result.expected, key), redact_facts(result.actual, key), message


def _insert_host(
    conn: sqlite3.Connection,
    run_id: int,
    host: HostResult,
    titles: Mapping[str, str],
    secret_keys: Mapping[str, str],
) -> None:
    facts = host.facts
    conn.execute(
        "INSERT INTO hosts (run_id, name, address, platform, device_class, status, message,"
        " collected_at, facts_json, probe_errors_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            host.host.name,
            host.host.address,
            host.host.platform.value,
            host.host.device_class,
            host.status.value,
            host.message,
            facts.collected_at if facts else None,
            _json(redact_facts(dict(facts.facts))) if facts else None,
            _json(dict(facts.probe_errors) if facts else {}),
        ),
    )
    rows = []
    for r in host.results:
        key = secret_keys.get(r.check_id, r.check_id.rsplit(".", 1)[-1])
        expected, actual, message = _redacted_result(r, key)
        rows.append(
            (
                run_id,
                host.host.name,
                r.check_id,
                r.status.value,
                r.severity.value,
                titles.get(r.check_id, ""),
                _json(expected),
                _json(actual),
                message,
            )
        )
    conn.executemany(
        "INSERT INTO check_results (run_id, host, check_id, status, severity, title,"
        " expected_json, actual_json, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


_RUN_COLUMNS = (
    "r.id, r.command, r.started_at, r.finished_at, r.tool_version, r.baseline_name,"
    " r.baseline_version, r.baseline_sha256, r.inventory_path, r.inventory_key,"
    " r.inventory_sha256, r.limit_pattern, r.interrupted, r.exit_code, r.summary_json,"
    " EXISTS (SELECT 1 FROM acceptances a WHERE a.run_id = r.id)"
)


def _record(row: tuple[Any, ...]) -> RunRecord:
    return RunRecord(
        id=row[0],
        command=row[1],
        started_at=row[2],
        finished_at=row[3],
        tool_version=row[4],
        baseline_name=row[5],
        baseline_version=row[6],
        baseline_sha256=row[7],
        inventory_path=row[8],
        inventory_key=row[9],
        inventory_sha256=row[10],
        limit_pattern=row[11],
        interrupted=bool(row[12]),
        exit_code=row[13],
        summary=json.loads(row[14]),
        accepted=bool(row[15]),
    )


def list_runs(
    conn: sqlite3.Connection,
    *,
    host: str | None = None,
    since: str | None = None,
    inventory: str | None = None,
    limit: int | None = None,
) -> list[RunRecord]:
    """Newest first. `since` is an ISO date or datetime; `host` an inventory host name."""
    where, params = [], []
    if host is not None:
        where.append("EXISTS (SELECT 1 FROM hosts h WHERE h.run_id = r.id AND h.name = ?)")
        params.append(host)
    if since is not None:
        where.append("r.started_at >= ?")
        params.append(_utc_iso(since))
    if inventory is not None:
        where.append("r.inventory_key = ?")
        params.append(inventory)
    sql = f"SELECT {_RUN_COLUMNS} FROM runs r"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY r.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_record(row) for row in conn.execute(sql, params)]


def _utc_iso(moment: str) -> str:
    """`moment` in the form runs are stored in (UTC, +00:00), so that text order is time order;
    a date or a time without an offset is UTC."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError as exc:
        raise HistoryError(f"{moment!r} is not an ISO date") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def load_record(conn: sqlite3.Connection, run_id: int) -> RunRecord:
    row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs r WHERE r.id = ?", (run_id,)).fetchone()
    if row is None:
        raise HistoryError(f"no run {run_id} in the history database")
    return _record(row)


def load_run(conn: sqlite3.Connection, run_id: int) -> StoredRun:
    record = load_record(conn, run_id)
    checks: dict[str, list[StoredCheck]] = {}
    for row in conn.execute(
        "SELECT host, check_id, status, severity, title, expected_json, actual_json, message"
        " FROM check_results WHERE run_id = ? ORDER BY rowid",
        (run_id,),
    ):
        checks.setdefault(row[0], []).append(
            StoredCheck(
                check_id=row[1],
                status=row[2],
                severity=row[3],
                title=row[4],
                expected=json.loads(row[5]),
                actual=json.loads(row[6]),
                message=row[7],
            )
        )
    hosts = tuple(
        StoredHost(
            name=row[0],
            address=row[1],
            platform=row[2],
            device_class=row[3],
            status=row[4],
            message=row[5],
            collected_at=row[6],
            facts=json.loads(row[7]) if row[7] is not None else None,
            probe_errors=json.loads(row[8]),
            checks=tuple(checks.get(row[0], ())),
        )
        for row in conn.execute(
            "SELECT name, address, platform, device_class, status, message, collected_at,"
            " facts_json, probe_errors_json FROM hosts WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
    )
    return StoredRun(record, hosts)


def accept(conn: sqlite3.Connection, run_id: int, now: str, note: str = "") -> RunRecord:
    """Make run `run_id` the approved snapshot of its inventory."""
    record = load_record(conn, run_id)
    if record.interrupted:
        raise HistoryError(f"run {run_id} was interrupted; accept a complete run")
    conn.execute(
        "INSERT INTO acceptances (inventory_key, run_id, accepted_at, note) VALUES (?, ?, ?, ?)",
        (record.inventory_key, run_id, now, note),
    )
    return load_record(conn, run_id)


def accepted_run_id(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute(
        "SELECT run_id FROM acceptances WHERE inventory_key = ? ORDER BY id DESC LIMIT 1", (key,)
    ).fetchone()
    return int(row[0]) if row else None


def save_drift(
    conn: sqlite3.Connection, run_id: int, base_run_id: int, document: Mapping[str, Any]
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO drift_reports (run_id, base_run_id, change_count, document_json)"
        " VALUES (?, ?, ?, ?)",
        (run_id, base_run_id, len(document.get("changes", ())), _json(document)),
    )


def load_drift(conn: sqlite3.Connection, run_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT document_json FROM drift_reports WHERE run_id = ?", (run_id,)
    ).fetchone()
    return dict(json.loads(row[0])) if row else None


def prune(conn: sqlite3.Connection, keep_days: int, now: datetime) -> list[int]:
    """Delete runs started more than `keep_days` ago, except accepted snapshots and the drift
    reports' base runs still in use. Returns the deleted run ids."""
    cutoff = (now - timedelta(days=keep_days)).isoformat(timespec="seconds")
    conn.execute("BEGIN IMMEDIATE")
    try:
        ids = [
            int(row[0])
            for row in conn.execute(
                "SELECT id FROM runs WHERE started_at < ?"
                " AND id NOT IN (SELECT run_id FROM acceptances)",
                (cutoff,),
            )
        ]
        conn.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in ids])
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise HistoryError(f"cannot prune the history database: {exc}") from exc
    if ids:
        conn.execute("VACUUM")
    return ids
