"""E-mail alerts against a local aiosmtpd: STARTTLS or implicit TLS, AUTH PLAIN/LOGIN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.notify.receivers import (
    SMTP_PASSWORD,
    SMTP_USER,
    SmtpReceiver,
    TlsFiles,
    silent_server,
)
from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import EmailChannel, Secret
from verifier.notify.smtp_mail import MailTarget, build_message, prepare

ALERT = Alert(
    title="verify: drift on acme (1 change), ünïcode",
    text="srv-01  ssh.root_login  pass -> fail\n",
    payload={"client": "acme", "changes": [{"host": "srv-01", "check": "ssh.root_login"}]},
)


def _channel(
    port: int, *, ca_file: Path | None, security: str = "starttls", username: str | None = SMTP_USER
) -> EmailChannel:
    return EmailChannel(
        name="ops-mail",
        host="127.0.0.1",
        port=port,
        security=security,
        sender="verify <verify@example.com>",
        to=("noc@example.com", "Oncall <oncall@example.com>"),
        username=username,
        password=Secret("email ops-mail: password", env="SMTP_PASSWORD") if username else None,
        ca_file=ca_file,
    )


def _target(channel: EmailChannel, password: str = SMTP_PASSWORD) -> MailTarget:
    return prepare(channel, {"SMTP_PASSWORD": password})


def test_message_has_subject_body_and_drift_attachment() -> None:
    message = build_message(ALERT, _channel(25, ca_file=None))
    assert message["Subject"] == ALERT.title
    assert message["From"] == "verify <verify@example.com>"
    assert message["To"] == "noc@example.com, Oncall <oncall@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@example.com>")
    body = message.get_body(("plain",))
    assert body is not None and body.get_content() == ALERT.text
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "drift.json"
    assert attachment.get_content_type() == "application/json"
    assert json.loads(attachment.get_content()) == ALERT.payload


@pytest.mark.parametrize(("excluded", "mechanism"), [((), "PLAIN"), (("PLAIN",), "LOGIN")])
def test_starttls_and_auth(tls_files: TlsFiles, excluded: tuple[str, ...], mechanism: str) -> None:
    with SmtpReceiver(tls_files, exclude_mechanisms=excluded) as server:
        _target(_channel(server.port, ca_file=tls_files.ca)).send(ALERT, timeout=5)
    assert server.mechanisms == [mechanism]
    (mail,) = server.messages
    assert mail.starttls and mail.tls, "the message must have come over STARTTLS"
    assert mail.authenticated and mail.login == SMTP_USER
    assert mail.mail_from == "verify@example.com"
    assert mail.rcpt_tos == ["noc@example.com", "oncall@example.com"]
    message = mail.message()
    assert message["Subject"] == ALERT.title
    (attachment,) = message.iter_attachments()
    assert json.loads(attachment.get_content()) == ALERT.payload


# aiosmtpd warns about AUTH without STARTTLS; here the whole session is TLS from the start.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(tls_files: TlsFiles) -> None:
    with SmtpReceiver(tls_files, implicit_tls=True) as server:
        _target(_channel(server.port, ca_file=tls_files.ca, security="ssl")).send(ALERT, timeout=5)
    (mail,) = server.messages
    assert mail.tls and not mail.starttls and mail.authenticated


def test_wrong_password_fails_once_with_a_clean_reason(tls_files: TlsFiles) -> None:
    wrong = "wr0ng-Passw0rd-xyz"
    with SmtpReceiver(tls_files) as server, pytest.raises(DeliveryFailure) as caught:
        _target(_channel(server.port, ca_file=tls_files.ca), password=wrong).send(ALERT, timeout=5)
    assert (
        caught.value.reason == "authentication failed: 535 5.7.8 Authentication credentials invalid"
    )
    assert not caught.value.retry
    assert wrong not in caught.value.reason and server.messages == []


def test_untrusted_certificate_stops_before_auth(tls_files: TlsFiles) -> None:
    with SmtpReceiver(tls_files) as server, pytest.raises(DeliveryFailure) as caught:
        _target(_channel(server.port, ca_file=None)).send(ALERT, timeout=5)
    assert caught.value.reason.startswith("STARTTLS: TLS certificate not trusted")
    assert not caught.value.retry
    assert server.mechanisms == [] and server.messages == []


def test_no_plain_text_fallback_without_starttls(tls_files: TlsFiles) -> None:
    with (
        SmtpReceiver(tls_files, offer_starttls=False) as server,
        pytest.raises(DeliveryFailure) as caught,
    ):
        _target(_channel(server.port, ca_file=tls_files.ca)).send(ALERT, timeout=5)
    assert (
        caught.value.reason == "STARTTLS: the server does not offer it (not sending in plain text)"
    )
    assert not caught.value.retry
    assert server.mechanisms == [] and server.messages == []


def test_temporary_refusal_is_retryable(tls_files: TlsFiles) -> None:
    with SmtpReceiver(tls_files, fail_first=1) as server, pytest.raises(DeliveryFailure) as caught:
        _target(_channel(server.port, ca_file=tls_files.ca)).send(ALERT, timeout=5)
    assert caught.value.reason == "send: 451 4.3.0 Temporary local problem, try again later"
    assert caught.value.retry


def test_server_that_never_answers_times_out() -> None:
    with silent_server() as port, pytest.raises(DeliveryFailure) as caught:
        _target(_channel(port, ca_file=None)).send(ALERT, timeout=0.3)
    assert caught.value.reason == "connect: no answer within 0.3s"
    assert caught.value.retry


def test_target_hides_the_password(tls_files: TlsFiles) -> None:
    target = _target(_channel(2525, ca_file=tls_files.ca))
    assert SMTP_PASSWORD not in repr(target)
    assert target.describe == "email ops-mail (127.0.0.1:2525)"
    assert SMTP_PASSWORD in target.secrets()


def test_missing_password_env_is_not_retried() -> None:
    with pytest.raises(DeliveryFailure) as caught:
        prepare(_channel(25, ca_file=None), {})
    assert caught.value.reason == (
        "email ops-mail: password: environment variable SMTP_PASSWORD is not set or empty"
    )
    assert not caught.value.retry
