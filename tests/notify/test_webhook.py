"""Webhook formats (Slack, Teams, JSON) and one POST against a local HTTP(S) receiver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.notify.receivers import WEBHOOK_TOKEN, HttpReceiver, TlsFiles, closed_port, silent_server
from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import Secret, WebhookChannel
from verifier.notify.webhook import (
    NBSP,
    TEAMS_LINE_LIMIT,
    WebhookTarget,
    json_payload,
    prepare,
    slack_payload,
    teams_payload,
)

ALERT = Alert(
    title="verify: drift on acme (2 changes)",
    text="srv-01  ssh.root_login  pass -> fail\n\n  detail: <PermitRootLogin yes> & more",
    payload={"client": "acme", "changes": [{"host": "srv-01", "check": "ssh.root_login"}]},
)


def _channel(fmt: str = "json", ca_file: Path | None = None) -> WebhookChannel:
    return WebhookChannel("ops-hook", fmt, Secret("webhook ops-hook: URL", env="HOOK"), ca_file)


def _target(url: str, fmt: str = "json", ca_file: Path | None = None) -> WebhookTarget:
    return prepare(_channel(fmt, ca_file), {"HOOK": url})


# formats ------------------------------------------------------------------------------------


def test_slack_payload_has_text_and_blocks_with_escaped_mrkdwn() -> None:
    payload = slack_payload(ALERT)
    assert payload["text"].startswith("*verify: drift on acme (2 changes)*\n```\n")
    assert "&lt;PermitRootLogin yes&gt; &amp; more" in payload["text"]
    header, section = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": ALERT.title}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("```\nsrv-01") and section["text"]["text"].endswith(
        "\n```"
    )


def test_slack_payload_fits_slack_limits() -> None:
    big = Alert("t" * 400, "x" * 10_000 + "```", {})
    payload = slack_payload(big)
    assert len(payload["blocks"][0]["text"]["text"]) <= 150
    assert len(payload["blocks"][1]["text"]["text"]) <= 3000
    assert payload["blocks"][1]["text"]["text"].count("```") == 2
    assert "(truncated)" in payload["text"] and len(payload["text"]) < 4000


def test_teams_payload_is_an_adaptive_card_in_a_message() -> None:
    payload = teams_payload(ALERT)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    title, *lines = card["body"]
    assert title["text"] == ALERT.title and title["weight"] == "Bolder"
    assert [b["text"] for b in lines] == [
        "srv-01  ssh.root_login  pass -> fail",
        NBSP,
        NBSP * 2 + "detail: <PermitRootLogin yes> & more",
    ]
    assert all(b["type"] == "TextBlock" and b["wrap"] for b in card["body"])


def test_teams_payload_caps_long_bodies() -> None:
    long = Alert("t", "\n".join(f"line {i}" for i in range(500)), {})
    body = teams_payload(long)["attachments"][0]["content"]["body"]
    assert len(body) == 1 + TEAMS_LINE_LIMIT + 1
    assert body[-1]["text"] == f"... {500 - TEAMS_LINE_LIMIT} more lines not shown"


def test_teams_payload_stays_under_the_teams_size_limit() -> None:
    wide = Alert("t", "\n".join("é" * 400 for _ in range(140)), {})
    payload = teams_payload(wide)
    assert len(json.dumps(payload, ensure_ascii=False).encode()) < 28 * 1024
    assert payload["attachments"][0]["content"]["body"][-1]["text"].endswith("more lines not shown")


def test_json_payload_sends_the_document_as_is() -> None:
    assert json_payload(ALERT) == {
        "title": ALERT.title,
        "text": ALERT.text,
        "drift": dict(ALERT.payload),
    }


# sending ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["slack", "teams", "json"])
def test_post_reaches_the_receiver(fmt: str) -> None:
    with HttpReceiver([200]) as receiver:
        _target(receiver.url(), fmt).send(ALERT, timeout=5)
    (request,) = receiver.requests
    assert request.path == f"/services/{WEBHOOK_TOKEN}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["User-Agent"].startswith("verify/")
    expected = {"slack": slack_payload, "teams": teams_payload, "json": json_payload}[fmt](ALERT)
    assert request.json() == expected


def test_https_with_ca_file(tls_files: TlsFiles) -> None:
    with HttpReceiver([202], tls=tls_files) as receiver:
        _target(receiver.url(), "teams", tls_files.ca).send(ALERT, timeout=5)
    assert receiver.requests[0].json()["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_untrusted_certificate_is_not_retried(tls_files: TlsFiles) -> None:
    with HttpReceiver([200], tls=tls_files) as receiver, pytest.raises(DeliveryFailure) as caught:
        _target(receiver.url()).send(ALERT, timeout=5)
    assert caught.value.reason.startswith("TLS certificate not trusted")
    assert not caught.value.retry
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("status", "retry", "reason"),
    [
        (500, True, "HTTP 500 Internal Server Error: oops"),
        (503, True, "HTTP 503 Service Unavailable: oops"),
        (429, True, "HTTP 429 Too Many Requests: oops"),
        (408, True, "HTTP 408 Request Timeout: oops"),
        (400, False, "HTTP 400 Bad Request: oops"),
        (404, False, "HTTP 404 Not Found: oops"),
        (410, False, "HTTP 410 Gone: oops"),
    ],
)
def test_http_errors_retry_only_when_it_can_help(status: int, retry: bool, reason: str) -> None:
    with HttpReceiver([status], body=b"oops") as receiver, pytest.raises(DeliveryFailure) as caught:
        _target(receiver.url()).send(ALERT, timeout=5)
    assert (caught.value.reason, caught.value.retry) == (reason, retry)


def test_retry_after_is_passed_on() -> None:
    with (
        HttpReceiver([429], headers={"Retry-After": "7"}) as receiver,
        pytest.raises(DeliveryFailure) as caught,
    ):
        _target(receiver.url()).send(ALERT, timeout=5)
    assert caught.value.retry_after == 7


def test_redirect_is_not_followed() -> None:
    with (
        HttpReceiver([302], headers={"Location": "/elsewhere"}) as receiver,
        pytest.raises(DeliveryFailure) as caught,
    ):
        _target(receiver.url()).send(ALERT, timeout=5)
    assert caught.value.reason == "HTTP 302 Found (redirects are not followed)"
    assert not caught.value.retry
    assert [r.path for r in receiver.requests] == [f"/services/{WEBHOOK_TOKEN}"]


def test_receiver_that_never_answers_times_out() -> None:
    with silent_server() as port, pytest.raises(DeliveryFailure) as caught:
        _target(f"http://127.0.0.1:{port}/hook").send(ALERT, timeout=0.3)
    assert caught.value.reason == "no answer within 0.3s"
    assert caught.value.retry


def test_refused_connection_is_retried() -> None:
    with pytest.raises(DeliveryFailure) as caught:
        _target(f"http://127.0.0.1:{closed_port()}/hook").send(ALERT, timeout=2)
    assert caught.value.reason == "cannot connect: Connection refused"
    assert caught.value.retry


# the URL is a secret --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "http://hooks.example.com/T/secret-token",
            "must use https (http is only allowed to this machine)",
        ),
        ("ftp://hooks.example.com/secret-token", "is not an https:// URL"),
        ("secret-token", "is not an https:// URL"),
        ("https://user:secret-token@hooks.example.com/x", "must not hold a user name or password"),
        ("https://hooks.example.com:99999/secret-token", "is not a valid URL"),
        ("https://hooks.example.com/secret token", "contains whitespace"),
    ],
)
def test_unusable_url_is_reported_without_the_url(url: str, reason: str) -> None:
    with pytest.raises(DeliveryFailure) as caught:
        _target(url)
    assert caught.value.reason == f"webhook ops-hook: URL from environment variable HOOK {reason}"
    assert "secret" not in caught.value.reason
    assert not caught.value.retry


def test_target_hides_the_url() -> None:
    target = _target(f"https://hooks.slack.com/services/{WEBHOOK_TOKEN}?x=1")
    assert WEBHOOK_TOKEN not in repr(target)
    assert target.describe == "webhook ops-hook (hooks.slack.com)"
    assert f"/services/{WEBHOOK_TOKEN}?x=1" in target.secrets()
