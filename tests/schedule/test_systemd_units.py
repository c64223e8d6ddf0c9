"""systemd units: their text, `systemd-analyze verify` on them, and install/list/remove on disk.

Enabling needs a running systemd, which this test machine does not have: the systemctl calls
are tested with a recording runner standing in for systemctl, and only that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from verifier import schedule
from verifier.schedule.cron import CronDir, Crontab
from verifier.schedule.jobs import (
    CommandResult,
    Schedule,
    ScheduleError,
    ScheduleJob,
    SchedulerCommandError,
    build_job,
)
from verifier.schedule.systemd_units import (
    HARDENING,
    Scope,
    UnitFiles,
    exec_quote,
    exec_split,
    install,
    list_jobs,
    next_run,
    remove,
    render_service,
    render_timer,
    run_systemctl,
)

ANALYZE = shutil.which("systemd-analyze")
SECRET = "https://hooks.example/services/T000/B000/very-secret-token"


def make_job(
    tmp_path: Path,
    *,
    inventory: str = "client.yml",
    python: Path | None = None,
    env_file: bool = True,
    schedule: Schedule | None = None,
) -> ScheduleJob:
    inv = tmp_path / inventory
    inv.parent.mkdir(parents=True, exist_ok=True)
    inv.write_text("all:\n  hosts:\n    a: {}\n")
    env = None
    if env_file:
        env = tmp_path / "secrets.env"
        env.write_text(f"WEBHOOK_URL={SECRET}\n")
        env.chmod(0o600)
    return build_job(
        inventory=inv,
        schedule=schedule or Schedule.daily_at("02:00"),
        db=tmp_path / "data" / "history.sqlite3",
        env_file=env,
        python=python,
        environ={"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)},
    )


def setting(text: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{key}=")]


def analyze(paths: Sequence[Path], tmp_path: Path, *, user: bool = False) -> list[str]:
    """`systemd-analyze verify`: its exit status and every stderr line about our files."""
    assert ANALYZE is not None
    env = dict(os.environ)
    if user and not env.get("XDG_RUNTIME_DIR"):
        (tmp_path / "runtime").mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")
    argv = [ANALYZE, *(["--user"] if user else []), "verify", "--man=no", *map(str, paths)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    names = {p.name for p in paths}
    problems = [line for line in done.stderr.splitlines() if any(n in line for n in names)]
    if done.returncode != 0:
        problems.append(f"exit {done.returncode}: {done.stderr.strip()}")
    return problems


# --- text ----------------------------------------------------------------------------------


def test_service_runs_exactly_the_job_command(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    text = render_service(job, Scope.SYSTEM, user="root")
    (exec_start,) = setting(text, "ExecStart")
    assert exec_split(exec_start) == job.command()
    assert setting(text, "Type") == ["oneshot"]
    assert setting(text, "User") == ["root"]
    assert setting(text, "EnvironmentFile") == [str(tmp_path / "secrets.env")]
    assert setting(text, "UMask") == ["0077"]
    assert setting(text, "TimeoutStartSec") == ["12h"]
    assert "After=network-online.target" in text and "Wants=network-online.target" in text
    assert text.startswith("# verify-schedule: client\n")
    for line in HARDENING:
        assert line in text.splitlines()


def test_drift_exit_codes_in_systemd_status(tmp_path: Path) -> None:
    """1 (drift found) is a successful run; 2-6 leave the unit failed."""
    text = render_service(make_job(tmp_path), Scope.SYSTEM, user="root")
    assert setting(text, "SuccessExitStatus") == ["1"]
    assert setting(text, "RestartForceExitStatus") == []


def test_user_service_has_no_sandboxing_or_system_targets(tmp_path: Path) -> None:
    text = render_service(make_job(tmp_path), Scope.USER)
    assert setting(text, "User") == []
    assert "network-online" not in text
    for line in HARDENING:
        assert line not in text
    assert setting(text, "SuccessExitStatus") == ["1"]


def test_no_secret_in_units(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    for text in (
        render_service(job, Scope.SYSTEM),
        render_service(job, Scope.USER),
        render_timer(job),
    ):
        assert SECRET not in text and "very-secret" not in text


def test_no_env_file_no_environment_line(tmp_path: Path) -> None:
    text = render_service(make_job(tmp_path, env_file=False), Scope.SYSTEM)
    assert setting(text, "EnvironmentFile") == []


def test_timer(tmp_path: Path) -> None:
    text = render_timer(make_job(tmp_path))
    assert setting(text, "OnCalendar") == ["*-*-* 02:00:00"]
    assert setting(text, "Persistent") == ["true"]
    assert setting(text, "Unit") == ["verify-drift-client.service"]
    assert setting(text, "WantedBy") == ["timers.target"]


@pytest.mark.parametrize(
    "arg",
    [
        "/plain/path.yml",
        "/with space/client acme.yml",
        "/pct/100%/x%i.yml",
        "/dollar/$HOME/${USER}.yml",
        "/quote/\"double\" and 'single'.yml",
        "/back\\slash\\",
        "/semi;colon",
        "",
    ],
)
def test_exec_quote_round_trips(arg: str) -> None:
    line = " ".join([exec_quote("/usr/bin/python3", first=True), exec_quote(arg), exec_quote("x")])
    assert exec_split(line) == ["/usr/bin/python3", arg, "x"]


@pytest.mark.parametrize("odd", ['a"b', "a'b", "a\\b"])
def test_interpreter_path_systemd_would_refuse(tmp_path: Path, odd: str) -> None:
    job = make_job(tmp_path, python=Path(f"/opt/{odd}/bin/python"))
    with pytest.raises(ScheduleError, match="systemd refuses quotes and backslashes"):
        render_service(job, Scope.SYSTEM)


def test_exec_quote_escapes_specifiers_and_variables() -> None:
    assert exec_quote("/a%b$c") == "/a%%b$$c"
    # systemd does not expand $ in the executable path: it must stay single.
    assert exec_quote("/a%b$c", first=True) == "/a%%b$c"
    assert exec_quote("/a b") == '"/a b"'


# --- systemd-analyze verify ----------------------------------------------------------------


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("scope", [Scope.SYSTEM, Scope.USER])
def test_units_pass_systemd_analyze_verify(tmp_path: Path, scope: Scope) -> None:
    job = make_job(tmp_path)
    unit_dir = tmp_path / "units"
    paths = install(job, unit_dir, scope, enable=False)
    assert analyze(paths, tmp_path, user=scope is Scope.USER) == []
    # The timer alone finds its service next to it.
    assert (
        analyze([UnitFiles.of(unit_dir, job.name).timer], tmp_path, user=scope is Scope.USER) == []
    )


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_odd_paths_pass_verify_and_point_at_the_real_interpreter(tmp_path: Path) -> None:
    """A venv in a directory with blanks, % and $: systemd must find the interpreter (it
    reports 'Command ... is not executable' otherwise)."""
    venv_bin = tmp_path / "odd venv 100% $HOME" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    job = make_job(
        tmp_path,
        inventory="Client Files/acme %i 'prod'.yml",
        python=venv_bin / "python",
        schedule=Schedule.calendar("Mon..Fri *-*-* 03:30"),
    )
    paths = install(job, tmp_path / "units", Scope.SYSTEM, enable=False)
    assert analyze(paths, tmp_path) == []
    (exec_start,) = setting(paths[0].read_text(), "ExecStart")
    assert exec_split(exec_start)[:6] == [
        str(venv_bin / "python"),
        "-m",
        "verifier",
        "drift",
        "--inventory",
        str(tmp_path / "Client Files/acme %i 'prod'.yml"),
    ]


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_analyze_check_catches_broken_units(tmp_path: Path) -> None:
    """The check above is not vacuous: a typo'd key and a missing interpreter are reported."""
    job = make_job(tmp_path, python=tmp_path / "no-such-python")
    service, timer = install(job, tmp_path / "units", Scope.SYSTEM, enable=False)
    problems = analyze([service, timer], tmp_path)
    assert any("not executable" in p for p in problems), problems
    good = make_job(tmp_path)
    service, timer = install(good, tmp_path / "units2", Scope.SYSTEM, enable=False)
    service.write_text(service.read_text().replace("UMask=", "UMaks="))
    problems = analyze([service, timer], tmp_path)
    assert any("UMaks" in p for p in problems), problems


# --- install / list / remove on disk -------------------------------------------------------


def test_install_list_remove_files_only(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    unit_dir = tmp_path / "units"
    (unit_dir).mkdir()
    foreign = unit_dir / "verify-drift-other.timer"
    foreign.write_text("[Timer]\nOnCalendar=daily\n")  # our naming, not our marker
    paths = install(job, unit_dir, Scope.USER, enable=False)
    assert [p.name for p in paths] == ["verify-drift-client.service", "verify-drift-client.timer"]
    assert all(oct(p.stat().st_mode & 0o777) == oct(0o644) for p in paths)
    jobs = list_jobs(unit_dir, Scope.USER, query_systemd=False)
    assert [(j.name, j.backend, j.schedule, j.inventory, j.next_run) for j in jobs] == [
        ("client", "systemd-user", "*-*-* 02:00:00", str(tmp_path / "client.yml"), None)
    ]
    with pytest.raises(ScheduleError, match=r"already exists .*use --replace"):
        install(job, unit_dir, Scope.USER, enable=False)
    later = make_job(tmp_path, schedule=Schedule.daily_at("04:15"))
    install(later, unit_dir, Scope.USER, enable=False, replace=True)
    assert list_jobs(unit_dir, Scope.USER, query_systemd=False)[0].schedule == "*-*-* 04:15:00"
    assert remove("client", unit_dir, Scope.USER, disable=False) == [paths[1], paths[0]]
    assert not any(p.exists() for p in paths)
    assert foreign.exists() and sorted(x.name for x in unit_dir.iterdir()) == [foreign.name]
    assert remove("client", unit_dir, Scope.USER, disable=False) == []
    assert list_jobs(tmp_path / "missing", Scope.USER, query_systemd=False) == []


# --- systemctl, through a recording runner (no running systemd here) -----------------------


class Recorder:
    def __init__(self, fail_on: str | None = None, stdout: str = "") -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self.stdout = stdout

    def __call__(self, argv: Sequence[str]) -> CommandResult:
        self.calls.append(list(argv))
        if self.fail_on and self.fail_on in argv:
            return CommandResult(1, "", f"Failed to {self.fail_on} unit: Access denied\n")
        return CommandResult(0, self.stdout, "")


@pytest.mark.parametrize(
    ("scope", "prefix"), [(Scope.SYSTEM, ["systemctl"]), (Scope.USER, ["systemctl", "--user"])]
)
def test_enable_and_disable_commands(tmp_path: Path, scope: Scope, prefix: list[str]) -> None:
    job = make_job(tmp_path)
    runner = Recorder()
    install(job, tmp_path / "u", scope, enable=True, runner=runner)
    assert runner.calls == [
        [*prefix, "daemon-reload"],
        [*prefix, "enable", "--now", "verify-drift-client.timer"],
    ]
    runner.calls.clear()
    remove("client", tmp_path / "u", scope, disable=True, runner=runner)
    assert runner.calls == [
        [*prefix, "disable", "--now", "verify-drift-client.timer"],
        [*prefix, "daemon-reload"],
    ]


def test_enable_failure_is_one_line_and_rolls_back(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    unit_dir = tmp_path / "u"
    with pytest.raises(SchedulerCommandError) as info:
        install(job, unit_dir, Scope.SYSTEM, enable=True, runner=Recorder(fail_on="enable"))
    assert str(info.value) == (
        "systemctl enable --now verify-drift-client.timer failed: "
        "Failed to enable unit: Access denied"
    )
    assert info.value.exit_code == 2
    assert list(unit_dir.iterdir()) == []
    # Replacing a job: a failed enable puts the previous units back.
    before = install(job, unit_dir, Scope.SYSTEM, enable=False)
    old = [p.read_text() for p in before]
    later = make_job(tmp_path, schedule=Schedule.daily_at("05:00"))
    with pytest.raises(SchedulerCommandError):
        install(later, unit_dir, Scope.SYSTEM, enable=True, replace=True, runner=Recorder("enable"))
    assert [p.read_text() for p in before] == old


def test_disable_failure_keeps_the_units(tmp_path: Path) -> None:
    paths = install(make_job(tmp_path), tmp_path / "u", Scope.SYSTEM, enable=False)
    with pytest.raises(SchedulerCommandError, match=r"systemctl disable --now .* Access denied"):
        remove("client", tmp_path / "u", Scope.SYSTEM, disable=True, runner=Recorder("disable"))
    assert all(p.exists() for p in paths)


def test_run_systemctl_without_stderr_names_the_status() -> None:
    def silent(argv: Sequence[str]) -> CommandResult:
        return CommandResult(3, "", "")

    with pytest.raises(
        SchedulerCommandError, match="systemctl daemon-reload failed: exit status 3"
    ):
        run_systemctl([["systemctl", "daemon-reload"]], silent)


def test_next_run_from_systemctl_show(tmp_path: Path) -> None:
    runner = Recorder(stdout="NextElapseUSecRealtime=Tue 2026-11-24 02:00:00 UTC\n")
    assert (
        next_run("verify-drift-client.timer", Scope.USER, runner) == "Tue 2026-11-24 02:00:00 UTC"
    )
    assert runner.calls == [
        [
            "systemctl",
            "--user",
            "show",
            "--property=NextElapseUSecRealtime",
            "verify-drift-client.timer",
        ]
    ]
    assert (
        next_run("t.timer", Scope.SYSTEM, Recorder(stdout="NextElapseUSecRealtime=n/a\n")) is None
    )
    assert next_run("t.timer", Scope.SYSTEM, Recorder(fail_on="show")) is None
    install(make_job(tmp_path), tmp_path / "u", Scope.SYSTEM, enable=False)
    jobs = list_jobs(tmp_path / "u", Scope.SYSTEM, query_systemd=True, runner=runner)
    assert jobs[0].next_run == "Tue 2026-11-24 02:00:00 UTC"


# --- which backend, where (verifier.schedule) ----------------------------------------------


@pytest.mark.parametrize(
    ("euid", "running", "backend", "scope"),
    [
        (0, True, "systemd", Scope.SYSTEM),
        (0, False, "cron", Scope.SYSTEM),
        (1000, True, "systemd", Scope.USER),
        (1000, False, "cron", Scope.USER),
    ],
)
def test_auto_backend_and_default_places(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    euid: int,
    running: bool,
    backend: str,
    scope: Scope,
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    where = schedule.Where.resolve("auto", running=running)
    assert (where.backend, where.scope) == (backend, scope)
    if scope is Scope.SYSTEM:
        assert where.unit_dir == Path("/etc/systemd/system")
        assert where.cron == CronDir(Path("/etc/cron.d"), user="root")
    else:
        assert where.unit_dir == tmp_path / "config/systemd/user"
        assert isinstance(where.cron, Crontab) and where.cron.user is None
    assert schedule.Where.resolve("auto", running=running, for_listing=True).backends == (
        "systemd",
        "cron",
    )
    assert schedule.Where.resolve("cron", running=True).backend == "cron"


def test_install_enables_through_where_runner(tmp_path: Path) -> None:
    runner = Recorder(stdout="NextElapseUSecRealtime=Tue 2026-11-24 02:00:00 UTC\n")
    where = schedule.Where.resolve(
        "systemd", unit_dir=tmp_path / "u", cron_dir=tmp_path, running=True, runner=runner
    )
    job = make_job(tmp_path)
    schedule.install(job, where)
    assert runner.calls[-1][-3:] == ["enable", "--now", "verify-drift-client.timer"]
    listing = schedule.Where.resolve(
        "auto",
        unit_dir=tmp_path / "u",
        cron_dir=tmp_path,
        running=True,
        runner=runner,
        for_listing=True,
    )
    (found,) = schedule.list_all(listing)
    assert found.next_run == "Tue 2026-11-24 02:00:00 UTC"
    runner.calls.clear()
    assert schedule.remove("client", listing) == [
        str(tmp_path / "u/verify-drift-client.timer"),
        str(tmp_path / "u/verify-drift-client.service"),
    ]
    assert [c[-3:] for c in runner.calls] == [
        ["disable", "--now", "verify-drift-client.timer"],
        ["systemctl", "daemon-reload"]
        if where.scope is Scope.SYSTEM
        else ["--user", "daemon-reload"],
    ]


def test_remove_without_running_systemd_only_deletes(tmp_path: Path) -> None:
    runner = Recorder()
    where = schedule.Where.resolve(
        "systemd", unit_dir=tmp_path / "u", cron_dir=tmp_path, running=False, runner=runner
    )
    schedule.install(make_job(tmp_path), where, enable=False)
    schedule.remove("client", where)
    assert runner.calls == [] and list((tmp_path / "u").iterdir()) == []
