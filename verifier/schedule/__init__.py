"""`verify schedule`: run `verify drift` nightly with a systemd timer, or cron where systemd is
not running. The library API the CLI is a thin layer over:

    job = build_job(inventory=..., schedule=Schedule.daily_at("02:00"), db=...)
    where = Where.resolve("auto")          # backend, scope, unit dir / cron store
    plan(job, where)                       # {path or crontab: text} that install would write
    install(job, where, enable=True)       # write (and enable) it; returns notes for the user
    list_all(where) / remove(name, where)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from verifier.schedule import systemd_units
from verifier.schedule.cron import CRON_D, CronDir, Crontab, render_line
from verifier.schedule.jobs import (
    JobInfo,
    Runner,
    Schedule,
    ScheduleError,
    ScheduleJob,
    build_job,
    check_name,
    current_user,
    run_command,
)
from verifier.schedule.systemd_units import Scope

__all__ = [
    "BACKENDS",
    "JobInfo",
    "Schedule",
    "ScheduleError",
    "ScheduleJob",
    "Where",
    "build_job",
    "install",
    "list_all",
    "plan",
    "remove",
]

BACKENDS = ("auto", "systemd", "cron")


@dataclass(frozen=True)
class Where:
    """Where jobs live: the backend(s), the systemd scope and unit directory, the cron store.

    `backends` is one of ("systemd",), ("cron",) for install; `list_all`/`remove` with
    --backend auto look at both.
    """

    backends: tuple[str, ...]
    scope: Scope
    unit_dir: Path
    cron: CronDir | Crontab
    systemd_running: bool
    runner: Runner = field(default=run_command, compare=False)

    @classmethod
    def resolve(
        cls,
        backend: str = "auto",
        *,
        unit_dir: Path | None = None,
        cron_dir: Path | None = None,
        for_listing: bool = False,
        running: bool | None = None,
        runner: Runner = run_command,
    ) -> Where:
        """--backend auto is systemd when it runs this machine (/run/systemd/system), else
        cron; root uses /etc/systemd/system and /etc/cron.d, other users
        ~/.config/systemd/user and their crontab."""
        if backend not in BACKENDS:
            raise ScheduleError(f"unknown backend {backend!r} (use {', '.join(BACKENDS)})")
        is_running = systemd_units.systemd_running() if running is None else running
        scope = Scope.for_current_user()
        if backend != "auto":
            chosen: tuple[str, ...] = (backend,)
        elif for_listing:
            chosen = ("systemd", "cron")
        else:
            chosen = ("systemd",) if is_running else ("cron",)
        cron: CronDir | Crontab
        if cron_dir is not None:
            cron = CronDir(cron_dir.expanduser().absolute(), user=current_user())
        elif scope is Scope.SYSTEM:
            cron = CronDir(CRON_D)
        else:
            cron = Crontab()
        return cls(
            backends=chosen,
            scope=scope,
            unit_dir=(unit_dir or systemd_units.default_unit_dir(scope)).expanduser().absolute(),
            cron=cron,
            systemd_running=is_running,
            runner=runner,
        )

    @property
    def backend(self) -> str:
        """The one backend install uses."""
        return self.backends[0]


def plan(job: ScheduleJob, where: Where) -> list[tuple[str, str]]:
    """What install would do, for --dry-run: (where, text) for each file or crontab line it
    would write, then ('then run', commands) for systemd."""
    if where.backend == "systemd":
        files = systemd_units.rendered(job, where.unit_dir, where.scope)
        steps = [(str(path), text) for path, text in files.items()]
        commands = systemd_units.enable_commands(job.name, where.scope)
        steps.append(("then run", "".join(" ".join(argv) + "\n" for argv in commands)))
        return steps
    if isinstance(where.cron, CronDir):
        return [(str(where.cron.path(job.name)), where.cron.render(job))]
    return [(f"a line in the {where.cron.location}", render_line(job) + "\n")]


def install(
    job: ScheduleJob, where: Where, *, enable: bool = True, replace: bool = False
) -> list[str]:
    """Install the job; returns short notes for the user (where it went, what to do next)."""
    notes: list[str] = []
    if where.backend == "systemd":
        if enable and not where.systemd_running:
            raise ScheduleError(
                "systemd is not running here (no /run/systemd/system): use --backend cron, "
                "or --no-enable to only write the units"
            )
        paths = systemd_units.install(
            job, where.unit_dir, where.scope, enable=enable, replace=replace, runner=where.runner
        )
        notes.append("wrote " + ", ".join(str(p) for p in paths))
        if not enable:
            commands = systemd_units.enable_commands(job.name, where.scope)
            notes.append("not enabled; to enable: " + " && ".join(" ".join(c) for c in commands))
        elif where.scope is Scope.USER and not _lingering():
            notes.append(
                f"user timers run only while {current_user()} is logged in; to run them always: "
                f"loginctl enable-linger {current_user()}"
            )
    else:
        job.log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if isinstance(where.cron, CronDir):
            notes.append(f"wrote {where.cron.install(job, replace=replace)}")
        else:
            if shutil.which("crontab") is None:
                raise ScheduleError("crontab not found: install cron, or use --backend systemd")
            where.cron.install(job, replace=replace)
            notes.append(f"added a line to the {where.cron.location}")
        notes.append(f"each run's output goes to {job.log_file}")
    job.output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return notes


def _lingering() -> bool:
    return Path("/var/lib/systemd/linger", current_user()).exists()


def list_all(where: Where) -> list[JobInfo]:
    """Every job in the places `where` names; next run times when systemd runs here."""
    jobs: list[JobInfo] = []
    if "systemd" in where.backends:
        jobs += systemd_units.list_jobs(
            where.unit_dir,
            where.scope,
            query_systemd=where.systemd_running,
            runner=where.runner,
        )
    if "cron" in where.backends and _cron_usable(where.cron):
        jobs += where.cron.list()
    return sorted(jobs, key=lambda j: (j.name, j.backend))


def _cron_usable(cron: CronDir | Crontab) -> bool:
    return cron.directory.is_dir() if isinstance(cron, CronDir) else bool(shutil.which("crontab"))


def remove(name: str, where: Where, *, disable: bool = True) -> list[str]:
    """Remove the job NAME wherever `where` looks; returns what was removed. Unknown name:
    ScheduleError naming the jobs that exist."""
    check_name(name)
    removed: list[str] = []
    if "systemd" in where.backends:
        paths = systemd_units.remove(
            name,
            where.unit_dir,
            where.scope,
            disable=disable and where.systemd_running,
            runner=where.runner,
        )
        removed += [str(p) for p in paths]
    if "cron" in where.backends and _cron_usable(where.cron):
        if isinstance(where.cron, CronDir):
            removed += [str(p) for p in where.cron.remove(name)]
        elif where.cron.remove(name):
            removed.append(f"the line in the {where.cron.location}")
    if not removed:
        known = ", ".join(sorted({j.name for j in list_all(where)})) or "none"
        raise ScheduleError(f"no scheduled job named '{name}' (jobs here: {known})")
    return removed
