"""The collector protocol and the registry that picks one per platform."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from verifier.events import EventSink, HostCollected
from verifier.models import Collection, Host, HostStatus, Platform


@dataclass(frozen=True)
class CollectOptions:
    inventory: Path
    forks: int = 10
    connect_timeout: int = 15
    task_timeout: int = 300
    vault_password_file: Path | None = None
    # Where network collectors save each device's (redacted) command outputs, if anywhere.
    capture_dir: Path | None = None
    # Set when the run is interrupted: collectors stop their work and report what they have.
    cancel: threading.Event = field(default_factory=threading.Event)


class Collector(Protocol):
    @property
    def name(self) -> str: ...

    def collect(self, hosts: Sequence[Host], options: CollectOptions, emit: EventSink) -> None:
        """Emit exactly one HostCollected per host as each finishes, in any order; never raise
        for a single host's failure. Events are the only channel, so an interrupted run keeps
        every host reported so far."""
        ...


@dataclass(frozen=True)
class UnsupportedCollector:
    """Reports hosts of a platform this version cannot collect from as `error`, never as pass."""

    platform: Platform
    name: str = "unsupported"

    def collect(self, hosts: Sequence[Host], options: CollectOptions, emit: EventSink) -> None:
        message = f"collecting from {self.platform.value} hosts is not supported yet"
        for host in hosts:
            emit(HostCollected(Collection(host=host, status=HostStatus.ERROR, message=message)))


CollectorFactory = Callable[[], Collector]


def _ansible_linux() -> Collector:
    # Imported lazily: ansible_runner is only loaded when a run needs it.
    from verifier.collectors.ansible import LINUX, AnsibleCollector

    return AnsibleCollector(LINUX)


def _ansible_windows() -> Collector:
    from verifier.collectors.ansible import WINDOWS, AnsibleCollector

    return AnsibleCollector(WINDOWS)


def _netmiko() -> Collector:
    from verifier.collectors.network import NetmikoCollector

    return NetmikoCollector()


REGISTRY: dict[Platform, CollectorFactory] = {
    Platform.LINUX: _ansible_linux,
    Platform.WINDOWS: _ansible_windows,
    Platform.NETWORK: _netmiko,
}


def collector_for(platform: Platform) -> Collector:
    return REGISTRY[platform]()
