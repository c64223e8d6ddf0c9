"""`verify collect`: save network devices' command outputs (redacted) for offline evaluation."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from verifier.cli.options import connection_options, debug_option
from verifier.cli.progress import CollectionProgress
from verifier.errors import EXIT_INCOMPLETE, EXIT_OK
from verifier.models import HostStatus
from verifier.pipeline import RunRequest, capture_network


@click.command("collect")
@click.option(
    "--inventory",
    "-i",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="Any inventory Ansible accepts; its network devices are collected.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the captures: one folder per device, one file per command.",
)
@connection_options
@debug_option
def collect_command(
    inventory: Path,
    out: Path,
    limit: str | None,
    forks: int,
    timeout: int,
    task_timeout: int,
    vault_password_file: Path | None,
) -> None:
    """Save the read-only command outputs of every network device (secrets redacted), so
    `verify baseline --from-captures OUT` can evaluate them later without credentials."""
    request = RunRequest(
        inventory=inventory,
        limit=limit,
        forks=forks,
        connect_timeout=timeout,
        task_timeout=task_timeout,
        vault_password_file=vault_password_file,
        capture_dir=out,
    )
    with CollectionProgress(Console(stderr=True)) as progress:
        collections, interrupted = capture_network(request, emit=progress)
    console = Console(width=160) if not Console().is_terminal else Console()
    for collection in collections:
        if collection.status is HostStatus.REACHABLE:
            line = f"{'captured':<12}{collection.host.name}"
        else:
            line = f"{collection.status.value:<12}{collection.host.name}: {collection.message}"
        console.print(line, highlight=False, markup=False)
    console.print(f"Captures: {out}", highlight=False, markup=False)
    if interrupted:
        sys.exit(130)
    complete = all(c.status is HostStatus.REACHABLE for c in collections)
    sys.exit(EXIT_OK if complete else EXIT_INCOMPLETE)
