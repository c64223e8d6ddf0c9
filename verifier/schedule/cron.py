"""The cron backend, for machines without systemd: one line per job, in a file of its own in
/etc/cron.d (root) or in the user's crontab (via `crontab -l` / `crontab -`).

Every line we write ends with the comment `# verify-schedule: NAME`, and list/remove only ever
touch lines that carry it; the user's other crontab lines are written back unchanged.

The command sources the env file (`set -a; . FILE`), runs `verify drift` with a private umask
and keeps the last run's output and exit status in `<reports>/<name>/last-run.log` (cron has no
journal). Overlapping runs are possible with cron: the run lock turns the second into a quick
exit 5 noted in that log.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier.schedule.jobs import (
    MARKER,
    UNIT_PREFIX,
    CommandResult,
    JobInfo,
    ScheduleError,
    ScheduleJob,
    SchedulerCommandError,
    current_user,
    job_name_of,
    one_line,
    option_value,
    run_command,
)

CRON_D = Path("/etc/cron.d")
# Debian (Vixie) cron refuses a command of 999 characters or more ("command too long").
MAX_COMMAND = 998

CrontabRunner = Callable[[Sequence[str], str | None], CommandResult]

_MARKED = re.compile(r"\s" + re.escape(MARKER) + r" ([a-z0-9-]+)\s*$")


def cron_schedule(job: ScheduleJob) -> str:
    if job.schedule.cron is None:
        raise ScheduleError(
            f"--on-calendar {job.schedule.on_calendar!r} needs the systemd backend; "
            "cron takes --at HH:MM"
        )
    return job.schedule.cron


def render_command(job: ScheduleJob) -> str:
    """The command field of the cron line, `%` escaped, ending with the marker comment."""
    log = shlex.quote(str(job.log_file))
    steps = []
    if job.env_file:
        steps.append(f"set -a; . {shlex.quote(str(job.env_file))}; set +a")
    steps.append(shlex.join(job.command()))
    steps.append('echo "verify-schedule: exit status $?"')
    shell = (
        f"umask 077; mkdir -p {shlex.quote(str(job.log_file.parent))}; "
        f"{{ {'; '.join(steps)}; }} >{log} 2>&1 {MARKER} {job.name}"
    )
    # In a crontab an unescaped % ends the command (the rest becomes its stdin).
    command = shell.replace("%", "\\%")
    if len(command) > MAX_COMMAND:
        raise ScheduleError(
            f"the cron command for '{job.name}' is {len(command)} characters; cron allows "
            f"{MAX_COMMAND}: use shorter paths (or the systemd backend)"
        )
    return command


def render_line(job: ScheduleJob, user: str | None = None) -> str:
    """`MIN HOUR * * * [USER] COMMAND # verify-schedule: NAME` (USER in /etc/cron.d only)."""
    fields = [cron_schedule(job), *([user] if user else []), render_command(job)]
    return " ".join(fields)


def marked_name(line: str) -> str | None:
    """The job name of a line we wrote, else None (comments and other people's lines)."""
    if line.lstrip().startswith("#"):
        return None
    match = _MARKED.search(line)
    return match[1] if match else None


def _parse(line: str, name: str, *, has_user: bool, backend: str, location: str) -> JobInfo:
    fields = line.split(None, 6 if has_user else 5)
    schedule = " ".join(fields[:5])
    command = fields[-1].replace("\\%", "%")
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = []
    return JobInfo(
        name=name,
        backend=backend,
        schedule=schedule,
        inventory=option_value(tokens, "--inventory"),
        location=location,
    )


@dataclass(frozen=True)
class CronDir:
    """Jobs as files `/etc/cron.d/verify-drift-NAME` (root's cron reads that directory)."""

    directory: Path = CRON_D
    user: str = "root"

    backend = "cron.d"

    def path(self, name: str) -> Path:
        return self.directory / f"{UNIT_PREFIX}{name}"

    def render(self, job: ScheduleJob) -> str:
        return "\n".join(
            [
                f"{MARKER} {job.name}",
                "# Written by `verify schedule install`: change it with `install --replace`,",
                f"# delete it with `verify schedule remove {job.name}`.",
                "SHELL=/bin/sh",
                render_line(job, self.user),
                "",
            ]
        )

    def install(self, job: ScheduleJob, *, replace: bool = False) -> Path:
        text = self.render(job)
        path = self.path(job.name)
        if not self.directory.is_dir():
            raise ScheduleError(f"{self.directory} not found: is cron installed?")
        if path.exists() and not replace:
            raise ScheduleError(
                f"a job named '{job.name}' already exists ({path}); "
                "use --replace, or another --name"
            )
        # cron ignores files with a dot in the name, so the temporary file is never run.
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.chmod(0o644)  # cron skips group/other-writable files
            tmp.replace(path)
        except OSError as exc:
            raise ScheduleError(f"cannot write {path}: {exc.strerror}") from exc
        return path

    def remove(self, name: str) -> list[Path]:
        path = self.path(name)
        if not path.is_file() or name not in self._names(path):
            return []
        path.unlink()
        return [path]

    @staticmethod
    def _names(path: Path) -> list[str]:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []
        return [n for n in (marked_name(line) for line in lines) if n]

    def list(self) -> list[JobInfo]:
        jobs: list[JobInfo] = []
        if not self.directory.is_dir():
            return jobs
        for path in sorted(self.directory.glob(f"{UNIT_PREFIX}*")):
            name = job_name_of(path.name)
            if name is None or not path.is_file():
                continue
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if marked_name(line) == name:
                    jobs.append(
                        _parse(line, name, has_user=True, backend=self.backend, location=str(path))
                    )
        return jobs


@dataclass(frozen=True)
class Crontab:
    """Jobs as lines in a user's crontab, read and written with the `crontab` command.
    `user` None is the invoking user; root may name another (`crontab -u USER`)."""

    user: str | None = None
    runner: CrontabRunner = run_command

    backend = "crontab"

    @property
    def location(self) -> str:
        return f"crontab of {self.user or current_user()}"

    def _argv(self, *args: str) -> list[str]:
        return ["crontab", *(["-u", self.user] if self.user else []), *args]

    def read(self) -> list[str]:
        done = self.runner(self._argv("-l"), None)
        if done.returncode != 0:
            if "no crontab" in done.stderr.lower():
                return []
            raise SchedulerCommandError(f"crontab -l failed: {one_line(done.stderr)}")
        return done.stdout.splitlines()

    def write(self, lines: Sequence[str]) -> None:
        done = self.runner(self._argv("-"), "".join(f"{line}\n" for line in lines))
        if done.returncode != 0:
            reason = one_line(done.stderr or done.stdout) or f"exit status {done.returncode}"
            raise SchedulerCommandError(f"crontab - failed: {reason}")

    def install(self, job: ScheduleJob, *, replace: bool = False) -> str:
        line = render_line(job)
        lines = self.read()
        if not replace and any(marked_name(x) == job.name for x in lines):
            raise ScheduleError(
                f"a job named '{job.name}' already exists in the {self.location}; "
                "use --replace, or another --name"
            )
        self.write([x for x in lines if marked_name(x) != job.name] + [line])
        return line

    def remove(self, name: str) -> list[str]:
        lines = self.read()
        ours = [x for x in lines if marked_name(x) == name]
        if ours:
            self.write([x for x in lines if marked_name(x) != name])
        return ours

    def list(self) -> list[JobInfo]:
        jobs = []
        for line in self.read():
            name = marked_name(line)
            if name:
                jobs.append(
                    _parse(line, name, has_user=False, backend=self.backend, location=self.location)
                )
        return jobs
