"""`verify baselines list|show|validate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.baselines import loader
from verifier.cli.options import debug_option, format_option
from verifier.errors import BaselineError
from verifier.models import Baseline


@click.group("baselines")
def baselines_group() -> None:
    """List, show and validate baselines."""


@baselines_group.command("list")
@format_option("console", "json")
@debug_option
def list_command(output_format: str) -> None:
    """Baselines found on the search path (VERIFY_BASELINE_PATH, then the bundled ones)."""
    refs = loader.available(loader.search_dirs())
    if output_format == "json":
        rows = [{"name": r.name, "version": r.version, "path": str(r.path)} for r in refs]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("name", "version", "path")
    for ref in refs:
        table.add_row(Text(ref.name), Text(ref.version), Text(str(ref.path)))
    Console().print(table)


def describe(baseline: Baseline) -> dict[str, Any]:
    return {
        "name": baseline.name,
        "version": baseline.version,
        "sha256": baseline.sha256,
        "description": baseline.description,
        "sources": list(baseline.sources),
        "checks": [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity.value,
                "applies_to": {"platforms": list(c.platforms), "classes": list(c.classes)},
                "scope": c.scope,
                "fact": c.fact,
                "operator": c.operator,
                "expected": c.expected,
            }
            for c in baseline.checks
        ],
    }


@baselines_group.command("show")
@click.argument("spec")
@format_option("console", "json")
@debug_option
def show_command(spec: str, output_format: str) -> None:
    """The resolved baseline SPEC (NAME[@VERSION] or a file), 'extends' applied."""
    baseline = loader.load(spec)
    if output_format == "json":
        sys.stdout.write(json.dumps(describe(baseline), indent=2, default=str) + "\n")
        return
    console = Console()
    console.print(Text(f"{baseline.ref}  sha256 {baseline.sha256}", style="bold"))
    if baseline.description:
        console.print(Text(baseline.description))
    table = Table("id", "severity", "applies to", "title")
    for check in baseline.checks:
        scope = ",".join(check.platforms or ("all",)) + " / " + ",".join(check.classes or ("all",))
        table.add_row(Text(check.id), check.severity.value, Text(scope), Text(check.title))
    console.print(table)


@baselines_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@debug_option
def validate_command(file: Path) -> None:
    """Validate a baseline FILE (schema, operators, 'extends'); exit 2 with file:line if not."""
    if not file.is_file():
        raise BaselineError(f"{file}: baseline file not found")
    baseline = loader.load(str(file), extra_dirs=[file.resolve().parent.parent])
    click.echo(
        f"{file}: valid ({baseline.ref}, {len(baseline.checks)} checks, sha256 {baseline.sha256})"
    )
