"""Collect Linux facts with one ansible-runner run of playbooks/collect_linux.yml.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from verifier.collectors.base import CollectOptions
from verifier.collectors.failures import classify, one_line
from verifier.errors import CollectorError
from verifier.events import EventSink, HostCollected
from verifier.facts.linux import normalize
from verifier.models import Collection, FactSet, Host, HostStatus, Platform
from verifier.resources import playbooks_dir

PLAYBOOK = "collect_linux.yml"
_HOST_OUTCOMES = ("runner_on_ok", "runner_on_failed", "runner_on_unreachable")


def runner_env(private_dir: Path, options: CollectOptions) -> dict[str, str]:
    """Environment for ansible-playbook: fast (pipelining), quiet, confined to private_dir."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_PIPELINING": "True",
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

    hosts: Mapping[str, Host]
    emit: EventSink
    today: date
    collections: dict[str, Collection] = field(default_factory=dict)

    def on_event(self, event: Mapping[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        host = self.hosts.get(str(data.get("host", "")))
        if host is not None and kind in (
            "runner_on_ok",
            "runner_on_failed",
            "runner_on_unreachable",
        ):
            self._record(host, kind, data.get("res") or {})
        return False  # do not write events (they hold collected facts) to the artifact dir

    def _record(self, host: Host, kind: str, res: Mapping[str, Any]) -> None:
        if kind == "runner_on_ok" and isinstance(res.get("verify_raw"), Mapping):
            collection = self._normalized(host, res["verify_raw"])
        elif kind == "runner_on_ok":
            message = "the collection module returned no facts document (verify_raw)"
            collection = Collection(host=host, status=HostStatus.ERROR, message=message)
        else:
            message = one_line(str(res.get("msg") or res.get("stderr") or "no message"))
            status = classify(kind == "runner_on_unreachable", message)
            collection = Collection(host=host, status=status, message=message)
        self.collections[host.name] = collection
        self.emit(HostCollected(collection))

    def _normalized(self, host: Host, raw: Mapping[str, Any]) -> Collection:
        try:
            facts, probe_errors = normalize(dict(raw), today=self.today)
        except Exception as exc:  # garbage from one host is that host's error, not the run's
            return Collection(host, HostStatus.ERROR, message=f"could not read facts: {exc}")
        factset = FactSet(
            host=host.name,
            platform=Platform.LINUX,
            collected_at=datetime.now(UTC).isoformat(timespec="seconds"),
            collector="ansible",
            facts=facts,
            probe_errors=probe_errors,
        )
        return Collection(host=host, status=HostStatus.REACHABLE, facts=factset)


class AnsibleCollector:
    name = "ansible"

    def collect(self, hosts: Sequence[Host], options: CollectOptions, emit: EventSink) -> None:
        import ansible_runner

        playbook = playbooks_dir() / PLAYBOOK
        if not playbook.is_file():
            raise CollectorError(f"{playbook}: collection playbook missing from the installation")
        outcomes = _Outcomes({h.name: h for h in hosts}, emit, date.today())
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
                envvars=runner_env(private_dir, options),
                extravars={"verify_task_timeout": options.task_timeout},
                cmdline=" ".join(cmdline) or None,
                event_handler=outcomes.on_event,
                cancel_callback=options.cancel.is_set,
                quiet=True,
                rotate_artifacts=1,
            )
            failure = _run_failure(runner)
        finally:
            close_control_masters(private_dir / "cp")
            shutil.rmtree(private_dir, ignore_errors=True)
        missing = [h for h in hosts if h.name not in outcomes.collections]
        for host in missing:
            # ansible-playbook stopped before reaching this host: say why, never leave it blank.
            reason = "run interrupted" if options.cancel.is_set() else failure
            collection = Collection(host, HostStatus.ERROR, message=reason or "no result for host")
            emit(HostCollected(collection))


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
