"""What an alert says, and the failure a channel reports when it cannot deliver one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Alert:
    """One alert, rendered by each channel in its own format.

    `title` is one line (the e-mail subject, the card heading); `text` is the plain-text body,
    already human-readable; `payload` is the machine-readable document (the drift JSON), sent
    as-is by the `json` webhook format and attached to e-mails as `drift.json`.
    """

    title: str
    text: str
    payload: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("alert title is empty")
        if "\n" in self.title or "\r" in self.title:
            raise ValueError("alert title must be one line")


class DeliveryFailure(Exception):
    """A channel could not deliver an alert.

    The message is one line and never holds a secret (webhook URL, password). `retry` says
    whether trying again could help (timeouts, 5xx) or not (rejected credentials, 4xx);
    `retry_after` is the wait the receiver asked for (HTTP Retry-After), in seconds.
    """

    def __init__(self, reason: str, *, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(" ".join(reason.split()))
        self.retry = retry
        self.retry_after = retry_after

    @property
    def reason(self) -> str:
        return str(self)
