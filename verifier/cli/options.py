"""Options shared by several commands, and the debug switch main() reads on error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class DebugState:
    """Set by --debug on any command; main() decides from it whether to show tracebacks."""

    enabled = False


def _set_debug(_ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        DebugState.enabled = True
    return value


def debug_option(func: F) -> F:
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help="Show a traceback on errors.",
    )(func)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="What to print on standard output.",
    )


def connection_options(func: F) -> F:
    """--limit, --forks, --timeout, --task-timeout, --vault-password-file: how to reach hosts."""
    decorators = [
        click.option(
            "--limit", "-l", default=None, help="Ansible host pattern to restrict the run."
        ),
        click.option("--forks", "-f", default=10, show_default=True, type=click.IntRange(1, 200)),
        click.option(
            "--timeout",
            default=15,
            show_default=True,
            type=click.IntRange(1, 3600),
            help="Seconds to wait for a connection to a host.",
        ),
        click.option(
            "--task-timeout",
            default=300,
            show_default=True,
            type=click.IntRange(1, 86400),
            help="Seconds the fact collection may run on one host.",
        ),
        click.option(
            "--vault-password-file",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="For inventories with vaulted variables.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="History database (default: $VERIFY_DB, else $XDG_DATA_HOME/verify/history.sqlite3).",
    )(func)
