"""Collect facts with one ansible-runner run of a platform's collection playbook.

The only module that imports ansible_runner. The inventory file itself is handed to
ansible-playbook, so credentials never pass through this process. Per-host outcomes come from
runner events (runner_on_ok / _failed / _unreachable); events are not written to disk, and the
runner's private data dir is removed afterwards, so no artifact keeps anything from the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from verifier.collectors.base import CollectOptions
from verifier.collectors.failures import classify, one_line
from verifier.errors import CollectorError
from verifier.events import EventSink, HostCollected
from verifier.facts import linux, windows
from verifier.models import Collection, FactSet, Host, HostStatus, Platform
from verifier.resources import playbooks_dir

_HOST_OUTCOMES = ("runner_on_ok", "runner_on_failed", "runner_on_unreachable")
# Ansible's ssh plugin raises this when ssh exits while pipelined module input is being written:
# an auth failure races the write, and the real cause is lost. The host is retried once without
# pipelining, where the first command carries no input and ssh's own error comes through.
_PIPELINING_RACE = "Data could not be sent to remote host"


@dataclass(frozen=True)
class PlaybookSpec:
    """One platform's collection playbook and how to read a host's task result."""

    platform: Platform
    playbook: str
    # The raw facts document in a task result, or None when the result carries none.
    raw_document: Callable[[Mapping[str, Any]], Any]
    normalize: Callable[[Any, date], tuple[dict[str, Any], dict[str, str]]]
    missing_document: str  # the host error when an ok result carries no document


def _linux_document(res: Mapping[str, Any]) -> Any:
    raw = res.get("verify_raw")
    return raw if isinstance(raw, Mapping) else None


def _linux_normalize(raw: Any, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    return linux.normalize(dict(raw), today=today)


LINUX = PlaybookSpec(
    platform=Platform.LINUX,
    playbook="collect_linux.yml",
    raw_document=_linux_document,
    normalize=_linux_normalize,
    missing_document="the collection module returned no facts document (verify_raw)",
)


def _windows_document(res: Mapping[str, Any]) -> Any:
    stdout = res.get("stdout")
    return stdout if isinstance(stdout, str) and stdout.strip() else None


def _windows_normalize(raw: Any, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    return windows.normalize(str(raw), today)


WINDOWS = PlaybookSpec(
    platform=Platform.WINDOWS,
    playbook="collect_windows.yml",
    raw_document=_windows_document,
    normalize=_windows_normalize,
    missing_document="the collection script printed nothing",
)


def _failure_message(res: Mapping[str, Any]) -> str:
    msg = str(res.get("msg") or "")
    stderr = str(res.get("stderr") or "").strip()
    # `raw` says only "non-zero return code"; the reason is what the command wrote to stderr.
    if stderr and (not msg or msg == "non-zero return code"):
        return one_line(f"exit code {res.get('rc')}: {stderr}")
    return one_line(msg or stderr or "no message")


def runner_env(
    private_dir: Path, options: CollectOptions, pipelining: bool = True
) -> dict[str, str]:
    """Environment for ansible-playbook: fast (pipelining), quiet, confined to private_dir."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_PIPELINING": str(pipelining),
        "ANSIBLE_TIMEOUT": str(options.connect_timeout),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": os.environ.get("ANSIBLE_PYTHON_INTERPRETER", "auto_silent"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "True",
        "ANSIBLE_LOCAL_TEMP": str(private_dir / "tmp"),
        # ControlPath sockets have a ~100 byte limit: keep the directory short.
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(private_dir / "cp"),
    }


@dataclass
class _Outcomes:
    """Per-host outcomes gathered from runner events while the run goes on."""

    spec: PlaybookSpec
    hosts: Mapping[str, Host]
    emit: EventSink
    today: date
    collections: dict[str, Collection] = field(default_factory=dict)
    # Hosts that hit the pipelining race; held back (not emitted) until the retry.
    deferred: dict[str, Collection] = field(default_factory=dict)
    defer_races: bool = True

    def on_event(self, event: Mapping[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        host = self.hosts.get(str(data.get("host", "")))
        if host is not None and kind in _HOST_OUTCOMES:
            self._record(host, kind, data.get("res") or {})
        return False  # do not write events (they hold collected facts) to the artifact dir

    def _record(self, host: Host, kind: str, res: Mapping[str, Any]) -> None:
        raw = self.spec.raw_document(res)
        message = _failure_message(res)
        if raw is not None:
            # A failed task that still returned a document (a script that died half-way)
            # keeps what it collected; the failure is recorded as that host's probe error.
            failure = "" if kind == "runner_on_ok" else message
            collection = self._normalized(host, raw, failure)
        elif kind == "runner_on_ok":
            collection = Collection(host, HostStatus.ERROR, message=self.spec.missing_document)
        elif self.defer_races and _PIPELINING_RACE in str(res.get("msg", "")):
            self.deferred[host.name] = Collection(host, HostStatus.UNREACHABLE, message=message)
            return
        else:
            status = classify(kind == "runner_on_unreachable", message)
            collection = Collection(host=host, status=status, message=message)
        self.collections[host.name] = collection
        self.emit(HostCollected(collection))

    def _normalized(self, host: Host, raw: Any, failure: str) -> Collection:
        try:
            facts, probe_errors = self.spec.normalize(raw, self.today)
        except Exception as exc:  # garbage from one host is that host's error, not the run's
            message = f"could not read facts: {one_line(str(exc))}"
            return Collection(host, HostStatus.ERROR, message=message)
        if failure:
            probe_errors = {**probe_errors, "collection": failure}
        factset = FactSet(
            host=host.name,
            platform=self.spec.platform,
            collected_at=datetime.now(UTC).isoformat(timespec="seconds"),
            collector="ansible",
            facts=facts,
            probe_errors=probe_errors,
        )
        return Collection(host=host, status=HostStatus.REACHABLE, facts=factset)


@dataclass(frozen=True)
class AnsibleCollector:
    spec: PlaybookSpec = LINUX
    name: str = "ansible"

    def collect(self, hosts: Sequence[Host], options: CollectOptions, emit: EventSink) -> None:
        playbook = playbooks_dir() / self.spec.playbook
        if not playbook.is_file():
            raise CollectorError(f"{playbook}: collection playbook missing from the installation")
        outcomes = _Outcomes(self.spec, {h.name: h for h in hosts}, emit, date.today())
        failure = _run_playbook(playbook, hosts, options, outcomes, pipelining=True)
        if outcomes.deferred and not options.cancel.is_set():
            retry = [h for h in hosts if h.name in outcomes.deferred]
            first_try = dict(outcomes.deferred)
            outcomes.defer_races = False
            _run_playbook(playbook, retry, options, outcomes, pipelining=False)
            for name, collection in first_try.items():
                if name not in outcomes.collections:
                    outcomes.collections[name] = collection
                    emit(HostCollected(collection))
        missing = [h for h in hosts if h.name not in outcomes.collections]
        for host in missing:
            # ansible-playbook stopped before reaching this host: say why, never leave it blank.
            reason = "run interrupted" if options.cancel.is_set() else failure
            collection = Collection(host, HostStatus.ERROR, message=reason or "no result for host")
            emit(HostCollected(collection))


def _run_playbook(
    playbook: Path,
    hosts: Sequence[Host],
    options: CollectOptions,
    outcomes: _Outcomes,
    pipelining: bool,
) -> str:
    """One ansible-runner run over `hosts`; returns why it failed as a whole, if it did."""
    import ansible_runner

    private_dir = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        limit_file = private_dir / "limit"
        limit_file.write_text("\n".join(h.name for h in hosts) + "\n", encoding="utf-8")
        cmdline = []
        if options.vault_password_file is not None:
            cmdline += ["--vault-password-file", str(options.vault_password_file.resolve())]
        runner = ansible_runner.run(
            private_data_dir=str(private_dir),
            playbook=str(playbook),
            inventory=str(options.inventory.resolve()),
            limit=f"@{limit_file}",
            forks=options.forks,
            envvars=runner_env(private_dir, options, pipelining),
            extravars={"verify_task_timeout": options.task_timeout},
            cmdline=" ".join(cmdline) or None,
            event_handler=outcomes.on_event,
            cancel_callback=options.cancel.is_set,
            quiet=True,
            rotate_artifacts=1,
        )
        return _run_failure(runner)
    finally:
        close_control_masters(private_dir / "cp")
        shutil.rmtree(private_dir, ignore_errors=True)


def close_control_masters(control_dir: Path) -> None:
    """Stop the SSH ControlPersist masters of this run: they would otherwise linger on every
    host for a minute after verify exits, holding sessions open with nothing to reuse them."""
    if not control_dir.is_dir():
        return
    # One `ssh -O exit` per host, all at once: sequentially they add ~10 ms per host.
    closers = [
        subprocess.Popen(
            ["ssh", "-o", f"ControlPath={socket}", "-O", "exit", "verify-control-master"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for socket in control_dir.iterdir()
    ]
    for closer in closers:
        try:
            closer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            closer.kill()


def _run_failure(runner: Any) -> str:
    """Why ansible-playbook produced no per-host result, from the tail of its output."""
    try:
        lines = [ln.strip() for ln in runner.stdout.read().splitlines() if ln.strip()]
    except Exception:
        lines = []
    errors = [ln for ln in lines if "ERROR" in ln or "error" in ln.lower()]
    detail = one_line((errors or lines or [f"rc={runner.rc}"])[-1])
    return f"ansible-playbook ended with status {runner.status} (rc={runner.rc}): {detail}"


@dataclass(frozen=True)
class PlaybookOutcome:
    """How an ansible-playbook run ended: overall status and the per-host recap."""

    status: str  # ansible-runner's: successful, failed, canceled, timeout
    rc: int
    stats: Mapping[str, Mapping[str, int]]  # host -> {ok, changed, failures, unreachable, ...}

    @property
    def failed_hosts(self) -> list[str]:
        return sorted(h for h, s in self.stats.items() if s.get("failures") or s.get("dark"))


def apply_playbook(
    playbook: Path,
    options: CollectOptions,
    limit: str | None = None,
    check_mode: bool = False,
    tags: str | None = None,
    skip_tags: str | None = None,
) -> PlaybookOutcome:
    """Run a (remediation) playbook with ansible-runner, printing Ansible's own output (task by
    task progress, and the diff with check mode). Same confined environment as collection."""
    import ansible_runner

    private_dir = Path(tempfile.mkdtemp(prefix="verify-apply-"))
    try:
        cmdline = ["--diff"]
        if check_mode:
            cmdline.append("--check")
        cmdline += [f"--tags={tags}"] if tags else []
        cmdline += [f"--skip-tags={skip_tags}"] if skip_tags else []
        if options.vault_password_file is not None:
            cmdline += ["--vault-password-file", str(options.vault_password_file.resolve())]
        envvars = runner_env(private_dir, options)
        envvars.pop("ANSIBLE_NOCOLOR")  # the engineer watches this output
        runner = ansible_runner.run(
            private_data_dir=str(private_dir),
            playbook=str(playbook.resolve()),
            inventory=str(options.inventory.resolve()),
            limit=limit,
            forks=options.forks,
            envvars=envvars,
            cmdline=" ".join(cmdline),
            cancel_callback=options.cancel.is_set,
            rotate_artifacts=1,
        )
        stats = runner.stats or {}
        per_host: dict[str, dict[str, int]] = {}
        for key, hosts in stats.items():
            if isinstance(hosts, dict):
                for host, count in hosts.items():
                    per_host.setdefault(str(host), {})[str(key)] = int(count)
        return PlaybookOutcome(str(runner.status), int(runner.rc or 0), per_host)
    finally:
        close_control_masters(private_dir / "cp")
        shutil.rmtree(private_dir, ignore_errors=True)
