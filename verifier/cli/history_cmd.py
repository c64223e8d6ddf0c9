"""`verify history list|show|prune` and `verify accept`: read and curate the run history."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.cli.baseline_cmd import report_console
from verifier.cli.options import db_option, debug_option, format_option
from verifier.history.db import open_db
from verifier.history.inventory_id import inventory_key
from verifier.history.paths import resolve_db_path
from verifier.history.records import RunRecord, StoredRun
from verifier.history.store import accept, list_runs, load_drift, load_run, prune
from verifier.pipeline import utc_now


def _json_out(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n")


def _record_document(record: RunRecord) -> dict[str, Any]:
    document = asdict(record)
    document["summary"] = dict(record.summary)
    return document


@click.group("history")
def history_group() -> None:
    """Stored runs: list them, show one, prune old ones."""


@history_group.command("list")
@click.option("--host", default=None, help="Only runs that include this inventory host.")
@click.option(
    "--since", default=None, help="Only runs started on or after this ISO date (2026-11-01)."
)
@click.option(
    "--inventory",
    "-i",
    type=click.Path(path_type=Path),
    default=None,
    help="Only runs of this inventory.",
)
@click.option("--limit", "-n", "count", type=click.IntRange(1), default=None, help="At most N.")
@db_option
@format_option("console", "json")
@debug_option
def list_command(
    host: str | None,
    since: str | None,
    inventory: Path | None,
    count: int | None,
    db: Path | None,
    output_format: str,
) -> None:
    """Stored runs, newest first."""
    if since is not None:
        _check_date(since)
    conn = open_db(resolve_db_path(db))
    key = inventory_key(inventory) if inventory is not None else None
    records = list_runs(conn, host=host, since=since, inventory=key, limit=count)
    if output_format == "json":
        _json_out({"runs": [_record_document(r) for r in records]})
        return
    table = Table(title=f"Runs in {resolve_db_path(db)}", title_justify="left")
    for name in ("run", "started", "command", "baseline", "inventory", "hosts", "fail", "exit"):
        table.add_column(name)
    for r in records:
        mark = " (accepted)" if r.accepted else ""
        table.add_row(
            f"{r.id}{mark}",
            r.started_at,
            r.command + (" interrupted" if r.interrupted else ""),
            r.baseline_ref,
            Text(r.inventory_path),
            str(r.summary.get("hosts", 0)),
            str(r.summary.get("fail", 0)),
            str(r.exit_code),
        )
    report_console().print(table)


def _check_date(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date", param_hint="--since") from exc


@history_group.command("show")
@click.argument("run_id", type=int)
@db_option
@format_option("console", "json")
@debug_option
def show_command(run_id: int, db: Path | None, output_format: str) -> None:
    """One stored run: metadata, hosts, failed checks, and its drift if it was a drift run."""
    conn = open_db(resolve_db_path(db))
    stored = load_run(conn, run_id)
    drift = load_drift(conn, run_id)
    if output_format == "json":
        _json_out(_run_document(stored, drift))
        return
    _render_run(stored, drift, report_console())


def _run_document(stored: StoredRun, drift: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "run": _record_document(stored.run),
        "hosts": [{**asdict(h), "checks": [asdict(c) for c in h.checks]} for h in stored.hosts],
        "drift": drift,
    }


def _render_run(stored: StoredRun, drift: dict[str, Any] | None, console: Console) -> None:
    r = stored.run
    console.print(
        Text(
            f"Run {r.id}: verify {r.command} of {r.inventory_path} against {r.baseline_ref} "
            f"(sha256 {r.baseline_sha256[:12]}), {r.started_at} to {r.finished_at}, "
            f"exit {r.exit_code}{', accepted snapshot' if r.accepted else ''}"
        )
    )
    table = Table(title="Hosts", title_justify="left")
    for name in ("host", "platform", "class", "status", "pass", "fail", "unknown", "error"):
        table.add_column(name)
    for h in stored.hosts:
        counts = {
            s: sum(1 for c in h.checks if c.status == s)
            for s in ("pass", "fail", "unknown", "error")
        }
        table.add_row(
            Text(h.name),
            h.platform,
            h.device_class,
            Text(h.status),
            *(str(counts[s]) for s in ("pass", "fail", "unknown", "error")),
        )
    console.print(table)
    failed = [(h.name, c) for h in stored.hosts for c in h.checks if c.status == "fail"]
    if failed:
        fails = Table(title="Failed checks", title_justify="left")
        for name in ("host", "check", "severity", "found"):
            fails.add_column(name)
        for host, c in failed:
            found = json.dumps(c.actual, default=str, ensure_ascii=False)[:100]
            fails.add_row(Text(host), c.check_id, c.severity, Text(found))
        console.print(fails)
    if drift is not None:
        console.print(
            Text(
                f"Drift against run {drift['accepted_run']['id']}: {len(drift['changes'])} changes"
            )
        )
        for change in drift["changes"]:
            console.print(
                Text(
                    f"  [{change['severity']}] {change['host']}: {change['kind']}: "
                    f"{change['detail']}"
                )
            )


@history_group.command("prune")
@click.option("--keep-days", type=click.IntRange(0), required=True, help="Keep runs this recent.")
@db_option
@debug_option
def prune_command(keep_days: int, db: Path | None) -> None:
    """Delete runs older than --keep-days; accepted snapshots are always kept."""
    conn = open_db(resolve_db_path(db))
    deleted = prune(conn, keep_days, datetime.now(UTC))
    click.echo(
        f"pruned {len(deleted)} run{'s' if len(deleted) != 1 else ''} "
        f"older than {keep_days} days (accepted snapshots kept)"
    )


@click.command("accept")
@click.argument("run_id", type=int)
@click.option("--note", default="", help="Why this state is accepted (kept in the history).")
@db_option
@debug_option
def accept_command(run_id: int, note: str, db: Path | None) -> None:
    """Make stored run RUN_ID the accepted snapshot of its inventory for `verify drift`."""
    conn = open_db(resolve_db_path(db))
    record = accept(conn, run_id, utc_now(), note)
    fails = record.summary.get("fail", 0)
    click.echo(
        f"run {record.id} ({record.started_at}, {record.baseline_ref}, {fails} failing checks) "
        f"is now the accepted snapshot of {record.inventory_path}"
    )
