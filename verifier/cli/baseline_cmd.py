"""`verify baseline`: collect, check, report, exit code."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from verifier.cli.options import connection_options, db_option, debug_option, format_option
from verifier.cli.progress import CollectionProgress
from verifier.cli.remediate_cmd import summary
from verifier.history.db import open_db
from verifier.history.paths import resolve_db_path
from verifier.history.recorder import record
from verifier.models import RunResult
from verifier.pipeline import RunRequest, exit_code, run_baseline, run_from_captures
from verifier.remediation.playbook_file import plan_from_run, write_playbook
from verifier.reporters import console as console_report
from verifier.reporters import json_report
from verifier.runlock import hold, lock_path_for


def report_console() -> Console:
    """Rich assumes 80 columns when stdout is not a terminal; a piped report should not wrap."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


@click.command("baseline")
@click.option(
    "--inventory",
    "-i",
    default=None,
    type=click.Path(path_type=Path, dir_okay=True),
    help="Any inventory Ansible accepts (YAML, INI, directory with group_vars/host_vars).",
)
@click.option(
    "--from-captures",
    "captures",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Evaluate saved network device outputs (verify collect) instead of connecting.",
)
@click.option(
    "--baseline",
    "-b",
    default=None,
    help="NAME[@VERSION] or a file (default: newest msp-standard).",
)
@connection_options
@format_option("console", "json")
@click.option(
    "--output",
    "-o",
    default="report.json",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the JSON report ('-' to write none).",
)
@click.option(
    "--remediation",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write a remediation playbook for the failed checks to this file.",
)
@db_option
@click.option("--no-history", is_flag=True, help="Do not store this run in the history database.")
@click.option(
    "--accept",
    "accept_run",
    is_flag=True,
    help="Store this run as the inventory's accepted snapshot (what `verify drift` compares to).",
)
@debug_option
def baseline_command(
    inventory: Path | None,
    captures: Path | None,
    baseline: str | None,
    limit: str | None,
    forks: int,
    timeout: int,
    task_timeout: int,
    output_format: str,
    output: Path,
    vault_password_file: Path | None,
    remediation: Path | None,
    db: Path | None,
    no_history: bool,
    accept_run: bool,
) -> None:
    """Verify every host of an inventory (or saved device outputs) against a baseline."""
    if (inventory is None) == (captures is None):
        raise click.UsageError("give exactly one of --inventory and --from-captures")
    if no_history and accept_run:
        raise click.UsageError("--accept stores the run: it cannot be used with --no-history")
    source = captures if captures is not None else inventory
    assert source is not None
    # Opened before connecting to anything: a bad --db is an input error, not a lost run.
    history = None
    lock: AbstractContextManager[None] = nullcontext()
    if not no_history:
        db_path = resolve_db_path(db)
        history = History(open_db(db_path), accept_run)
        # Two runs of one inventory (a nightly drift and an engineer's run) never interleave.
        lock = hold(lock_path_for(db_path, source))
    outputs = Outputs(output_format, output, remediation, history)
    err = Console(stderr=True)
    with lock:
        if captures is not None:
            with CollectionProgress(err) as progress:
                run = run_from_captures(captures, baseline, emit=progress)
            _report(run, outputs, captures, None)
        request = RunRequest(
            inventory=source,
            baseline=baseline,
            limit=limit,
            forks=forks,
            connect_timeout=timeout,
            task_timeout=task_timeout,
            vault_password_file=vault_password_file,
        )
        with CollectionProgress(err) as progress:
            run = run_baseline(request, emit=progress)
        _report(run, outputs, source, limit)


@dataclass(frozen=True)
class History:
    conn: sqlite3.Connection
    accept: bool


@dataclass(frozen=True)
class Outputs:
    output_format: str
    output: Path
    remediation: Path | None
    history: History | None


def _report(run: RunResult, outputs: Outputs, source: Path, limit: str | None) -> NoReturn:
    output_format, output, remediation = outputs.output_format, outputs.output, outputs.remediation
    if str(output) != "-":
        json_report.write(run, output)
    if output_format == "json":
        sys.stdout.write(json_report.dumps(run))
    else:
        console_report.render(run, report_console())
        if str(output) != "-":
            Console().print(f"JSON report: {output}", highlight=False, markup=False)
    if remediation is not None:
        plan = plan_from_run(run, str(output) if str(output) != "-" else "this run")
        write_playbook(plan, remediation)
        # On stderr with --format json, so stdout stays one JSON document.
        Console(stderr=output_format == "json").print(
            summary(plan, remediation), highlight=False, markup=False, soft_wrap=True
        )
    code = exit_code(run) if not run.interrupted else 130
    if outputs.history is not None:
        # An interrupted run is kept (nothing is lost) but never becomes the snapshot.
        accept = outputs.history.accept and not run.interrupted
        stored = record(outputs.history.conn, run, "baseline", source, limit, code, accept)
        note = " and accepted as the snapshot for `verify drift`" if stored.accepted else ""
        if outputs.history.accept and not accept:
            note = "; not accepted: the run was interrupted"
        Console(stderr=output_format == "json").print(
            f"History: stored as run {stored.run_id}{note}", highlight=False, markup=False
        )
    sys.exit(code)
