"""`verify remediate REPORT.json --output remediation.yml`: a playbook for what failed."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.cli.options import connection_options, debug_option
from verifier.cli.progress import CollectionProgress
from verifier.errors import EXIT_FAIL, EXIT_OK
from verifier.pipeline import RunRequest
from verifier.remediation.apply import apply
from verifier.remediation.planner import Plan
from verifier.remediation.playbook_file import plan_from_report, write_playbook


def summary(plan: Plan, path: Path) -> str:
    tasks = sum(len(calls) for calls in plan.plays.values())
    hosts = len({h for p in plan.plays for h in plan.hosts(p)})
    return (
        f"Remediation playbook: {path} ({tasks} role tasks on {hosts} hosts, "
        f"{len(plan.manual)} manual actions listed in its header)"
    )


class _PlanByDefault(click.Group):
    """`verify remediate REPORT.json` plans; `verify remediate apply PLAYBOOK` applies."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["plan", *args]
        return super().parse_args(ctx, args)


@click.group("remediate", cls=_PlanByDefault)
def remediate_group() -> None:
    """Write a remediation playbook from a report (`verify remediate REPORT.json`), or apply
    one and re-verify (`verify remediate apply PLAYBOOK -i INVENTORY`)."""


@remediate_group.command("plan")
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
def plan_command(report: Path, output: Path, baseline: str | None) -> None:
    """Write a playbook that fixes exactly the failed checks of REPORT (a verify JSON report);
    checks without an automated fix are listed as manual actions in its header."""
    result = plan_from_report(report, baseline)
    write_playbook(result, output)
    Console().print(summary(result, output), highlight=False, markup=False, soft_wrap=True)


@remediate_group.command("apply")
@click.argument("playbook", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--inventory",
    "-i",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="The inventory the playbook is applied with (and the hosts re-verified from).",
)
@click.option(
    "--check", "check_mode", is_flag=True, help="Show what would change (--check --diff)."
)
@click.option(
    "--tags", default=None, help="Only these Ansible tags (check ids, severities, flags)."
)
@click.option("--skip-tags", default=None, help="Skip these Ansible tags, e.g. reboot.")
@connection_options
@debug_option
def apply_command(
    playbook: Path,
    inventory: Path,
    check_mode: bool,
    tags: str | None,
    skip_tags: str | None,
    limit: str | None,
    forks: int,
    timeout: int,
    task_timeout: int,
    vault_password_file: Path | None,
) -> None:
    """Verify the playbook's hosts, apply PLAYBOOK with ansible-runner, verify them again and
    show each previously failed check before and after."""
    request = RunRequest(
        inventory=inventory,
        limit=limit,
        forks=forks,
        connect_timeout=timeout,
        task_timeout=task_timeout,
        vault_password_file=vault_password_file,
    )
    err = Console(stderr=True)
    with CollectionProgress(err) as progress:
        result = apply(
            playbook, request, check_mode=check_mode, emit=progress, tags=tags, skip_tags=skip_tags
        )
    console = Console()
    outcome = result.outcome
    console.print(
        f"ansible-playbook: {outcome.status} (rc={outcome.rc})"
        + (f"; failed on: {', '.join(outcome.failed_hosts)}" if outcome.failed_hosts else ""),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if check_mode:
        console.print("Check mode: nothing was changed; no re-verification.", highlight=False)
        sys.exit(EXIT_OK if outcome.status == "successful" else EXIT_FAIL)
    table = Table(title="Before and after", show_lines=False)
    for column in ("host", "check", "before", "after"):
        table.add_column(column)
    for change in result.changes:
        table.add_row(
            Text(change.host), Text(change.check_id), Text(change.before), Text(change.after)
        )
    console.print(table)
    fixed = len(result.changes) - len(result.still_failing)
    console.print(f"{fixed} of {len(result.changes)} failed checks now pass.", highlight=False)
    if outcome.status != "successful" or result.still_failing:
        sys.exit(EXIT_FAIL)
    sys.exit(EXIT_OK)
