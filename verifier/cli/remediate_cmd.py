"""`verify remediate REPORT.json --output remediation.yml`: a playbook for what failed."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from verifier.cli.options import debug_option
from verifier.remediation.planner import Plan
from verifier.remediation.playbook_file import plan_from_report, write_playbook


def summary(plan: Plan, path: Path) -> str:
    tasks = sum(len(calls) for calls in plan.plays.values())
    hosts = len({h for p in plan.plays for h in plan.hosts(p)})
    return (
        f"Remediation playbook: {path} ({tasks} role tasks on {hosts} hosts, "
        f"{len(plan.manual)} manual actions listed in its header)"
    )


@click.command("remediate")
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    default="remediation.yml",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the playbook.",
)
@click.option(
    "--baseline",
    "-b",
    default=None,
    help="Use this baseline instead of the one the report names (NAME[@VERSION] or a file).",
)
@debug_option
def remediate_command(report: Path, output: Path, baseline: str | None) -> None:
    """Write a playbook that fixes exactly the failed checks of REPORT (a verify JSON report);
    checks without an automated fix are listed as manual actions in its header."""
    result = plan_from_report(report, baseline)
    write_playbook(result, output)
    Console().print(summary(result, output), highlight=False, markup=False, soft_wrap=True)
