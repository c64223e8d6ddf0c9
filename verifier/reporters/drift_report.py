"""Drift in words: a console table, and the plain text an alert carries.

Subjects and details come from hosts (software names, config lines): rich.Text only, never
markup, as in the baseline report.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.history.drift import Change, Drift

_KIND_STYLE = {
    "check_failing": "red",
    "check_fixed": "green",
    "host_recovered": "green",
    "host_unreachable": "red",
    "host_missing": "red",
    "security_agent_removed": "bold red",
}
_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def headline(drift: Drift) -> str:
    base = drift.base
    if not drift.found:
        return (
            f"No drift since the accepted snapshot (run {base.id}, {base.started_at}); "
            f"run {drift.current.id} checked {drift.current.summary.get('hosts', 0)} hosts."
        )
    hosts = len({c.host for c in drift.changes})
    return (
        f"Drift: {len(drift.changes)} change{'s' if len(drift.changes) != 1 else ''} on "
        f"{hosts} host{'s' if hosts != 1 else ''} since the accepted snapshot "
        f"(run {base.id}, {base.started_at}); this run is {drift.current.id}."
    )


def title(drift: Drift, inventory_name: str) -> str:
    if not drift.found:
        return f"verify: no drift on {inventory_name}"
    return f"verify: drift on {inventory_name} ({len(drift.changes)} changes)"


def render(drift: Drift, console: Console) -> None:
    for note in drift.notes:
        console.print(Text(f"note: {note}", style="dim"))
    if drift.found:
        table = Table(title="Changes since the accepted snapshot", title_justify="left")
        for name in ("severity", "host", "change", "detail"):
            table.add_column(name)
        for change in drift.changes:
            table.add_row(
                Text(change.severity, style=_SEVERITY_STYLE.get(change.severity, "")),
                Text(change.host),
                Text(change.kind, style=_KIND_STYLE.get(change.kind, "")),
                _detail(change),
            )
        console.print(table)
    console.print(Text(headline(drift), style="bold"))


def _detail(change: Change) -> Text:
    text = Text(change.detail)
    for line in change.diff[2:]:  # skip the ---/+++ header
        style = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
        text.append("\n" + line, style=style)
    return text


def plain_text(drift: Drift) -> str:
    """The alert body: one line per change, most severe first, config diffs indented."""
    lines = [headline(drift), ""]
    lines += [f"note: {note}" for note in drift.notes]
    for change in drift.changes:
        lines.append(f"[{change.severity}] {change.host}: {change.kind}: {change.detail}")
        lines += [f"    {line}" for line in change.diff[2:]]
    return "\n".join(lines).rstrip() + "\n"
