"""Webhook alerts: one JSON POST, formatted for Slack, Microsoft Teams or a generic receiver.

The URL is a secret (Slack and Teams put the token in it): it is read at delivery time, kept
out of repr() and never put in a message; messages name the channel and the host only.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from verifier import __version__
from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import WebhookChannel, is_loopback

USER_AGENT = f"verify/{__version__}"
SLACK_HEADER_LIMIT = 150
SLACK_TEXT_LIMIT = 2900
TEAMS_LINE_LIMIT = 150
TEAMS_BODY_BYTES = 24 * 1024
RESPONSE_LIMIT = 64 * 1024
RETRY_STATUSES = frozenset({408, 425, 429})
NBSP = "\u00a0"


# ---------------------------------------------------------------------------------------------
# Formats


def _cut(text: str, limit: int, note: str = "... (truncated)") -> str:
    return text if len(text) <= limit else text[: limit - len(note) - 1].rstrip() + "\n" + note


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming webhook: `text` (the whole message in mrkdwn, which Slack-compatible
    receivers without Block Kit show) plus a header and a preformatted section for Slack."""
    body = _cut(alert.text.replace("```", "'''"), SLACK_TEXT_LIMIT)
    preformatted = f"```\n{_slack_escape(body)}\n```" if body.strip() else ""
    title = _slack_escape(alert.title)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(alert.title, SLACK_HEADER_LIMIT, "...")},
        }
    ]
    if preformatted:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": preformatted}})
    text = f"*{title}*\n{preformatted}" if preformatted else f"*{title}*"
    return {"text": text, "blocks": blocks}


def _teams_line(line: str) -> str:
    """Keep indentation (Teams trims leading spaces) and give empty lines some height."""
    stripped = line.lstrip(" ")
    return (NBSP * (len(line) - len(stripped)) + stripped) if line.strip() else NBSP


def _teams_block(line: str) -> dict[str, Any]:
    return {
        "type": "TextBlock",
        "text": _teams_line(line),
        "wrap": True,
        "spacing": "None",
        "fontType": "Monospace",
    }


def _json_size(document: Any) -> int:
    return len(json.dumps(document, ensure_ascii=False).encode("utf-8"))


def teams_payload(alert: Alert) -> dict[str, Any]:
    """An Adaptive Card (1.4) in a message envelope: what Teams Workflows webhooks ("Post to a
    channel when a webhook request is received") take; they refuse the old MessageCard.

    One monospace TextBlock per line (Teams drops single line breaks and leading spaces), at
    most TEAMS_LINE_LIMIT lines and TEAMS_BODY_BYTES bytes (Teams refuses messages over 28 KB).
    """
    title = {
        "type": "TextBlock",
        "text": alert.title,
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }
    body: list[dict[str, Any]] = [title]
    lines = alert.text.splitlines()
    size = _json_size(title)
    for line in lines[:TEAMS_LINE_LIMIT]:
        block = _teams_block(line)
        size += _json_size(block) + 1
        if size > TEAMS_BODY_BYTES:
            break
        body.append(block)
    hidden = len(lines) - (len(body) - 1)
    if hidden:
        body.append(
            {
                "type": "TextBlock",
                "text": f"... {hidden} more lines not shown",
                "wrap": True,
                "isSubtle": True,
            }
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def json_payload(alert: Alert) -> dict[str, Any]:
    """The generic format: title, text and the machine-readable document as `drift`."""
    return {"title": alert.title, "text": alert.text, "drift": dict(alert.payload)}


FORMATS = {"slack": slack_payload, "teams": teams_payload, "json": json_payload}


def render(alert: Alert, fmt: str) -> bytes:
    document = FORMATS[fmt](alert)
    return json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Sending


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be replayed as a GET: report the 3xx instead of following it."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is ignored: the backoff applies then)."""
    try:
        seconds = float(value or "")
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _http_failure(exc: urllib.error.HTTPError) -> DeliveryFailure:
    code = exc.code
    try:
        snippet = _one_line(exc.read(1024).decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException):
        snippet = ""
    finally:
        exc.close()
    reason = f"HTTP {code}"
    if exc.reason:
        reason += f" {_one_line(str(exc.reason), 60)}"
    if 300 <= code < 400:
        return DeliveryFailure(f"{reason} (redirects are not followed)", retry=False)
    if snippet:
        reason += f": {snippet}"
    retry = code >= 500 or code in RETRY_STATUSES
    return DeliveryFailure(
        reason,
        retry=retry,
        retry_after=_retry_after(exc.headers.get("Retry-After") if exc.headers else None),
    )


def _tls_failure(exc: ssl.SSLError) -> DeliveryFailure:
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or "verification failed"
        return DeliveryFailure(f"TLS certificate not trusted: {detail}", retry=False)
    return DeliveryFailure(f"TLS error: {exc.reason or type(exc).__name__}", retry=True)


def _connection_failure(exc: BaseException, timeout: float) -> DeliveryFailure:
    if isinstance(exc, ssl.SSLError):
        return _tls_failure(exc)
    if isinstance(exc, TimeoutError | socket.timeout):
        return DeliveryFailure(f"no answer within {timeout:g}s", retry=True)
    if isinstance(exc, socket.gaierror):
        return DeliveryFailure(f"cannot resolve host: {exc.strerror or exc}", retry=True)
    if isinstance(exc, http.client.RemoteDisconnected):
        return DeliveryFailure("connection closed without a response", retry=True)
    if isinstance(exc, OSError):
        return DeliveryFailure(f"cannot connect: {exc.strerror or exc}", retry=True)
    return DeliveryFailure(f"HTTP protocol error: {type(exc).__name__}", retry=True)


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook channel with its URL read: ready to send."""

    channel: WebhookChannel
    url: str = field(repr=False)
    host: str

    kind: ClassVar[str] = "webhook"

    @property
    def name(self) -> str:
        return self.channel.name

    @property
    def describe(self) -> str:
        return f"webhook {self.channel.name} ({self.host})"

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in a message: the URL and its path and query."""
        parts = urlsplit(self.url)
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        return tuple(s for s in (self.url, tail, parts.query) if len(s) > 1)

    def send(self, alert: Alert, timeout: float) -> None:
        """POST the alert once; DeliveryFailure says why not and whether to retry."""
        request = urllib.request.Request(
            self.url,
            data=render(alert, self.channel.format),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        ca_file = str(self.channel.ca_file) if self.channel.ca_file else None
        context = ssl.create_default_context(cafile=ca_file)
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoRedirect()
        )
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read(RESPONSE_LIMIT)
        except urllib.error.HTTPError as exc:
            raise _http_failure(exc) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, BaseException):
                raise _connection_failure(reason, timeout) from None
            raise DeliveryFailure(f"cannot connect: {_one_line(str(reason))}", retry=True) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _connection_failure(exc, timeout) from None


def prepare(channel: WebhookChannel, environ: Mapping[str, str] | None = None) -> WebhookTarget:
    """Read the channel's URL and check it; DeliveryFailure (not retried) if it is unusable."""
    url = channel.url.read(environ)
    where = f"webhook {channel.name}: URL from {channel.url.source}"
    if any(c.isspace() for c in url):
        raise DeliveryFailure(f"{where} contains whitespace", retry=False)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise DeliveryFailure(f"{where} is not a valid URL", retry=False) from None
    if not host or parts.scheme not in ("https", "http"):
        raise DeliveryFailure(f"{where} is not an https:// URL", retry=False)
    if parts.scheme == "http" and not is_loopback(host):
        raise DeliveryFailure(
            f"{where} must use https (http is only allowed to this machine)", retry=False
        )
    if parts.username or parts.password:
        raise DeliveryFailure(f"{where} must not hold a user name or password", retry=False)
    return WebhookTarget(channel=channel, url=url, host=host)
