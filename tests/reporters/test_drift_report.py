"""Drift in words: the console table and the plain text an alert carries."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from verifier.history.drift import Change, Drift
from verifier.history.records import RunRecord
from verifier.reporters import drift_report


def _record(run_id: int, hosts: int = 3) -> RunRecord:
    return RunRecord(
        id=run_id,
        command="drift",
        started_at=f"2026-11-0{run_id}T02:00:00+00:00",
        finished_at=f"2026-11-0{run_id}T02:05:00+00:00",
        tool_version="0.1.0",
        baseline_name="msp-standard",
        baseline_version="1.3.0",
        baseline_sha256="a" * 64,
        inventory_path="clients/acme.yml",
        inventory_key="/srv/clients/acme.yml",
        inventory_sha256="",
        limit_pattern=None,
        interrupted=False,
        exit_code=1,
        summary={"hosts": hosts},
    )


def _drift(*changes: Change, notes: tuple[str, ...] = ()) -> Drift:
    return Drift(_record(1), _record(2), changes, notes)


CONFIG = Change(
    "config_changed",
    "sw1",
    "config.running_redacted",
    "medium",
    "configuration changed (2 lines)",
    "1",
    "2",
    ("--- accepted", "+++ now", "@@ -1 +1 @@", "-ntp server 10.0.0.1", "+ntp server 10.0.0.2"),
)
FAILING = Change(
    "check_failing",
    "web1",
    "linux.ssh.root_login",
    "critical",
    "now fails: Root login is off (expected 'no', found 'yes')",
    "pass",
    "fail",
)


def _console(**kw: Any) -> Console:
    return Console(record=True, width=200, color_system=None, **kw)


def test_render_a_drift() -> None:
    console = _console()
    drift_report.render(_drift(FAILING, CONFIG, notes=("baseline differs: x",)), console)
    text = console.export_text()
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0] == "note: baseline differs: x"
    assert lines[1] == "Changes since the accepted snapshot"
    assert "critical" in text and "web1" in text and "check_failing" in text
    assert "now fails: Root login is off (expected 'no', found 'yes')" in text
    # The diff follows the detail without its ---/+++ header.
    assert "-ntp server 10.0.0.1" in text and "+ntp server 10.0.0.2" in text
    assert "--- accepted" not in text and "+++ now" not in text
    assert lines[-1] == (
        "Drift: 2 changes on 2 hosts since the accepted snapshot "
        "(run 1, 2026-11-01T02:00:00+00:00); this run is 2."
    )


def test_render_no_drift_is_one_line() -> None:
    console = _console()
    drift_report.render(_drift(), console)
    assert console.export_text() == (
        "No drift since the accepted snapshot (run 1, 2026-11-01T02:00:00+00:00); "
        "run 2 checked 3 hosts.\n"
    )


def test_host_text_is_printed_literally_not_as_markup() -> None:
    hostile = Change(
        "software_added",
        "[red]evil[/red]",
        "[link=https://x]free[/link]",
        "low",
        "software added: [bold]Free[/bold] VPN [/]",
        None,
        "[bold]Free[/bold] VPN",
        ("--- accepted", "+++ now", "@@ -1 +1 @@", "-[blink]old", "+[/red]new"),
    )
    console = _console()
    drift_report.render(_drift(hostile), console)
    text = console.export_text()
    assert "[red]evil[/red]" in text
    assert "software added: [bold]Free[/bold] VPN [/]" in text
    assert "-[blink]old" in text and "+[/red]new" in text


def test_styles_mark_bad_and_good_news() -> None:
    fixed = Change("check_fixed", "web1", "a", "high", "fixed: a", "fail", "pass")
    console = Console(record=True, width=200, color_system="standard", force_terminal=True)
    drift_report.render(_drift(FAILING, fixed), console)
    styled = console.export_text(styles=True)
    assert "\x1b[31mcheck_failing" in styled  # red
    assert "\x1b[32mcheck_fixed" in styled  # green
    assert "\x1b[1;31mcritical" in styled  # bold red


def test_plain_text_for_alerts() -> None:
    text = drift_report.plain_text(_drift(FAILING, CONFIG, notes=("--limit web*: x",)))
    assert text == (
        "Drift: 2 changes on 2 hosts since the accepted snapshot (run 1, "
        "2026-11-01T02:00:00+00:00); this run is 2.\n"
        "\n"
        "note: --limit web*: x\n"
        "[critical] web1: check_failing: now fails: Root login is off (expected 'no', found 'yes')\n"
        "[medium] sw1: config_changed: configuration changed (2 lines)\n"
        "    @@ -1 +1 @@\n"
        "    -ntp server 10.0.0.1\n"
        "    +ntp server 10.0.0.2\n"
    )


def test_plain_text_without_drift() -> None:
    assert drift_report.plain_text(_drift()) == (
        "No drift since the accepted snapshot (run 1, 2026-11-01T02:00:00+00:00); "
        "run 2 checked 3 hosts.\n"
    )


def test_headline_counts_changes_and_hosts() -> None:
    one = _drift(FAILING)
    assert drift_report.headline(one).startswith("Drift: 1 change on 1 host since")
    three = _drift(FAILING, CONFIG, Change("admin_added", "web1", "eve", "high", "x"))
    assert drift_report.headline(three).startswith("Drift: 3 changes on 2 hosts since")


def test_title() -> None:
    assert drift_report.title(_drift(), "acme") == "verify: no drift on acme"
    assert (
        drift_report.title(_drift(FAILING, CONFIG), "acme") == "verify: drift on acme (2 changes)"
    )
