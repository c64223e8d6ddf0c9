"""Job names, schedules and the exact command line a scheduled job runs."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from verifier.errors import BaselineError
from verifier.schedule.jobs import (
    CommandResult,
    Schedule,
    ScheduleError,
    build_job,
    check_env_file,
    check_name,
    current_python,
    job_name_of,
    name_from_inventory,
)

HAS_ANALYZE = shutil.which("systemd-analyze") is not None


@pytest.mark.parametrize(
    ("at", "calendar", "cron"),
    [
        ("02:00", "*-*-* 02:00:00", "0 2 * * *"),
        ("2:05", "*-*-* 02:05:00", "5 2 * * *"),
        ("23:59", "*-*-* 23:59:00", "59 23 * * *"),
        ("00:00", "*-*-* 00:00:00", "0 0 * * *"),
    ],
)
def test_daily_at(at: str, calendar: str, cron: str) -> None:
    when = Schedule.daily_at(at)
    assert (when.on_calendar, when.cron) == (calendar, cron)


@pytest.mark.parametrize("at", ["24:00", "2", "02:60", "2pm", "02:00:00", "", "-1:00", "02:5"])
def test_daily_at_rejects(at: str) -> None:
    with pytest.raises(ScheduleError, match="expected HH:MM"):
        Schedule.daily_at(at)


@pytest.mark.skipif(not HAS_ANALYZE, reason="systemd-analyze is not installed")
def test_on_calendar_checked_by_real_systemd_analyze() -> None:
    when = Schedule.calendar("Mon..Fri *-*-* 03:30")
    assert when.on_calendar == "Mon..Fri *-*-* 03:30" and when.cron is None
    with pytest.raises(ScheduleError, match=r"--on-calendar 'Mon \*-\*-\* 25:00': .*Invalid"):
        Schedule.calendar("Mon *-*-* 25:00")


def test_on_calendar_uses_the_runner_and_refuses_multiline() -> None:
    calls: list[list[str]] = []

    def runner(argv: Sequence[str]) -> CommandResult:
        calls.append(list(argv))
        return CommandResult(1, "", "Failed to parse calendar specification 'x'\n")

    with pytest.raises(ScheduleError, match="Failed to parse calendar"):
        Schedule.calendar("  x  ", runner=runner)
    assert calls == [["systemd-analyze", "calendar", "x"]]
    with pytest.raises(ScheduleError, match="not one line"):
        Schedule.calendar("daily\nExecStart=/bin/evil", runner=runner)


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("client.yml", "client"),
        ("Client ACME.yml", "client-acme"),
        ("acme_prod.ini", "acme-prod"),
        ("--weird..name--.yaml", "weird-name"),
        ("Müller Ünïcode-Kunde.yml", "muller-unicode-kunde"),
        ("x" * 80 + ".yml", "x" * 48),
    ],
)
def test_name_from_inventory(tmp_path: Path, file: str, name: str) -> None:
    assert name_from_inventory(tmp_path / file) == name
    assert check_name(name) == name


def test_name_from_directory_inventory_and_impossible_names(tmp_path: Path) -> None:
    inv_dir = tmp_path / "Acme.Inventory"
    inv_dir.mkdir()
    assert name_from_inventory(inv_dir) == "acme-inventory"
    with pytest.raises(ScheduleError, match="give --name"):
        name_from_inventory(tmp_path / "___.yml")


@pytest.mark.parametrize("name", ["", "A", "-a", "a-", "a_b", "a.b", "../etc", "a b", "x" * 49])
def test_check_name_rejects(name: str) -> None:
    with pytest.raises(ScheduleError, match="job name"):
        check_name(name)


def test_job_name_of_unit_stems() -> None:
    assert job_name_of("verify-drift-acme") == "acme"
    assert job_name_of("verify-drift-") is None
    assert job_name_of("verify-drift-Bad_Name") is None
    assert job_name_of("other-acme") is None


def test_current_python_is_the_venv_interpreter_not_its_target() -> None:
    python = current_python()
    assert python.is_absolute() and str(python) == os.path.abspath(sys.executable)
    if Path(sys.executable).is_symlink():  # .venv/bin/python -> /usr/bin/python3.11
        assert python != python.resolve()


def test_build_job_resolves_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Client.yml").write_text("all: {}\n")
    (tmp_path / "notify.yml").write_text("webhooks: []\n")
    (tmp_path / "secrets.env").write_text("A=1\n")
    monkeypatch.chdir(tmp_path)
    job = build_job(
        inventory=Path("Client.yml"),
        schedule=Schedule.daily_at("02:00"),
        db=Path("db/history.sqlite3"),
        notify_config=Path("notify.yml"),
        env_file=Path("secrets.env"),
        baseline="msp-standard",
        environ={"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": "/nonexistent"},
    )
    assert job.name == "client" and job.unit_stem == "verify-drift-client"
    assert job.inventory == tmp_path / "Client.yml"
    assert job.db == tmp_path / "db/history.sqlite3"
    assert job.output == tmp_path / "data/verify/reports/client/drift.json"
    assert job.log_file == tmp_path / "data/verify/reports/client/last-run.log"
    assert job.env_file == tmp_path / "secrets.env"
    assert job.command() == [
        os.path.abspath(sys.executable),
        "-m",
        "verifier",
        "drift",
        "--inventory",
        str(tmp_path / "Client.yml"),
        "--db",
        str(tmp_path / "db/history.sqlite3"),
        "--baseline",
        "msp-standard",
        "--notify-config",
        str(tmp_path / "notify.yml"),
        "--output",
        str(tmp_path / "data/verify/reports/client/drift.json"),
    ]
    # The env file is never part of the command line: only the scheduler reads it.
    assert not any("secrets.env" in a for a in job.command())


def test_build_job_minimal_command_and_explicit_name(tmp_path: Path) -> None:
    inv = tmp_path / "c.yml"
    inv.write_text("all: {}\n")
    job = build_job(
        inventory=inv,
        schedule=Schedule.daily_at("01:00"),
        db=tmp_path / "h.db",
        name="nightly-c",
        python=Path("/opt/verify/bin/python"),
        environ={"HOME": str(tmp_path)},
    )
    assert job.name == "nightly-c"
    assert job.command() == [
        "/opt/verify/bin/python",
        "-m",
        "verifier",
        "drift",
        "--inventory",
        str(inv),
        "--db",
        str(tmp_path / "h.db"),
        "--output",
        str(tmp_path / ".local/share/verify/reports/nightly-c/drift.json"),
    ]


def test_build_job_input_errors(tmp_path: Path) -> None:
    inv = tmp_path / "c.yml"
    inv.write_text("all: {}\n")
    when = Schedule.daily_at("01:00")
    with pytest.raises(ScheduleError, match=r"nope\.yml: inventory not found"):
        build_job(inventory=tmp_path / "nope.yml", schedule=when, db=tmp_path / "h.db")
    with pytest.raises(ScheduleError, match="env file not found"):
        build_job(inventory=inv, schedule=when, db=tmp_path / "h.db", env_file=tmp_path / "e")
    with pytest.raises(ScheduleError, match="notify config not found"):
        build_job(inventory=inv, schedule=when, db=tmp_path / "h", notify_config=tmp_path / "n")
    with pytest.raises(ScheduleError, match="job name"):
        build_job(inventory=inv, schedule=when, db=tmp_path / "h.db", name="Bad Name")
    with pytest.raises(ScheduleError, match="control characters"):
        build_job(inventory=inv, schedule=when, db=tmp_path / "a\nb.db")
    with pytest.raises(BaselineError, match="unknown baseline 'no-such-baseline'"):
        build_job(inventory=inv, schedule=when, db=tmp_path / "h.db", baseline="no-such-baseline")


def test_baseline_file_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = tmp_path / "c.yml"
    inv.write_text("all: {}\n")
    (tmp_path / "mine.yml").write_text("name: mine\n")
    monkeypatch.chdir(tmp_path)
    job = build_job(
        inventory=inv, schedule=Schedule.daily_at("01:00"), db=tmp_path / "h", baseline="mine.yml"
    )
    assert job.baseline == str(tmp_path / "mine.yml")


def test_env_file_checks_never_show_values(tmp_path: Path) -> None:
    env = tmp_path / "secrets.env"
    env.write_text("# comment\n\nWEBHOOK_URL=https://hooks.example/T0/SECRET\n")
    env.chmod(0o600)
    assert check_env_file(env) == []
    env.chmod(0o640)
    assert check_env_file(env) == [
        f"{env} is readable by other users; `chmod 600` it (it holds secrets)"
    ]
    env.write_text("A=1\nhunter2-the-password\n")
    with pytest.raises(ScheduleError) as info:
        check_env_file(env)
    assert str(info.value) == f"{env}:2: env file lines must be KEY=value"
    assert "hunter2" not in str(info.value)
