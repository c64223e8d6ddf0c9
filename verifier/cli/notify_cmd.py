"""`verify notify test`: send a test alert to every configured channel."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from verifier import __version__
from verifier.cli.options import debug_option
from verifier.errors import EXIT_FAIL, EXIT_OK
from verifier.notify import Alert, Delivery, default_config_path, deliver, load_config

F = TypeVar("F", bound=Callable[..., Any])


def notify_config_option(func: F) -> F:
    """--notify-config FILE, for every command that sends alerts."""
    return click.option(
        "--notify-config",
        "notify_config",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Alert config (default: $VERIFY_NOTIFY_CONFIG, else ~/.config/verify/notify.yml).",
    )(func)


def sample_alert(now: datetime | None = None) -> Alert:
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    host = socket.gethostname()
    return Alert(
        title=f"verify: test alert from {host}",
        text=(
            "This is a test of verify's drift alerts; nothing needs doing.\n"
            f"Sent by 'verify notify test' on {host} at {when.isoformat()}.\n"
            "Real alerts are sent only when a nightly drift check finds changes."
        ),
        payload={
            "test": True,
            "sent_by": "verify notify test",
            "host": host,
            "generated_at": when.isoformat(),
            "verify_version": __version__,
        },
    )


def describe(delivery: Delivery) -> str:
    """One line per channel: `ok` or `failed: reason`."""
    where = f"{delivery.kind} {delivery.channel}"
    if delivery.ok:
        tries = f" (after {delivery.attempts} attempts)" if delivery.attempts > 1 else ""
        return f"{where}: ok{tries}"
    if delivery.attempts > 1:
        return f"{where}: failed after {delivery.attempts} attempts: {delivery.error}"
    return f"{where}: failed: {delivery.error}"


def _log(message: str) -> None:
    click.echo(f"verify: {message}", err=True)


@click.group("notify")
def notify_group() -> None:
    """Alert channels for drift checks (see docs/alerts.md)."""


@notify_group.command("test")
@notify_config_option
@click.option("--quiet", "-q", is_flag=True, help="Do not log each attempt on stderr.")
@debug_option
def notify_test_command(notify_config: Path | None, quiet: bool) -> None:
    """Send a test alert to every configured channel; exit 0 if all got it, 1 if not."""
    path = notify_config if notify_config is not None else default_config_path()
    config = load_config(path)
    deliveries = deliver(sample_alert(), config, log=(lambda _m: None) if quiet else _log)
    for delivery in deliveries:
        click.echo(describe(delivery))
    sys.exit(EXIT_OK if all(d.ok for d in deliveries) else EXIT_FAIL)
