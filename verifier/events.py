"""Progress events the pipeline emits; the CLI's progress display and tests subscribe to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from verifier.models import Collection, HostStatus


@dataclass(frozen=True)
class CollectionStarted:
    total: int


@dataclass(frozen=True)
class HostCollected:
    """One host is done: collected, or failed with a host status. Sent as it happens, so a run
    that is interrupted keeps every host collected so far."""

    collection: Collection

    @property
    def host(self) -> str:
        return self.collection.host.name

    @property
    def status(self) -> HostStatus:
        return self.collection.status

    @property
    def message(self) -> str:
        return self.collection.message


@dataclass(frozen=True)
class CollectionFinished:
    pass


Event = CollectionStarted | HostCollected | CollectionFinished
EventSink = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """The sink for callers that do not watch progress."""
