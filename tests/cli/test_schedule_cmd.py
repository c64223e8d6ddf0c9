"""`verify schedule install|list|remove` end to end, as a user runs them, against temp unit and
cron.d directories. Enabling with systemctl cannot run here (no systemd as PID 1); see
tests/schedule/test_systemd_units.py for those calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

VERIFY = [sys.executable, "-m", "verifier"]
SECRET = "https://hooks.example/services/T000/B000/very-secret-token"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """HOME, XDG dirs and VERIFY_DB inside tmp_path: nothing reads or writes the real ones."""
    home = tmp_path / "home"
    home.mkdir()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFY_", "XDG_"))}
    environ.update(
        HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config")
    )
    return environ


@pytest.fixture
def client(tmp_path: Path) -> Path:
    inv = tmp_path / "Acme Corp.yml"
    inv.write_text("all:\n  hosts:\n    web01: {}\n")
    secrets = tmp_path / "acme.env"
    secrets.write_text(f"WEBHOOK_URL={SECRET}\n")
    secrets.chmod(0o600)
    return inv


def verify(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*VERIFY, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def one_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("verify: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0].removeprefix("verify: error: ")


def test_systemd_install_list_remove(tmp_path: Path, env: dict[str, str], client: Path) -> None:
    units = tmp_path / "units"
    where = ["--backend", "systemd", "--unit-dir", str(units)]
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        client.name,
        "--at",
        "02:00",
        "--env-file",
        "acme.env",
        "--no-enable",
        *where,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "scheduled 'acme-corp' (daily 02:00, systemd)" in result.stdout
    assert (
        "not enabled; to enable: systemctl daemon-reload && systemctl enable --now verify-drift-acme-corp.timer"
        in result.stdout
    )
    service = units / "verify-drift-acme-corp.service"
    timer = units / "verify-drift-acme-corp.timer"
    text = service.read_text()
    assert f"EnvironmentFile={tmp_path}/acme.env" in text
    assert (
        f'--inventory "{client}"' in text
        and f"--db {tmp_path}/home/data/verify/history.sqlite3" in text
    )
    assert f"--output {tmp_path}/home/data/verify/reports/acme-corp/drift.json" in text
    assert SECRET not in text + timer.read_text()
    assert (tmp_path / "home/data/verify/reports/acme-corp").is_dir()

    listed = verify(env, "schedule", "list", "--format", "json", *where)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "name": "acme-corp",
            "backend": "systemd-system" if os.geteuid() == 0 else "systemd-user",
            "schedule": "*-*-* 02:00:00",
            "inventory": str(client),
            "location": f"{units}/verify-drift-acme-corp.{{service,timer}}",
            "next_run": None,
        }
    ]
    console = verify(env, "schedule", "list", *where)
    assert (
        console.returncode == 0 and "acme-corp" in console.stdout and "02:00:00" in console.stdout
    )

    again = verify(
        env, "schedule", "install", "-i", str(client), "--at", "03:00", "--no-enable", *where
    )
    assert "a job named 'acme-corp' already exists" in one_error(again)
    replaced = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--at",
        "03:00",
        "--no-enable",
        "--replace",
        *where,
    )
    assert replaced.returncode == 0 and "OnCalendar=*-*-* 03:00:00" in timer.read_text()

    removed = verify(env, "schedule", "remove", "acme-corp", *where)
    assert removed.returncode == 0, removed.stderr
    assert f"removed {timer}" in removed.stdout and f"removed {service}" in removed.stdout
    assert list(units.iterdir()) == []
    assert one_error(verify(env, "schedule", "remove", "acme-corp", *where)) == (
        "no scheduled job named 'acme-corp' (jobs here: none)"
    )
    empty = verify(env, "schedule", "list", *where)
    assert empty.stdout.strip() == "no scheduled jobs"


def test_cron_install_list_remove(tmp_path: Path, env: dict[str, str], client: Path) -> None:
    cron_d = tmp_path / "cron.d"
    cron_d.mkdir()
    where = ["--backend", "cron", "--cron-dir", str(cron_d)]
    notify = tmp_path / "alerts.yml"
    notify.write_text("webhooks: []\n")
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--name",
        "acme",
        "--at",
        "1:30",
        "--env-file",
        str(tmp_path / "acme.env"),
        "--baseline",
        "msp-standard",
        "--notify",
        str(notify),
        *where,
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"each run's output goes to {tmp_path}/home/data/verify/reports/acme/last-run.log"
        in result.stdout
    )
    line = (cron_d / "verify-drift-acme").read_text().splitlines()[-1]
    assert line.startswith("30 1 * * * ") and line.endswith(" # verify-schedule: acme")
    assert "--baseline msp-standard" in line and SECRET not in line
    assert f"--notify-config {notify} --output " in line
    listed = json.loads(verify(env, "schedule", "list", "--format", "json", *where).stdout)
    assert [(j["name"], j["backend"], j["schedule"], j["inventory"]) for j in listed] == [
        ("acme", "cron.d", "30 1 * * *", str(client))
    ]
    assert verify(env, "schedule", "remove", "acme", *where).returncode == 0
    assert list(cron_d.iterdir()) == []


def test_dry_run_prints_and_writes_nothing(
    tmp_path: Path, env: dict[str, str], client: Path
) -> None:
    units = tmp_path / "units"
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--on-calendar",
        "Mon..Fri 02:00",
        "--backend",
        "systemd",
        "--unit-dir",
        str(units),
        "--dry-run",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"==> {units}/verify-drift-acme-corp.service <==" in out
    assert f"==> {units}/verify-drift-acme-corp.timer <==" in out
    assert "OnCalendar=Mon..Fri 02:00" in out and "SuccessExitStatus=1" in out
    assert (
        "==> then run <==\nsystemctl daemon-reload\nsystemctl enable --now verify-drift-acme-corp.timer\n"
        in out
    )
    assert not units.exists() and not (tmp_path / "home/data").exists()
    cron = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--at",
        "02:00",
        "--backend",
        "cron",
        "--cron-dir",
        str(tmp_path),
        "--dry-run",
    )
    assert cron.returncode == 0 and f"==> {tmp_path}/verify-drift-acme-corp <==" in cron.stdout
    assert not (tmp_path / "verify-drift-acme-corp").exists()


def test_notify_config_found_now_is_pinned(
    tmp_path: Path, env: dict[str, str], client: Path
) -> None:
    notify = Path(env["XDG_CONFIG_HOME"]) / "verify" / "notify.yml"
    notify.parent.mkdir(parents=True)
    notify.write_text("webhooks: []\n")
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--at",
        "02:00",
        "--backend",
        "systemd",
        "--unit-dir",
        str(tmp_path / "u"),
        "--dry-run",
    )
    assert result.returncode == 0 and f"--notify-config {notify}" in result.stdout


@pytest.mark.skipif(Path("/run/systemd/system").is_dir(), reason="systemd runs here")
def test_enabling_without_systemd_is_an_error(
    tmp_path: Path, env: dict[str, str], client: Path
) -> None:
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--at",
        "02:00",
        "--backend",
        "systemd",
        "--unit-dir",
        str(tmp_path / "u"),
    )
    assert one_error(result).startswith("systemd is not running here (no /run/systemd/system)")
    assert not (tmp_path / "u").exists() or list((tmp_path / "u").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "02:00", "--on-calendar", "daily"],
            "give exactly one of --at HH:MM and --on-calendar EXPR",
        ),
        ([], "give exactly one of --at HH:MM and --on-calendar EXPR"),
        (["--at", "25:00"], "--at '25:00': expected HH:MM (00:00 to 23:59)"),
        (["--at", "02:00", "--name", "Acme_Corp"], "job name 'Acme_Corp': use 1-48 of a-z"),
        (
            ["--on-calendar", "daily", "--backend", "cron"],
            "--on-calendar 'daily' needs the systemd backend",
        ),
        (["--at", "02:00", "--env-file", "bad.env"], "bad.env:2: env file lines must be KEY=value"),
        (["--at", "02:00", "--env-file", "none.env"], "none.env: env file not found"),
        (["--at", "02:00", "--baseline", "ghost"], "unknown baseline 'ghost'"),
        (["--at", "02:00", "--backend", "kron"], "Invalid value for '--backend'"),
    ],
)
def test_install_input_errors(
    tmp_path: Path, env: dict[str, str], client: Path, args: list[str], message: str
) -> None:
    (tmp_path / "bad.env").write_text(f"A=1\n{SECRET}\n")
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--unit-dir",
        str(tmp_path / "u"),
        "--cron-dir",
        str(tmp_path),
        "--dry-run",
        *args,
        cwd=tmp_path,
    )
    error = one_error(result)
    assert message in error and SECRET not in result.stderr


def test_missing_inventory_and_bad_remove_name(tmp_path: Path, env: dict[str, str]) -> None:
    result = verify(env, "schedule", "install", "-i", "nope.yml", "--at", "02:00", cwd=tmp_path)
    assert one_error(result) == "nope.yml: inventory not found"
    bad = verify(env, "schedule", "remove", "../../etc/passwd", "--unit-dir", str(tmp_path))
    assert "job name '../../etc/passwd'" in one_error(bad)


def test_env_file_readable_by_others_warns(
    tmp_path: Path, env: dict[str, str], client: Path
) -> None:
    (tmp_path / "acme.env").chmod(0o644)
    result = verify(
        env,
        "schedule",
        "install",
        "-i",
        str(client),
        "--at",
        "02:00",
        "--env-file",
        str(tmp_path / "acme.env"),
        "--backend",
        "systemd",
        "--unit-dir",
        str(tmp_path / "u"),
        "--dry-run",
    )
    assert result.returncode == 0
    assert result.stderr.strip() == (
        f"verify: warning: {tmp_path}/acme.env is readable by other users; `chmod 600` it (it holds secrets)"
    )
