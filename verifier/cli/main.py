"""The `verify` command: Click group, and the one place errors become exit codes."""

from __future__ import annotations

import sys
import traceback

import click

from verifier import __version__
from verifier.cli.baseline_cmd import baseline_command
from verifier.cli.baselines_cmd import baselines_group
from verifier.cli.collect_cmd import collect_command
from verifier.cli.drift_cmd import drift_command
from verifier.cli.history_cmd import accept_command, history_group
from verifier.cli.notify_cmd import notify_group
from verifier.cli.options import DebugState, debug_option
from verifier.cli.remediate_cmd import remediate_group
from verifier.cli.schedule_cmd import schedule_group
from verifier.errors import EXIT_INTERNAL, EXIT_USAGE, VerifierError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="verify")
@debug_option
def cli() -> None:
    """Agentless infrastructure baseline verifier for managed service providers."""


cli.add_command(baseline_command)
cli.add_command(baselines_group)
cli.add_command(collect_command)
cli.add_command(drift_command)
cli.add_command(history_group)
cli.add_command(accept_command)
cli.add_command(notify_group)
cli.add_command(remediate_group)
cli.add_command(schedule_group)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. Domain errors print one line and exit with their code; --debug adds a
    traceback."""
    try:
        cli.main(args=argv, prog_name="verify", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("verify: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # One line, like every other input error; --help has the full usage.
        where = exc.ctx.command_path if exc.ctx else "verify"
        click.echo(f"verify: error: {exc.format_message()} (see '{where} --help')", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"verify: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE if exc.exit_code in (1, 2) else exc.exit_code)
    except VerifierError as exc:
        if DebugState.enabled:
            traceback.print_exc()
        click.echo(f"verify: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("verify: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if DebugState.enabled:
            traceback.print_exc()
        reason = " ".join(str(exc).split())[:300]
        click.echo(
            f"verify: internal error: {type(exc).__name__}: {reason} "
            "(run with --debug for details)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
