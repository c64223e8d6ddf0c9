"""`verify drift`: verify now, compare with the accepted snapshot, alert only on change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from verifier.cli.baseline_cmd import report_console
from verifier.cli.options import connection_options, db_option, debug_option, format_option
from verifier.cli.progress import CollectionProgress
from verifier.errors import EXIT_ALERT_FAILED, EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK
from verifier.history.db import HistoryError, open_db
from verifier.history.drift import Drift, compute, to_document
from verifier.history.inventory_id import inventory_key
from verifier.history.paths import resolve_db_path
from verifier.history.recorder import record
from verifier.history.store import accepted_run_id, load_run, save_drift
from verifier.models import HostStatus, RunResult
from verifier.notify import (
    Alert,
    NotifyConfig,
    all_delivered,
    default_config_path,
    deliver,
    load_config,
)
from verifier.pipeline import RunRequest, exit_code, run_baseline
from verifier.reporters import drift_report
from verifier.reporters.files import write_atomic
from verifier.runlock import hold, lock_path_for


@click.command("drift")
@click.option(
    "--inventory",
    "-i",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="The inventory whose accepted snapshot to compare with.",
)
@click.option(
    "--baseline",
    "-b",
    default=None,
    help="NAME[@VERSION] or a file (default: the one the snapshot was checked against).",
)
@connection_options
@db_option
@format_option("console", "json")
@click.option(
    "--output",
    "-o",
    default="drift.json",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the drift document ('-' to write none).",
)
@click.option(
    "--notify-config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Alert channels (default: $VERIFY_NOTIFY_CONFIG, else ~/.config/verify/notify.yml "
    "when it exists).",
)
@click.option("--no-notify", is_flag=True, help="Never send alerts, even when drift is found.")
@debug_option
def drift_command(
    inventory: Path,
    baseline: str | None,
    limit: str | None,
    forks: int,
    timeout: int,
    task_timeout: int,
    vault_password_file: Path | None,
    db: Path | None,
    output_format: str,
    output: Path,
    notify_config: Path | None,
    no_notify: bool,
) -> None:
    """Verify INVENTORY and report what changed since its accepted snapshot.

    Exit 0: no drift; 1: drift; 3: no drift, but some hosts could not be compared; 2/4 as for
    `verify baseline`; 5: another run holds the lock; 6: an alert could not be delivered.
    """
    db_path = resolve_db_path(db)
    conn = open_db(db_path)
    base_id = accepted_run_id(conn, inventory_key(inventory))
    if base_id is None:
        raise HistoryError(
            f"{inventory}: no accepted snapshot in {db_path}; run `verify baseline -i "
            f"{inventory} --accept` (or `verify accept RUN_ID`) first"
        )
    base = load_run(conn, base_id)
    notifier = None if no_notify else _load_notifier(notify_config)
    request = RunRequest(
        inventory=inventory,
        baseline=baseline or base.run.baseline_ref,
        limit=limit,
        forks=forks,
        connect_timeout=timeout,
        task_timeout=task_timeout,
        vault_password_file=vault_password_file,
    )
    with hold(lock_path_for(db_path, inventory)):
        with CollectionProgress(Console(stderr=True)) as progress:
            run = run_baseline(request, emit=progress)
        stored = record(conn, run, "drift", inventory, limit, exit_code(run))
    drift = compute(base, load_run(conn, stored.run_id))
    document = to_document(drift)
    save_drift(conn, stored.run_id, base_id, document)
    _report(drift, document, output_format, output)
    code = _exit_code(run, drift)
    if drift.found and notifier is not None and not notifier.send(drift, document, inventory):
        code = EXIT_ALERT_FAILED
    sys.exit(code)


def _exit_code(run: RunResult, drift: Drift) -> int:
    """1 drift; 3 no drift, but hosts that could not be compared (unreachable now, as in the
    snapshot); 0 no drift."""
    if run.interrupted:
        return 130
    if drift.found:
        return EXIT_FAIL
    if any(h.status is not HostStatus.REACHABLE for h in run.hosts):
        return EXIT_INCOMPLETE
    return EXIT_OK


def _report(drift: Drift, document: dict[str, object], output_format: str, output: Path) -> None:
    text = json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n"
    if str(output) != "-":
        write_atomic(text, output)
    if output_format == "json":
        sys.stdout.write(text)
        return
    drift_report.render(drift, report_console())
    if str(output) != "-":
        Console().print(f"Drift document: {output}", highlight=False, markup=False)


def _load_notifier(option: Path | None) -> _Notifier | None:
    path = option if option is not None else default_config_path()
    if option is None and not path.exists():
        return None  # alerts are optional; an explicit --notify-config must exist
    return _Notifier(load_config(path))


class _Notifier:
    def __init__(self, config: NotifyConfig) -> None:
        self._config = config

    def send(self, drift: Drift, document: dict[str, object], inventory: Path) -> bool:
        err = Console(stderr=True)
        alert = Alert(
            title=drift_report.title(drift, inventory.stem),
            text=drift_report.plain_text(drift),
            payload=document,
        )
        deliveries = deliver(
            alert,
            self._config,
            log=lambda line: err.print(line, highlight=False, markup=False),
        )
        for delivery in deliveries:
            state = "delivered" if delivery.ok else f"FAILED: {delivery.error}"
            err.print(
                f"alert {delivery.kind} {delivery.channel}: {state} "
                f"({delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''})",
                highlight=False,
                markup=False,
            )
        return all_delivered(deliveries)
