"""A progress display on stderr while hosts are collected, fed by pipeline events."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from verifier.events import CollectionStarted, Event, HostCollected
from verifier.models import HostStatus


class CollectionProgress:
    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("collecting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> CollectionProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, event: Event) -> None:
        if isinstance(event, CollectionStarted):
            self._task = self._progress.add_task("", total=event.total)
        elif isinstance(event, HostCollected) and self._task is not None:
            self._progress.update(self._task, advance=1, description=event.host)
            if event.status is not HostStatus.REACHABLE:
                self._progress.console.print(
                    Text.assemble(
                        ("  ! ", "bold red"), event.host, f" {event.status.value}: ", event.message
                    )
                )
