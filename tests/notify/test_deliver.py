"""Retries, backoff and the Delivery results, against local receivers; secrets never leak."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.notify.receivers import (
    SMTP_PASSWORD,
    SMTP_USER,
    WEBHOOK_TOKEN,
    HttpReceiver,
    SmtpReceiver,
    TlsFiles,
    silent_server,
)
from verifier.notify import webhook
from verifier.notify.alert import Alert
from verifier.notify.config import EmailChannel, NotifyConfig, RetryPolicy, Secret, WebhookChannel
from verifier.notify.deliver import Delivery, all_delivered, deliver, deliver_one, redact

ALERT = Alert(
    "verify: drift on acme (1 change)", "srv-01  ssh.root_login  pass -> fail", {"changes": [1]}
)
QUICK = RetryPolicy(attempts=3, backoff_seconds=1, timeout_seconds=0.3)


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sleeps: list[float] = []

    def log(self, line: str) -> None:
        self.lines.append(line)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def _hook(name: str = "ops-hook", fmt: str = "json", env: str = "HOOK") -> WebhookChannel:
    return WebhookChannel(name, fmt, Secret(f"webhook {name}: URL", env=env))


def _mail(port: int, ca: Path | None, name: str = "ops-mail") -> EmailChannel:
    return EmailChannel(
        name=name,
        host="127.0.0.1",
        port=port,
        security="starttls",
        sender="verify@example.com",
        to=("noc@example.com",),
        username=SMTP_USER,
        password=Secret(f"email {name}: password", env="SMTP_PASSWORD"),
        ca_file=ca,
    )


def _run(config: NotifyConfig, environ: dict[str, str]) -> tuple[tuple[Delivery, ...], Recorder]:
    recorder = Recorder()
    results = deliver(ALERT, config, recorder.log, sleep=recorder.sleep, environ=environ)
    return results, recorder


def test_webhook_that_fails_once_then_succeeds() -> None:
    with HttpReceiver([500, 200]) as receiver:
        config = NotifyConfig(webhooks=(_hook(),), retry=QUICK)
        (result,), rec = _run(config, {"HOOK": receiver.url()})
    assert result == Delivery("ops-hook", "webhook", ok=True, attempts=2)
    assert [r.json() for r in receiver.requests] == [webhook.json_payload(ALERT)] * 2
    assert rec.sleeps == [1]
    assert rec.lines == [
        "webhook ops-hook (127.0.0.1): attempt 1/3 failed: HTTP 500 Internal Server Error: ok; retrying in 1s",
        "webhook ops-hook (127.0.0.1): attempt 2/3 ok",
    ]


def test_email_that_fails_once_then_succeeds(tls_files: TlsFiles) -> None:
    with SmtpReceiver(tls_files, fail_first=1) as server:
        config = NotifyConfig(email=(_mail(server.port, tls_files.ca),), retry=QUICK)
        (result,), rec = _run(config, {"SMTP_PASSWORD": SMTP_PASSWORD})
    assert result == Delivery("ops-mail", "email", ok=True, attempts=2)
    (mail,) = server.messages
    assert mail.starttls and mail.authenticated
    assert (
        rec.lines[0].startswith("email ops-mail (127.0.0.1:")
        and "attempt 1/3 failed: send: 451" in rec.lines[0]
    )


def test_receivers_that_never_answer_fail_after_all_attempts(tls_files: TlsFiles) -> None:
    with silent_server() as port:
        config = NotifyConfig(webhooks=(_hook(),), email=(_mail(port, tls_files.ca),), retry=QUICK)
        results, rec = _run(config, {"HOOK": f"http://127.0.0.1:{port}/x", "SMTP_PASSWORD": "p"})
    assert results == (
        Delivery("ops-hook", "webhook", ok=False, attempts=3, error="no answer within 0.3s"),
        Delivery("ops-mail", "email", ok=False, attempts=3, error="connect: no answer within 0.3s"),
    )
    assert rec.sleeps == [1, 2, 1, 2]
    assert rec.lines[2].endswith("attempt 3/3 failed: no answer within 0.3s; giving up")
    assert not all_delivered(results)


def test_client_error_is_not_retried() -> None:
    with HttpReceiver([404], body=b"no_service") as receiver:
        config = NotifyConfig(webhooks=(_hook(),), retry=QUICK)
        (result,), rec = _run(config, {"HOOK": receiver.url()})
    assert result == Delivery("ops-hook", "webhook", False, 1, "HTTP 404 Not Found: no_service")
    assert len(receiver.requests) == 1 and rec.sleeps == []
    assert rec.lines == [
        "webhook ops-hook (127.0.0.1): attempt 1/3 failed: HTTP 404 Not Found: no_service; not retried"
    ]


def test_wrong_smtp_password_is_one_failed_attempt_without_the_password(
    tls_files: TlsFiles,
) -> None:
    wrong = "Wr0ng-and-S3cret"
    with SmtpReceiver(tls_files) as server:
        config = NotifyConfig(email=(_mail(server.port, tls_files.ca),), retry=QUICK)
        (result,), rec = _run(config, {"SMTP_PASSWORD": wrong})
    assert not result.ok and result.attempts == 1
    assert result.error == "authentication failed: 535 5.7.8 Authentication credentials invalid"
    assert "\n" not in result.error
    assert all(wrong not in text for text in [result.error, repr(result), *rec.lines])
    assert server.messages == []


def test_retry_after_is_honoured_up_to_a_minute() -> None:
    with HttpReceiver([429, 503, 200], headers={"Retry-After": "5"}) as receiver:
        config = NotifyConfig(webhooks=(_hook(),), retry=QUICK)
        (result,), rec = _run(config, {"HOOK": receiver.url()})
    assert result.ok and result.attempts == 3
    assert rec.sleeps == [5, 5]
    with HttpReceiver([429, 200], headers={"Retry-After": "3600"}) as receiver:
        config = NotifyConfig(webhooks=(_hook(),), retry=QUICK)
        (result,), rec = _run(config, {"HOOK": receiver.url()})
    assert result.ok and rec.sleeps == [60]


def test_missing_secret_fails_that_channel_only() -> None:
    with HttpReceiver([200]) as receiver:
        config = NotifyConfig(
            webhooks=(_hook("first", env="UNSET_HOOK"), _hook("second")), retry=QUICK
        )
        results, rec = _run(config, {"HOOK": receiver.url()})
    assert results == (
        Delivery(
            "first",
            "webhook",
            False,
            0,
            "webhook first: URL: environment variable UNSET_HOOK is not set or empty",
        ),
        Delivery("second", "webhook", True, 1),
    )
    assert (
        rec.lines[0]
        == "webhook first: not sent: webhook first: URL: environment variable UNSET_HOOK is not set or empty"
    )
    assert len(receiver.requests) == 1


def test_webhook_url_never_appears_in_logs_or_results() -> None:
    with silent_server() as port:
        url = f"http://127.0.0.1:{port}/services/{WEBHOOK_TOKEN}?token=also-secret"
        config = NotifyConfig(webhooks=(_hook(),), retry=RetryPolicy(2, 0, 0.2))
        (result,), rec = _run(config, {"HOOK": url})
    texts = [result.error, repr(result), *rec.lines]
    assert all(
        WEBHOOK_TOKEN not in t and "also-secret" not in t and "/services" not in t for t in texts
    )
    assert all("127.0.0.1" in line for line in rec.lines)


def test_a_bug_in_a_channel_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_alert: Alert, _fmt: str) -> bytes:
        raise RuntimeError(f"render failed for http://127.0.0.1/services/{WEBHOOK_TOKEN}")

    monkeypatch.setattr(webhook, "render", broken)
    with HttpReceiver([200]) as receiver:
        config = NotifyConfig(webhooks=(_hook(),), retry=QUICK)
        (result,), _rec = _run(
            config, {"HOOK": f"http://127.0.0.1:{receiver.port}/services/{WEBHOOK_TOKEN}"}
        )
    assert not result.ok and result.attempts == 1
    assert result.error == "internal error: RuntimeError: render failed for http://127.0.0.1***"
    assert receiver.requests == []


def test_deliver_one_uses_real_sleep_by_default() -> None:
    with HttpReceiver([500, 200]) as receiver:
        result = deliver_one(ALERT, _hook(), RetryPolicy(2, 0, 2), environ={"HOOK": receiver.url()})
    assert result.ok and result.attempts == 2


def test_redact_replaces_longest_secret_first() -> None:
    assert redact("GET /a/b/c?x failed\n at /a/b/c?x", ("/a/b/c?x", "x")) == "GET *** failed at ***"
