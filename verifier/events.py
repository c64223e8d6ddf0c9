"""Progress events the pipeline emits; the CLI's progress display and tests subscribe to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from verifier.models import HostStatus


@dataclass(frozen=True)
class CollectionStarted:
    total: int


@dataclass(frozen=True)
class HostCollected:
    host: str
    status: HostStatus
    message: str = ""


@dataclass(frozen=True)
class CollectionFinished:
    pass


Event = CollectionStarted | HostCollected | CollectionFinished
EventSink = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """The sink for callers that do not watch progress."""
