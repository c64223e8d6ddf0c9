"""The console report: hosts at a glance, then what failed with expected vs actual.

Everything that came from a host is untrusted text: it goes through rich.Text (never markup),
so a hostname such as "[red]x" is printed as-is and cannot restyle or hide output.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from verifier.checks.evaluation import describe_expectation
from verifier.models import Check, CheckResult, HostStatus, RunResult, Severity, Status
from verifier.reporters.fixes import Fix, fixes_for

STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.UNKNOWN: "yellow",
    Status.ERROR: "magenta",
    Status.SKIPPED: "dim",
    Status.WAIVED: "cyan",
}
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
COLUMNS = (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.ERROR, Status.SKIPPED)


def _value(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _expectation(result: CheckResult, checks: dict[str, Check]) -> str:
    check = checks.get(result.check_id)
    if check is None or check.scope == "fleet":
        return _value(result.expected)
    return describe_expectation(check.operator, check.expected)


def _hosts_table(run: RunResult) -> Table:
    table = Table(title="Hosts", title_justify="left", show_lines=False)
    for name in ("host", "address", "platform", "class", "status"):
        table.add_column(name)
    for status in COLUMNS:
        table.add_column(status.value, justify="right", style=STATUS_STYLE[status])
    for host in run.hosts:
        style = "green" if host.status is HostStatus.REACHABLE else "bold red"
        table.add_row(
            Text(host.host.name),
            Text(host.host.address),
            host.host.platform.value,
            host.host.device_class,
            Text(host.status.value, style=style),
            *(str(host.count(s)) for s in COLUMNS),
        )
    return table


def _failures(run: RunResult, console: Console) -> None:
    checks = {c.id: c for c in run.baseline.checks}
    failing = [h for h in run.hosts if h.count(Status.FAIL)]
    if not failing:
        return
    fixes = fixes_for(run)
    console.print(Text("\nFailures", style="bold"))
    for host in failing:
        console.print(Text(f"\n{host.host.name}", style="bold"))
        fails = sorted(
            (r for r in host.results if r.status is Status.FAIL), key=lambda r: r.severity.rank
        )
        for result in fails:
            console.print(
                Text.assemble(
                    (
                        "  " + result.severity.value.upper().ljust(9),
                        SEVERITY_STYLE[result.severity],
                    ),
                    (result.check_id, "bold"),
                    "  ",
                    checks[result.check_id].title if result.check_id in checks else "",
                )
            )
            console.print(
                Text.assemble(
                    ("             expected ", "dim"),
                    _expectation(result, checks),
                    ("  actual ", "dim"),
                    _value(result.actual),
                )
            )
            fix = fixes.get((host.host.name, result.check_id))
            if fix is not None:
                console.print(_fix_line(fix))


def _fix_line(fix: Fix) -> Padding:
    # Indented as a block, so a long manual instruction wraps under itself.
    if fix.kind == "automated":
        line = Text.assemble(("fix ", "dim"), f"automated: role {fix.role}")
    else:
        line = Text.assemble(("fix ", "dim"), ("manual: ", "yellow"), fix.instruction)
    return Padding(line, (0, 0, 0, 13), expand=False)


def _not_verified(run: RunResult, console: Console) -> None:
    lines = []
    for host in run.hosts:
        if host.status is not HostStatus.REACHABLE:
            lines.append(
                Text.assemble((host.host.name, "bold"), f": {host.status.value}: ", host.message)
            )
            continue
        open_results = [r for r in host.results if r.status in (Status.UNKNOWN, Status.ERROR)]
        if open_results:
            counts = Counter(r.status.value for r in open_results)
            ids = ", ".join(r.check_id for r in open_results[:6])
            more = "…" if len(open_results) > 6 else ""
            summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            lines.append(Text.assemble((host.host.name, "bold"), f": {summary} ({ids}{more})"))
    if lines:
        console.print(Text("\nNot verified", style="bold"))
        for line in lines:
            console.print(Text("  ") + line)


def render(run: RunResult, console: Console) -> None:
    console.print(
        Text.assemble(
            ("verify baseline ", "bold"),
            (run.baseline.ref, "bold cyan"),
            f"  sha256 {run.baseline.sha256[:12]}  inventory ",
            run.inventory,
        )
    )
    console.print(_hosts_table(run))
    _failures(run, console)
    _not_verified(run, console)
    summary = run.summary()
    console.print(
        Text.assemble(
            "\n",
            (
                f"{_plural(summary['hosts'], 'host')} ({summary['hosts_reachable']} reachable): ",
                "bold",
            ),
            *(
                (f"{summary[s.value]} {s.value}  ", STATUS_STYLE[s])
                for s in (*COLUMNS, Status.WAIVED)
                if summary[s.value]
            ),
        )
    )
    if run.interrupted:
        console.print(Text("Run interrupted: results are partial.", style="bold red"))
