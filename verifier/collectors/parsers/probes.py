"""Running one parser per captured command, and what counts as an unusable output.

Every parser is pure: raw command text in, facts out. A command whose output is missing or
cannot be parsed becomes one line in probe_errors (keyed by its capture file stem) and the facts
it would have produced stay ABSENT, never defaulted (docs/facts.md: absent means unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class ParseError(ValueError):
    """The output is not what the command prints on this platform (garbage, truncated, error)."""


def command_file(command: str) -> str:
    """Capture file name of a command: lowercase, runs of other than [a-z0-9] become `_`,
    trimmed, plus `.txt` (`show configuration | display set` -> show_configuration_display_set.txt).
    """
    stem = re.sub(r"[^a-z0-9]+", "_", command.lower()).strip("_")
    return f"{stem}.txt"


def command_stem(command: str) -> str:
    return command_file(command)[: -len(".txt")]


# First lines by which each CLI says "I did not run that" instead of printing output.
_DEVICE_ERRORS = re.compile(
    r"^(%|error:|ERROR:|syntax error|unknown command|command fail|bad command name"
    r"|expected end of command|invalid input|command not found|unknown action)",
    re.IGNORECASE,
)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Probes:
    """Runs one parser per captured command and records why any of them gave nothing."""

    def __init__(self, outputs: Mapping[str, str]) -> None:
        self._outputs = outputs
        self.errors: dict[str, str] = {}

    def _text(self, command: str) -> str | None:
        """Raw output of a command, or None (recorded as a probe error) when not captured."""
        text = self._outputs.get(command)
        if text is None:
            self.errors[command_stem(command)] = "no output captured for this command"
            return None
        return text

    def run(self, command: str, parser: Callable[[str], T], *, empty_ok: bool = False) -> T | None:
        """parser(output), or None with a probe error. `empty_ok`: no output is an answer
        (EOS `show running-config diffs` prints nothing when nothing is unsaved)."""
        text = self._text(command)
        if text is None:
            return None
        try:
            if not (empty_ok and not text.strip()):
                check_output(text)
            return parser(text)
        except Exception as exc:
            # The guarantee of this package: garbage never raises past a parser.
            why = str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
            self.errors[command_stem(command)] = _one_line(why)
            return None


def check_output(text: str) -> None:
    """Reject empty output and the CLI's own error answers before any parser looks at it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ParseError("empty output")
    if _DEVICE_ERRORS.match(lines[0]):
        raise ParseError(f"device answered with an error: {lines[0]}")


def ntc_parse(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates (TextFSM) rows for a command; any template failure is a ParseError."""
    # Imported here: loading the template index costs time only when a template is used.
    from ntc_templates.parse import parse_output

    try:
        rows = parse_output(platform=platform, command=command, data=text)
    except Exception as exc:
        # TextFSM quotes the offending input line; leave it out like every other probe error.
        why = str(exc).split(". Input Line:")[0]
        raise ParseError(f"ntc-templates could not parse the output: {_one_line(why)}") from exc
    if not isinstance(rows, list):
        raise ParseError("ntc-templates returned no rows")
    return [row for row in rows if isinstance(row, dict)]


def cell(row: Mapping[str, Any], key: str) -> str | None:
    """One TextFSM value, stripped; lists (List values) give their first item; '' is None."""
    value = row.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return (value.strip() or None) if isinstance(value, str) else None
