"""`verify schedule install|list|remove`: nightly `verify drift` runs via systemd or cron."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier import schedule
from verifier.cli.options import debug_option, format_option
from verifier.errors import InputError
from verifier.history.paths import resolve_db_path
from verifier.notify import default_config_path
from verifier.schedule.jobs import Schedule, check_env_file


def _where_options(func: click.decorators.FC) -> click.decorators.FC:
    decorators = [
        click.option(
            "--backend",
            type=click.Choice(schedule.BACKENDS),
            default="auto",
            show_default=True,
            help="systemd timers, or cron; auto: systemd when it runs this machine.",
        ),
        click.option(
            "--unit-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Directory for the systemd units "
            "[default: /etc/systemd/system as root, else ~/.config/systemd/user].",
        ),
        click.option(
            "--cron-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="A cron.d-style directory for the cron line "
            "[default: /etc/cron.d as root, else your crontab].",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group("schedule")
def schedule_group() -> None:
    """Run `verify drift` on a schedule (systemd timer, or cron without systemd)."""


@schedule_group.command("install")
@click.option(
    "--inventory",
    "-i",
    required=True,
    type=click.Path(path_type=Path),
    help="The client's Ansible inventory.",
)
@click.option("--at", "at", default=None, metavar="HH:MM", help="Run daily at this local time.")
@click.option(
    "--on-calendar",
    default=None,
    metavar="EXPR",
    help="A systemd OnCalendar expression instead of --at (systemd only).",
)
@click.option("--name", default=None, help="Job name [default: from the inventory file name].")
@click.option("--baseline", "-b", default=None, help="NAME[@VERSION] or a baseline file.")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="History database [default: $VERIFY_DB, else the XDG data directory].",
)
@click.option(
    "--notify-config",
    "--notify",
    "notify_config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Alert config file (notify.yml) for the drift run "
    "[default: the one `verify drift` would use now, if it exists].",
)
@click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="KEY=value file with the secrets the alerts need; named in the job, never copied.",
)
@_where_options
@click.option("--replace", is_flag=True, help="Overwrite a job of the same name.")
@click.option(
    "--no-enable",
    is_flag=True,
    help="systemd: write the units but do not daemon-reload/enable them.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; change nothing.")
@debug_option
def install_command(
    inventory: Path,
    at: str | None,
    on_calendar: str | None,
    name: str | None,
    baseline: str | None,
    db: Path | None,
    notify_config: Path | None,
    env_file: Path | None,
    backend: str,
    unit_dir: Path | None,
    cron_dir: Path | None,
    replace: bool,
    no_enable: bool,
    dry_run: bool,
) -> None:
    """Schedule `verify drift --inventory INVENTORY` daily --at HH:MM (or --on-calendar)."""
    if (at is None) == (on_calendar is None):
        raise InputError("give exactly one of --at HH:MM and --on-calendar EXPR")
    when = Schedule.daily_at(at) if at is not None else Schedule.calendar(str(on_calendar))
    if notify_config is None and default_config_path().is_file():
        # Pin what `verify drift` would pick now: the job's environment may not have
        # $VERIFY_NOTIFY_CONFIG or $XDG_CONFIG_HOME.
        notify_config = default_config_path()
    job = schedule.build_job(
        inventory=inventory,
        schedule=when,
        db=resolve_db_path(db),
        name=name,
        baseline=baseline,
        notify_config=notify_config,
        env_file=env_file,
    )
    if job.env_file:
        for warning in check_env_file(job.env_file):
            click.echo(f"verify: warning: {warning}", err=True)
    where = schedule.Where.resolve(backend, unit_dir=unit_dir, cron_dir=cron_dir)
    if dry_run:
        for i, (heading, text) in enumerate(schedule.plan(job, where)):
            if i:
                click.echo()
            click.echo(f"==> {heading} <==")
            click.echo(text, nl=False)
        return
    notes = schedule.install(job, where, enable=not no_enable, replace=replace)
    click.echo(
        f"scheduled '{job.name}' ({when.label}, {where.backend}): "
        f"verify drift --inventory {job.inventory}, report {job.output}"
    )
    for note in notes:
        click.echo(f"  {note}")


@schedule_group.command("list")
@format_option("console", "json")
@_where_options
@debug_option
def list_command(
    output_format: str, backend: str, unit_dir: Path | None, cron_dir: Path | None
) -> None:
    """Scheduled drift checks on this machine (for the current user)."""
    where = schedule.Where.resolve(backend, unit_dir=unit_dir, cron_dir=cron_dir, for_listing=True)
    jobs = schedule.list_all(where)
    if output_format == "json":
        sys.stdout.write(json.dumps([j.as_dict() for j in jobs], indent=2) + "\n")
        return
    if not jobs:
        click.echo("no scheduled jobs")
        return
    table = Table("name", "backend", "schedule", "inventory", "next run", "location")
    for job in jobs:
        table.add_row(
            Text(job.name),
            Text(job.backend),
            Text(job.schedule),
            Text(job.inventory or "?"),
            Text(job.next_run or "-"),
            Text(job.location),
        )
    Console().print(table)


@schedule_group.command("remove")
@click.argument("name")
@_where_options
@click.option(
    "--no-disable",
    is_flag=True,
    help="systemd: delete the units without `systemctl disable --now` first.",
)
@debug_option
def remove_command(
    name: str, backend: str, unit_dir: Path | None, cron_dir: Path | None, no_disable: bool
) -> None:
    """Stop and delete the scheduled job NAME (a run in progress finishes)."""
    where = schedule.Where.resolve(backend, unit_dir=unit_dir, cron_dir=cron_dir, for_listing=True)
    for what in schedule.remove(name, where, disable=not no_disable):
        click.echo(f"removed {what}")
