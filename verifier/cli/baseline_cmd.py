"""`verify baseline`: collect, check, report, exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from verifier.cli.options import debug_option, format_option
from verifier.cli.progress import CollectionProgress
from verifier.pipeline import RunRequest, exit_code, run_baseline
from verifier.reporters import console as console_report
from verifier.reporters import json_report


def report_console() -> Console:
    """Rich assumes 80 columns when stdout is not a terminal; a piped report should not wrap."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


@click.command("baseline")
@click.option(
    "--inventory",
    "-i",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="Any inventory Ansible accepts (YAML, INI, directory with group_vars/host_vars).",
)
@click.option(
    "--baseline",
    "-b",
    default=None,
    help="NAME[@VERSION] or a file (default: newest msp-standard).",
)
@click.option("--limit", "-l", default=None, help="Ansible host pattern to restrict the run.")
@click.option("--forks", "-f", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option(
    "--timeout",
    default=15,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds to wait for a connection to a host.",
)
@click.option(
    "--task-timeout",
    default=300,
    show_default=True,
    type=click.IntRange(1, 86400),
    help="Seconds the fact collection may run on one host.",
)
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
    "--vault-password-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="For inventories with vaulted variables.",
)
@debug_option
def baseline_command(
    inventory: Path,
    baseline: str | None,
    limit: str | None,
    forks: int,
    timeout: int,
    task_timeout: int,
    output_format: str,
    output: Path,
    vault_password_file: Path | None,
) -> None:
    """Verify every host of INVENTORY against a baseline."""
    request = RunRequest(
        inventory=inventory,
        baseline=baseline,
        limit=limit,
        forks=forks,
        connect_timeout=timeout,
        task_timeout=task_timeout,
        vault_password_file=vault_password_file,
    )
    err = Console(stderr=True)
    with CollectionProgress(err) as progress:
        run = run_baseline(request, emit=progress)
    if str(output) != "-":
        json_report.write(run, output)
    if output_format == "json":
        sys.stdout.write(json_report.dumps(run))
    else:
        console_report.render(run, report_console())
        if str(output) != "-":
            Console().print(f"JSON report: {output}", highlight=False, markup=False)
    sys.exit(exit_code(run) if not run.interrupted else 130)
