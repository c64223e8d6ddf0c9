"""The systemd backend: a oneshot service and a timer per job, written, enabled, listed, removed.

Only `enable`, `disable` and `next_runs` talk to systemd, each through one injectable `runner`
(default: run the real systemctl); everything else is plain file work, testable anywhere.

Exit codes: `verify drift` exits 0 (no drift) or 1 (drift found, reported and notified). Both
are a run that did its job, so `SuccessExitStatus=1` keeps the unit out of `systemctl --failed`.
2 (bad input), 3 (incomplete: hosts unreachable or unknown results), 4 (internal error),
5 (another run holds the lock: this run did not happen) and 6 (an alert was not delivered) mark
the unit failed, where monitoring looks; the journal and `systemctl status` show the code either
way.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier.schedule.jobs import (
    MARKER,
    UNIT_PREFIX,
    JobInfo,
    Runner,
    ScheduleError,
    ScheduleJob,
    SchedulerCommandError,
    current_user,
    job_name_of,
    one_line,
    option_value,
    run_command,
)
from verifier.xdg import base_dir

RUNNING_PROBE = Path("/run/systemd/system")
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")

# Hardening for system units that leaves collection intact: ansible-playbook, ssh to the hosts,
# and `ansible_connection: local` reading /etc, /proc, sshd -T, nft and running sudo.
# Left out on purpose: NoNewPrivileges (breaks sudo for local become), ProtectHome (hides
# ~/.ssh keys and known_hosts), PrivateTmp (hides inventories and env files under /tmp),
# PrivateDevices (hides the disks encryption facts look at), PrivateNetwork/IPAddressDeny.
HARDENING = (
    "ProtectSystem=full",
    "ProtectKernelTunables=true",
    "ProtectKernelModules=true",
    "ProtectControlGroups=true",
    "RestrictSUIDSGID=true",
    "RestrictRealtime=true",
    "LockPersonality=true",
)
# A hung run is stopped (and its lock released) well before the next night's run.
RUN_TIMEOUT = "12h"


class Scope(enum.Enum):
    """The system manager (root, /etc/systemd/system) or the user's (~/.config/systemd/user)."""

    SYSTEM = "system"
    USER = "user"

    @classmethod
    def for_current_user(cls) -> Scope:
        return cls.SYSTEM if os.geteuid() == 0 else cls.USER

    @property
    def backend(self) -> str:
        return f"systemd-{self.value}"

    def systemctl(self, *args: str) -> list[str]:
        return ["systemctl", *(["--user"] if self is Scope.USER else []), *args]


def systemd_running(probe: Path = RUNNING_PROBE) -> bool:
    """What sd_booted() checks: systemd is PID 1 and manages this boot."""
    return probe.is_dir()


def default_unit_dir(scope: Scope) -> Path:
    if scope is Scope.SYSTEM:
        return SYSTEM_UNIT_DIR
    return base_dir("XDG_CONFIG_HOME", ".config").absolute() / "systemd" / "user"


# --- quoting -------------------------------------------------------------------------------

_NEEDS_QUOTES = re.compile(r"[\s\"'\\;]")


def exec_quote(arg: str, *, first: bool = False) -> str:
    """One argv word for ExecStart=: `%` doubled (specifiers), `$` doubled in arguments (not
    in the executable path, which systemd does not expand), double-quoted when it holds blanks,
    quotes, backslashes or ';'."""
    word = arg.replace("%", "%%")
    if not first:
        word = word.replace("$", "$$")
    if word and not _NEEDS_QUOTES.search(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "\\": "\\", '"': '"', "'": "'"}


def exec_split(line: str) -> list[str]:
    """Split an ExecStart= value the way systemd does for the words `exec_quote` writes:
    whitespace-separated, double/single quotes, backslash escapes, `%%` and `$$`."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        word: list[str] = []
        while i < n and not line[i].isspace():
            ch = line[i]
            if ch in "\"'":
                end = i + 1
                while end < n and line[end] != ch:
                    if line[end] == "\\" and end + 1 < n:
                        word.append(_ESCAPES.get(line[end + 1], line[end + 1]))
                        end += 2
                        continue
                    word.append(line[end])
                    end += 1
                i = end + 1
            elif ch == "\\" and i + 1 < n:
                word.append(_ESCAPES.get(line[i + 1], line[i + 1]))
                i += 2
            else:
                word.append(ch)
                i += 1
        words.append("".join(word).replace("%%", "%").replace("$$", "$"))
    return words


def _value(path: Path) -> str:
    """A path as the value of a one-path setting (EnvironmentFile=): only specifiers matter."""
    return str(path).replace("%", "%%")


# --- rendering -----------------------------------------------------------------------------


def _header(job: ScheduleJob) -> list[str]:
    return [
        f"{MARKER} {job.name}",
        "# Written by `verify schedule install`: change it with `install --replace`,",
        f"# delete it with `verify schedule remove {job.name}`.",
    ]


def render_service(job: ScheduleJob, scope: Scope, user: str | None = None) -> str:
    """The oneshot service; `user` (system scope only) defaults to the installing user."""
    argv = job.command()
    if any(c in argv[0] for c in "\"'\\"):
        # systemd rejects the unit: "Executable name contains special characters".
        raise ScheduleError(
            f"{argv[0]}: systemd refuses quotes and backslashes in the interpreter path; "
            "use a venv elsewhere, or --backend cron"
        )
    exec_start = " ".join([exec_quote(argv[0], first=True), *(exec_quote(a) for a in argv[1:])])
    lines = [*_header(job), "[Unit]", f"Description=verify drift check: {job.name}"]
    if scope is Scope.SYSTEM:
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += ["", "[Service]", "Type=oneshot"]
    if scope is Scope.SYSTEM:
        # Explicit, so systemd sets HOME (ssh keys, ~/.ansible) as for an interactive run.
        lines.append(f"User={user or current_user()}")
    if job.env_file:
        # The secrets stay in that file; the unit only names it.
        lines.append(f"EnvironmentFile={_value(job.env_file)}")
    lines += [
        f"ExecStart={exec_start}",
        "# verify drift: 0 no drift, 1 drift found (both a successful run); 2 bad input,",
        "# 3 incomplete, 4 internal error, 5 another run holds the lock, 6 alert not",
        "# delivered (the unit fails).",
        "SuccessExitStatus=1",
        f"TimeoutStartSec={RUN_TIMEOUT}",
        "UMask=0077",
    ]
    if scope is Scope.SYSTEM:
        lines += list(HARDENING)
    return "\n".join(lines) + "\n"


def render_timer(job: ScheduleJob) -> str:
    lines = [
        *_header(job),
        "[Unit]",
        f"Description=verify drift check schedule: {job.name}",
        "",
        "[Timer]",
        f"OnCalendar={job.schedule.on_calendar}",
        # A run missed while the machine was off happens at the next boot.
        "Persistent=true",
        f"Unit={job.unit_stem}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class UnitFiles:
    service: Path
    timer: Path

    @classmethod
    def of(cls, unit_dir: Path, name: str) -> UnitFiles:
        stem = UNIT_PREFIX + name
        return cls(unit_dir / f"{stem}.service", unit_dir / f"{stem}.timer")

    @property
    def timer_unit(self) -> str:
        return self.timer.name


def rendered(job: ScheduleJob, unit_dir: Path, scope: Scope) -> dict[Path, str]:
    files = UnitFiles.of(unit_dir, job.name)
    return {files.service: render_service(job, scope), files.timer: render_timer(job)}


def enable_commands(job_name: str, scope: Scope) -> list[list[str]]:
    return [
        scope.systemctl("daemon-reload"),
        scope.systemctl("enable", "--now", f"{UNIT_PREFIX}{job_name}.timer"),
    ]


# --- talking to systemd (the only part that needs a running systemd) -----------------------


def run_systemctl(commands: Sequence[Sequence[str]], runner: Runner = run_command) -> None:
    """Run systemctl commands in order; the first failure is a one-line error carrying
    systemctl's own message."""
    for argv in commands:
        done = runner(argv)
        if done.returncode != 0:
            reason = one_line(done.stderr or done.stdout) or f"exit status {done.returncode}"
            raise SchedulerCommandError(f"{' '.join(argv)} failed: {reason}")


# --- install / remove / list ---------------------------------------------------------------


def install(
    job: ScheduleJob,
    unit_dir: Path,
    scope: Scope,
    *,
    enable: bool,
    replace: bool = False,
    runner: Runner = run_command,
) -> list[Path]:
    """Write the service and timer, then (if `enable`) daemon-reload and enable --now the
    timer. If enabling fails the previous files (or none) are put back."""
    contents = rendered(job, unit_dir, scope)
    if not replace and any(p.exists() for p in contents):
        raise ScheduleError(
            f"a job named '{job.name}' already exists in {unit_dir}; "
            "use --replace, or another --name"
        )
    previous = {p: p.read_text(encoding="utf-8") if p.exists() else None for p in contents}
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        for path, text in contents.items():
            _write(path, text)
    except OSError as exc:
        raise ScheduleError(f"cannot write units to {unit_dir}: {exc.strerror}") from exc
    if enable:
        try:
            run_systemctl(enable_commands(job.name, scope), runner)
        except SchedulerCommandError:
            for path, old in previous.items():
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    _write(path, old)
            raise
    return list(contents)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o644)
    tmp.replace(path)


def remove(
    name: str,
    unit_dir: Path,
    scope: Scope,
    *,
    disable: bool,
    runner: Runner = run_command,
) -> list[Path]:
    """Disable and stop the timer (if `disable`), delete both units, daemon-reload. A run in
    progress finishes. Returns the files deleted ([] if there was no such job here)."""
    files = UnitFiles.of(unit_dir, name)
    present = [p for p in (files.timer, files.service) if p.exists()]
    if not present:
        return []
    if disable:
        run_systemctl([scope.systemctl("disable", "--now", files.timer_unit)], runner)
    for path in present:
        path.unlink()
    if disable:
        run_systemctl([scope.systemctl("daemon-reload")], runner)
    return present


def _settings(text: str, key: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(f"{key}="):
            return line.split("=", 1)[1].strip()
    return None


def list_jobs(
    unit_dir: Path,
    scope: Scope,
    *,
    query_systemd: bool,
    runner: Runner = run_command,
) -> list[JobInfo]:
    """Our timers in `unit_dir` (recognised by name and marker line); with `query_systemd`,
    each with systemd's next elapse time."""
    jobs: list[JobInfo] = []
    if not unit_dir.is_dir():
        return jobs
    for timer in sorted(unit_dir.glob(f"{UNIT_PREFIX}*.timer")):
        name = job_name_of(timer.name.removesuffix(".timer"))
        if name is None:
            continue
        try:
            timer_text = timer.read_text(encoding="utf-8")
            service = timer.with_suffix(".service")
            service_text = service.read_text(encoding="utf-8") if service.exists() else ""
        except (OSError, UnicodeDecodeError):
            continue
        if not timer_text.startswith(f"{MARKER} {name}\n"):
            continue  # same naming, not written by us: leave it alone
        exec_start = _settings(service_text, "ExecStart")
        argv = exec_split(exec_start) if exec_start else []
        jobs.append(
            JobInfo(
                name=name,
                backend=scope.backend,
                schedule=_settings(timer_text, "OnCalendar") or "?",
                inventory=option_value(argv, "--inventory"),
                location=str(timer.with_suffix("")) + ".{service,timer}",
                next_run=next_run(timer.name, scope, runner) if query_systemd else None,
            )
        )
    return jobs


def next_run(timer_unit: str, scope: Scope, runner: Runner = run_command) -> str | None:
    """systemd's next elapse of a timer, e.g. 'Tue 2026-11-24 02:00:00 UTC'; None when
    systemd does not know (not loaded, not enabled, not running)."""
    done = runner(scope.systemctl("show", "--property=NextElapseUSecRealtime", timer_unit))
    if done.returncode != 0:
        return None
    value = _settings(done.stdout, "NextElapseUSecRealtime")
    return value if value and value not in ("n/a", "0") else None
