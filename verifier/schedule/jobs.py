"""A scheduled drift check: its name, when it runs, and the exact command line it runs.

Every path is made absolute when the job is built, so the job behaves the same whatever the
working directory and environment of systemd or cron. Secrets are never part of a job: they
stay in the `--env-file` the job only names.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier.errors import EXIT_USAGE, InputError, VerifierError
from verifier.history.paths import data_dir

UNIT_PREFIX = "verify-drift-"
MARKER = "# verify-schedule:"
NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?")
_AT_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_ENV_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Characters no unit file or crontab line can carry safely.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ScheduleError(InputError):
    """A bad name, schedule or path for `verify schedule`. Exit 2."""


class SchedulerCommandError(VerifierError):
    """systemctl, systemd-analyze or crontab failed; the message carries their own. Exit 2."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str]], CommandResult]


def run_command(argv: Sequence[str], stdin: str | None = None) -> CommandResult:
    """Run a scheduler tool (systemctl, systemd-analyze, crontab) and capture its output."""
    try:
        done = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SchedulerCommandError(f"{argv[0]}: {exc}") from exc
    return CommandResult(done.returncode, done.stdout, done.stderr)


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


@dataclass(frozen=True)
class Schedule:
    """When a job runs: a systemd OnCalendar expression, and the same as cron fields when cron
    can express it (only `--at HH:MM`, i.e. daily)."""

    on_calendar: str
    cron: str | None
    label: str

    @classmethod
    def daily_at(cls, at: str) -> Schedule:
        match = _AT_RE.fullmatch(at.strip())
        if not match:
            raise ScheduleError(f"--at {at!r}: expected HH:MM (00:00 to 23:59)")
        hour, minute = int(match[1]), int(match[2])
        return cls(
            on_calendar=f"*-*-* {hour:02d}:{minute:02d}:00",
            cron=f"{minute} {hour} * * *",
            label=f"daily {hour:02d}:{minute:02d}",
        )

    @classmethod
    def calendar(cls, expression: str, runner: Runner | None = None) -> Schedule:
        """A systemd OnCalendar expression, checked with `systemd-analyze calendar` when that
        exists. Cron cannot run it."""
        expr = " ".join(expression.split())
        if not expr or _CONTROL.search(expression):
            raise ScheduleError(f"--on-calendar {expression!r}: empty or not one line")
        if runner is None and shutil.which("systemd-analyze"):
            runner = run_command
        if runner is not None:
            done = runner(["systemd-analyze", "calendar", expr])
            if done.returncode != 0:
                reason = one_line(done.stderr or done.stdout) or "invalid"
                raise ScheduleError(f"--on-calendar {expr!r}: {reason}")
        return cls(on_calendar=expr, cron=None, label=expr)


@dataclass(frozen=True)
class ScheduleJob:
    """One scheduled `verify drift` run. Build it with `build_job` (which checks and resolves
    the paths); the renderers only read it."""

    name: str
    schedule: Schedule
    python: Path
    inventory: Path
    db: Path
    output: Path
    baseline: str | None = None
    notify_config: Path | None = None
    env_file: Path | None = None

    @property
    def unit_stem(self) -> str:
        return UNIT_PREFIX + self.name

    @property
    def log_file(self) -> Path:
        """Where the cron backend keeps the last run's output (systemd has the journal)."""
        return self.output.parent / "last-run.log"

    def command(self) -> list[str]:
        """The argv the scheduler runs; also what `--dry-run` shows."""
        argv = [str(self.python), "-m", "verifier", "drift"]
        argv += ["--inventory", str(self.inventory), "--db", str(self.db)]
        if self.baseline:
            argv += ["--baseline", self.baseline]
        if self.notify_config:
            argv += ["--notify-config", str(self.notify_config)]
        argv += ["--output", str(self.output)]
        return argv


def sanitize_name(text: str) -> str:
    """Accents dropped (`Müller` -> `muller`), lower-case, every run of other characters
    becomes one '-', trimmed to 48 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return name[:48].rstrip("-")


def name_from_inventory(inventory: Path) -> str:
    """`Clients/ACME Corp.yml` -> `acme-corp`; a directory inventory uses its own name."""
    path = inventory.expanduser().absolute()
    stem = path.name if path.is_dir() else path.stem
    name = sanitize_name(stem)
    if not name:
        raise ScheduleError(f"{inventory}: cannot derive a job name from it; give --name")
    return name


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise ScheduleError(
            f"job name {name!r}: use 1-48 of a-z, 0-9 and '-', starting and ending with a "
            "letter or digit"
        )
    return name


def job_name_of(stem: str) -> str | None:
    """`verify-drift-acme` -> `acme`; None for anything that is not one of ours."""
    if not stem.startswith(UNIT_PREFIX):
        return None
    name = stem[len(UNIT_PREFIX) :]
    return name if NAME_RE.fullmatch(name) else None


def current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def current_python() -> Path:
    """The interpreter of the running venv, absolute but NOT resolved: `.venv/bin/python` is a
    symlink to the system python, and resolving it would run outside the venv."""
    return Path(os.path.abspath(sys.executable))


def _existing(path: Path, what: str, *, dir_ok: bool = False) -> Path:
    full = path.expanduser().absolute()
    if _CONTROL.search(str(full)):
        raise ScheduleError(f"{what} {str(full)!r}: control characters in the path")
    if not (full.is_file() or (dir_ok and full.is_dir())):
        raise ScheduleError(f"{path}: {what} not found")
    return full


def check_env_file(path: Path) -> list[str]:
    """Check that an env file is `KEY=value` lines (blank lines and # comments allowed), the
    format both systemd's EnvironmentFile= and `sh -c '. FILE'` read. Returns warnings (e.g.
    readable by others). Never shows a line's content: it may be a secret."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"{path}: cannot read env file: {exc}") from exc
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _ENV_LINE.match(stripped):
            raise ScheduleError(f"{path}:{number}: env file lines must be KEY=value")
    warnings = []
    if path.stat().st_mode & 0o077:
        warnings.append(f"{path} is readable by other users; `chmod 600` it (it holds secrets)")
    return warnings


def check_baseline(spec: str) -> str:
    """A file spec becomes absolute; a NAME[@VERSION] stays a name (resolved at each run, so
    `msp-standard` keeps meaning the newest) but must resolve now."""
    from verifier.baselines import loader  # only needed when --baseline is given

    found = loader.find(spec, loader.search_dirs())
    if spec.endswith((".yml", ".yaml")) or os.sep in spec:
        return str(_existing(found, "baseline file"))
    if _CONTROL.search(spec):
        raise ScheduleError(f"--baseline {spec!r}: control characters")
    return spec


def build_job(
    *,
    inventory: Path,
    schedule: Schedule,
    db: Path,
    name: str | None = None,
    baseline: str | None = None,
    notify_config: Path | None = None,
    env_file: Path | None = None,
    python: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ScheduleJob:
    """Check the inputs and resolve every path to an absolute one. `db` is the resolved
    database path (`verifier.history.paths.resolve_db_path`)."""
    inv = _existing(inventory, "inventory", dir_ok=True)
    job_name = check_name(name) if name is not None else name_from_inventory(inv)
    db_path = db.expanduser().absolute()
    if _CONTROL.search(str(db_path)):
        raise ScheduleError(f"--db {str(db_path)!r}: control characters in the path")
    output = data_dir(environ).expanduser().absolute() / "reports" / job_name / "drift.json"
    if _CONTROL.search(str(output)):
        raise ScheduleError(f"report path {str(output)!r}: control characters in the path")
    return ScheduleJob(
        name=job_name,
        schedule=schedule,
        python=python if python is not None else current_python(),
        inventory=inv,
        db=db_path,
        output=output,
        baseline=check_baseline(baseline) if baseline else None,
        notify_config=_existing(notify_config, "notify config") if notify_config else None,
        env_file=_existing(env_file, "env file") if env_file else None,
    )


@dataclass(frozen=True)
class JobInfo:
    """A job as found on this machine by `verify schedule list`."""

    name: str
    backend: str  # systemd-system | systemd-user | cron.d | crontab
    schedule: str
    inventory: str | None
    location: str
    next_run: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "backend": self.backend,
            "schedule": self.schedule,
            "inventory": self.inventory,
            "location": self.location,
            "next_run": self.next_run,
        }


def option_value(argv: Sequence[str], option: str) -> str | None:
    """The value after `option` in an argv, e.g. the inventory of a job read back from disk."""
    for i, arg in enumerate(argv[:-1]):
        if arg == option:
            return argv[i + 1]
    return None
