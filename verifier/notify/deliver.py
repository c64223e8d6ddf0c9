"""Send an alert to every configured channel, with retries; one Delivery result per channel.

Nothing here raises for a delivery problem and nothing is dropped silently: each channel ends
as a Delivery (ok or not, with a one-line reason) and every attempt is reported to `log`.
Reasons and log lines never hold a secret: they name the channel and host, and any secret
that slipped into a library's message is replaced by '***'.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from verifier.notify import smtp_mail, webhook
from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import Channel, NotifyConfig, RetryPolicy, WebhookChannel

MAX_RETRY_AFTER = 60.0
REDACTED = "***"

Log = Callable[[str], None]


@dataclass(frozen=True)
class Delivery:
    """How one channel did. `attempts` is 0 when nothing could be sent (e.g. a missing
    secret); `error` is a one-line reason when `ok` is false."""

    channel: str
    kind: str  # "webhook" | "email"
    ok: bool
    attempts: int
    error: str = ""


class Target(Protocol):
    """A channel with its secrets read, ready to send (webhook.WebhookTarget,
    smtp_mail.MailTarget)."""

    @property
    def name(self) -> str: ...

    @property
    def describe(self) -> str: ...

    def secrets(self) -> tuple[str, ...]: ...

    def send(self, alert: Alert, timeout: float) -> None: ...


def _discard(_message: str) -> None:
    return None


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """One line, with every secret (longest first) replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return " ".join(text.split())


def prepare(channel: Channel, environ: Mapping[str, str] | None = None) -> Target:
    if isinstance(channel, WebhookChannel):
        return webhook.prepare(channel, environ)
    return smtp_mail.prepare(channel, environ)


def deliver_one(
    alert: Alert,
    channel: Channel,
    policy: RetryPolicy,
    log: Log = _discard,
    *,
    sleep: Callable[[float], None] = time.sleep,
    environ: Mapping[str, str] | None = None,
) -> Delivery:
    """Try one channel up to policy.attempts times; failures marked not retryable stop early."""
    label = f"{channel.kind} {channel.name}"
    try:
        target = prepare(channel, environ)
    except DeliveryFailure as exc:
        log(f"{label}: not sent: {exc.reason}")
        return Delivery(channel.name, channel.kind, ok=False, attempts=0, error=exc.reason)
    except Exception as exc:  # a bug must not cost the other channels their alert
        reason = f"internal error: {type(exc).__name__}"
        log(f"{label}: not sent: {reason}")
        return Delivery(channel.name, channel.kind, ok=False, attempts=0, error=reason)
    secrets = target.secrets()
    total = policy.attempts
    for attempt in range(1, total + 1):
        retry_after: float | None = None
        try:
            target.send(alert, policy.timeout_seconds)
        except DeliveryFailure as exc:
            reason, retry, retry_after = redact(exc.reason, secrets), exc.retry, exc.retry_after
        except Exception as exc:  # a bug in formatting or a library: report, do not retry
            reason = redact(f"internal error: {type(exc).__name__}: {exc}", secrets)
            retry = False
        else:
            log(f"{target.describe}: attempt {attempt}/{total} ok")
            return Delivery(channel.name, channel.kind, ok=True, attempts=attempt)
        prefix = f"{target.describe}: attempt {attempt}/{total} failed: {reason}"
        if not retry or attempt == total:
            log(f"{prefix}; {'not retried' if not retry else 'giving up'}")
            return Delivery(channel.name, channel.kind, ok=False, attempts=attempt, error=reason)
        wait = policy.delay(attempt)
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        log(f"{prefix}; retrying in {wait:g}s")
        sleep(wait)
    raise AssertionError("unreachable: attempts >= 1")  # pragma: no cover


def deliver(
    alert: Alert,
    config: NotifyConfig,
    log: Log = _discard,
    *,
    sleep: Callable[[float], None] = time.sleep,
    environ: Mapping[str, str] | None = None,
) -> tuple[Delivery, ...]:
    """Send `alert` to every channel in `config`, in order; one Delivery per channel."""
    return tuple(
        deliver_one(alert, channel, config.retry, log, sleep=sleep, environ=environ)
        for channel in config.channels
    )


def all_delivered(deliveries: tuple[Delivery, ...]) -> bool:
    return all(d.ok for d in deliveries)
