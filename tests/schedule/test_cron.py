"""The cron backend: the line, running its command the way cron does, /etc/cron.d-style files in
a temp dir, and a real `crontab` (for the throwaway use of user `nobody`'s crontab, created and
removed by the test)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from verifier.schedule.cron import (
    MAX_COMMAND,
    CronDir,
    Crontab,
    marked_name,
    render_command,
    render_line,
)
from verifier.schedule.jobs import (
    CommandResult,
    Schedule,
    ScheduleError,
    ScheduleJob,
    SchedulerCommandError,
    build_job,
)

SECRET = "https://hooks.example/services/T000/B000/very-secret-token"
CRONTAB = shutil.which("crontab")


def make_job(
    tmp_path: Path,
    *,
    inventory: str = "client.yml",
    data: str = "data",
    python: Path | None = None,
    env_file: bool = True,
    schedule: Schedule | None = None,
    name: str | None = None,
) -> ScheduleJob:
    inv = tmp_path / inventory
    inv.parent.mkdir(parents=True, exist_ok=True)
    inv.write_text("all:\n  hosts:\n    a: {}\n")
    env = None
    if env_file:
        env = tmp_path / "secrets.env"
        env.write_text(f"# alerts\nWEBHOOK_URL='{SECRET}'\n")
        env.chmod(0o600)
    return build_job(
        inventory=inv,
        schedule=schedule or Schedule.daily_at("02:30"),
        db=tmp_path / data / "history.sqlite3",
        env_file=env,
        python=python,
        name=name,
        environ={"XDG_DATA_HOME": str(tmp_path / data), "HOME": str(tmp_path)},
    )


def run_like_cron(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """What cron does with a command field: `\\%` becomes `%`, an unescaped `%` ends the
    command; then `/bin/sh -c` with cron's small environment."""
    out: list[str] = []
    i = 0
    while i < len(command):
        if command.startswith("\\%", i):
            out.append("%")
            i += 2
            continue
        if command[i] == "%":
            break
        out.append(command[i])
        i += 1
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": "root"}
    return subprocess.run(
        ["/bin/sh", "-c", "".join(out)], env=env, capture_output=True, text=True, timeout=60
    )


def fake_python(directory: Path, exit_code: int) -> Path:
    """Stands in for the venv's python: records argv, the secret it got and the umask."""
    directory.mkdir(parents=True)
    script = directory / "python"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "mask = os.umask(0); os.umask(mask)\n"
        "record = {'argv': sys.argv[1:], 'secret': os.environ.get('WEBHOOK_URL'), 'umask': mask}\n"
        "open(os.path.join(os.path.dirname(__file__), 'record.json'), 'w').write(json.dumps(record))\n"
        "print('drift found on 1 host')\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return script


# --- the line ------------------------------------------------------------------------------


def test_line_fields_marker_and_no_secret(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    line = render_line(job)
    assert line.startswith("30 2 * * * umask 077; ")
    assert line.endswith(" # verify-schedule: client")
    assert marked_name(line) == "client"
    assert f". {tmp_path}/secrets.env" in line
    assert SECRET not in line and "very-secret" not in line
    assert render_line(job, "root").startswith("30 2 * * * root umask 077; ")


def test_on_calendar_needs_systemd(tmp_path: Path) -> None:
    def ok(argv: Sequence[str]) -> CommandResult:
        return CommandResult(0, "", "")

    job = make_job(tmp_path, schedule=Schedule.calendar("Mon *-*-* 02:00", runner=ok))
    with pytest.raises(ScheduleError, match="needs the systemd backend; cron takes --at HH:MM"):
        render_line(job)


def test_command_too_long_for_cron(tmp_path: Path) -> None:
    job = make_job(tmp_path, inventory="d" * 200 + "/" + "e" * 200 + "/client.yml")
    with pytest.raises(ScheduleError, match=f"characters; cron allows {MAX_COMMAND}"):
        render_command(job)


@pytest.mark.parametrize(
    "line",
    [
        "# verify-schedule: client",  # a comment, not a job
        "0 2 * * * echo hi",
        "0 2 * * * echo '# verify-schedule: client' > /dev/null # verify-schedule: client-2",
    ],
)
def test_lines_that_are_not_job_client(line: str) -> None:
    assert marked_name(line) != "client"


@pytest.mark.parametrize("exit_code", [0, 1, 5])
def test_command_runs_under_sh_like_cron(tmp_path: Path, exit_code: int) -> None:
    """Real /bin/sh, cron's environment, paths with blanks, quotes and %: the job gets exactly
    its argv and the secret from the env file; output and exit status land in the log."""
    python = fake_python(tmp_path / "venv 100% 'x'" / "bin", exit_code)
    job = make_job(
        tmp_path, inventory="Client Files/acme %d 'prod'.yml", data="data %h", python=python
    )
    done = run_like_cron(render_command(job), home=tmp_path)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done
    record = json.loads((python.parent / "record.json").read_text())
    assert record["argv"] == job.command()[1:]
    assert record["secret"] == SECRET
    assert record["umask"] == 0o077
    log = job.log_file
    assert log.read_text() == f"drift found on 1 host\nverify-schedule: exit status {exit_code}\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_missing_env_file_is_reported_in_the_log(tmp_path: Path) -> None:
    python = fake_python(tmp_path / "bin", 0)
    job = make_job(tmp_path, python=python)
    assert job.env_file is not None
    job.env_file.unlink()
    run_like_cron(render_command(job), home=tmp_path)
    assert "secrets.env" in job.log_file.read_text()
    assert not (python.parent / "record.json").exists()  # no run without its secrets


# --- /etc/cron.d-style directory -----------------------------------------------------------


def test_cron_dir_install_list_remove(tmp_path: Path) -> None:
    cron_d = tmp_path / "cron.d"
    cron_d.mkdir()
    foreign = cron_d / "e2scrub_all"
    foreign.write_text("30 3 * * 0 root test -e /run/systemd/system || /sbin/e2scrub_all\n")
    lookalike = cron_d / "verify-drift-other"
    lookalike.write_text("0 1 * * * root echo not ours\n")
    store = CronDir(cron_d)
    job = make_job(tmp_path)
    path = store.install(job)
    assert path == cron_d / "verify-drift-client"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    text = path.read_text()
    assert text.splitlines()[0] == "# verify-schedule: client"
    assert "SHELL=/bin/sh" in text.splitlines()
    assert text.splitlines()[-1] == render_line(job, "root")
    assert SECRET not in text
    assert not any(p.name.startswith(".") for p in cron_d.iterdir())
    jobs = store.list()
    assert [(j.name, j.backend, j.schedule, j.inventory, j.location) for j in jobs] == [
        ("client", "cron.d", "30 2 * * *", str(tmp_path / "client.yml"), str(path))
    ]
    with pytest.raises(ScheduleError, match="already exists"):
        store.install(job)
    store.install(make_job(tmp_path, schedule=Schedule.daily_at("4:00")), replace=True)
    assert store.list()[0].schedule == "0 4 * * *"
    assert store.remove("other") == []  # our naming, not our marker: left alone
    assert store.remove("client") == [path]
    assert store.remove("client") == []
    assert sorted(p.name for p in cron_d.iterdir()) == ["e2scrub_all", "verify-drift-other"]
    assert foreign.read_text().startswith("30 3 * * 0 root")


def test_cron_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="not found: is cron installed"):
        CronDir(tmp_path / "nope").install(make_job(tmp_path))


# --- user crontab: `crontab -l` / `crontab -` ----------------------------------------------


def test_crontab_read_errors_and_empty() -> None:
    def none_yet(argv: Sequence[str], stdin: str | None) -> CommandResult:
        return CommandResult(1, "", "no crontab for alice\n")

    def broken(argv: Sequence[str], stdin: str | None) -> CommandResult:
        return CommandResult(1, "", "crontab: your UID isn't in the passwd file.\n")

    assert Crontab(runner=none_yet).read() == []
    with pytest.raises(SchedulerCommandError, match="crontab -l failed: crontab: your UID"):
        Crontab(runner=broken).read()


@pytest.fixture
def nobody_crontab() -> Iterator[Crontab]:
    """User nobody's crontab, through the real crontab binary; removed afterwards."""
    if CRONTAB is None:
        pytest.skip("crontab is not installed (apt-get install cron; `make test` does)")
    if os.geteuid() != 0:
        pytest.skip("editing another user's crontab needs root")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")
    if subprocess.run([CRONTAB, "-u", "nobody", "-l"], capture_output=True).returncode == 0:
        pytest.skip("nobody already has a crontab; not touching it")
    try:
        yield Crontab(user="nobody")
    finally:
        subprocess.run([CRONTAB, "-u", "nobody", "-r"], capture_output=True)


def test_real_crontab_keeps_other_lines(tmp_path: Path, nobody_crontab: Crontab) -> None:
    others = [
        "MAILTO=ops@example.com",
        "# verify-schedule: client",
        "15 * * * * /usr/local/bin/backup --quiet",
        "@reboot echo 100\\% up",
    ]
    nobody_crontab.write(others)
    assert nobody_crontab.read() == others
    job = make_job(tmp_path)
    line = nobody_crontab.install(job)  # crontab itself validates the line
    assert nobody_crontab.read() == [*others, line]
    second = make_job(tmp_path, name="client-2", env_file=False)
    nobody_crontab.install(second)
    with pytest.raises(ScheduleError, match="already exists in the crontab of nobody"):
        nobody_crontab.install(job)
    moved = make_job(tmp_path, schedule=Schedule.daily_at("05:45"))
    nobody_crontab.install(moved, replace=True)
    listed = {(j.name, j.schedule, j.inventory, j.backend) for j in nobody_crontab.list()}
    assert listed == {
        ("client", "45 5 * * *", str(tmp_path / "client.yml"), "crontab"),
        ("client-2", "30 2 * * *", str(tmp_path / "client.yml"), "crontab"),
    }
    assert nobody_crontab.remove("client") == [render_line(moved)]
    assert nobody_crontab.remove("client") == []
    assert nobody_crontab.read() == [*others, render_line(second)]
    nobody_crontab.remove("client-2")
    assert nobody_crontab.read() == others


def test_real_crontab_rejects_what_cron_cannot_run(nobody_crontab: Crontab) -> None:
    with pytest.raises(SchedulerCommandError, match=r"crontab - failed: .*bad minute"):
        nobody_crontab.write(["99 2 * * * true"])
    with pytest.raises(SchedulerCommandError, match="command too long"):
        nobody_crontab.write(["0 2 * * * " + "x" * (MAX_COMMAND + 1)])
    nobody_crontab.write(["0 2 * * * " + "x" * MAX_COMMAND])
