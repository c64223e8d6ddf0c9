"""E-mail alerts over SMTP: STARTTLS (or implicit TLS) with verified certificates, then AUTH.

The password is read at delivery time, kept out of repr() and never put in a message.
Plain text is never fallen back to: a server that does not offer STARTTLS is a failed delivery.
"""

from __future__ import annotations

import base64
import json
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import ClassVar

from verifier import __version__
from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import EmailChannel

ATTACHMENT_NAME = "drift.json"


def build_message(alert: Alert, channel: EmailChannel) -> EmailMessage:
    """Plain-text body, subject = alert title, the payload attached as drift.json."""
    message = EmailMessage()
    message["Subject"] = alert.title
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.to)
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(channel.sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    # RFC 3834: tells vacation auto-responders not to answer the alert.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Mailer"] = f"verify/{__version__}"
    message.set_content(alert.text if alert.text.strip() else alert.title)
    document = json.dumps(dict(alert.payload), indent=2, ensure_ascii=False, default=str)
    message.add_attachment(
        document.encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=ATTACHMENT_NAME,
    )
    return message


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:200]


def _response_failure(stage: str, code: int, raw: bytes | str) -> DeliveryFailure:
    """5xx is permanent (RFC 5321), 4xx is worth another try."""
    return DeliveryFailure(f"{stage}: {code} {_text(raw)}", retry=not 500 <= code < 600)


def _failure(exc: BaseException, stage: str, timeout: float) -> DeliveryFailure:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Never retried: a wrong password will not become right, and retries can lock accounts.
        return DeliveryFailure(
            f"authentication failed: {exc.smtp_code} {_text(exc.smtp_error)}", retry=False
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(
            f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()
        )
        return DeliveryFailure(
            f"all recipients refused: {detail}", retry=all(400 <= c < 500 for c in codes)
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _response_failure(stage, exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryFailure(f"{stage}: not supported by the server: {exc}", retry=False)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib turns a read timeout or reset into this; the cause is in __context__.
        cause = exc.__context__
        if isinstance(cause, OSError):
            return _failure(cause, stage, timeout)
        return DeliveryFailure(f"{stage}: server closed the connection", retry=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or "verification failed"
        return DeliveryFailure(f"{stage}: TLS certificate not trusted: {detail}", retry=False)
    if isinstance(exc, ssl.SSLError):
        return DeliveryFailure(
            f"{stage}: TLS error: {exc.reason or type(exc).__name__}", retry=True
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return DeliveryFailure(f"{stage}: no answer within {timeout:g}s", retry=True)
    if isinstance(exc, socket.gaierror):
        return DeliveryFailure(f"{stage}: cannot resolve host: {exc.strerror or exc}", retry=True)
    if isinstance(exc, OSError):
        return DeliveryFailure(f"{stage}: {exc.strerror or type(exc).__name__}", retry=True)
    return DeliveryFailure(f"{stage}: {type(exc).__name__}: {_text(str(exc))}", retry=False)


@dataclass(frozen=True)
class MailTarget:
    """An e-mail channel with its password read: ready to send."""

    channel: EmailChannel
    password: str | None = field(default=None, repr=False)

    kind: ClassVar[str] = "email"

    @property
    def name(self) -> str:
        return self.channel.name

    @property
    def describe(self) -> str:
        return f"email {self.channel.name} ({self.channel.host}:{self.channel.port})"

    def secrets(self) -> tuple[str, ...]:
        """The password and the forms AUTH sends it in, to scrub from any message."""
        if not self.password:
            return ()
        user = self.channel.username or ""
        plain = f"\0{user}\0{self.password}".encode()
        forms = (base64.b64encode(plain), base64.b64encode(self.password.encode()))
        return (self.password, *(form.decode("ascii") for form in forms))

    def send(self, alert: Alert, timeout: float) -> None:
        """Send once; DeliveryFailure says why not and whether to retry."""
        channel = self.channel
        message = build_message(alert, channel)
        envelope_to = [parseaddr(addr)[1] for addr in channel.to]
        envelope_from = parseaddr(channel.sender)[1]
        cafile = str(channel.ca_file) if channel.ca_file else None
        context = ssl.create_default_context(cafile=cafile)
        client: smtplib.SMTP | None = None
        stage = "connect"
        try:
            if channel.security == "ssl":
                client = smtplib.SMTP_SSL(
                    channel.host, channel.port, timeout=timeout, context=context
                )
            else:
                client = smtplib.SMTP(channel.host, channel.port, timeout=timeout)
            stage = "EHLO"
            client.ehlo()
            if channel.security == "starttls":
                stage = "STARTTLS"
                if not client.has_extn("starttls"):
                    raise DeliveryFailure(
                        "STARTTLS: the server does not offer it (not sending in plain text)",
                        retry=False,
                    )
                client.starttls(context=context)
                client.ehlo()
            if channel.username:
                stage = "AUTH"
                if not client.has_extn("auth"):
                    raise DeliveryFailure("AUTH: the server does not offer it", retry=False)
                client.login(channel.username, self.password or "")
            stage = "send"
            refused = client.send_message(message, envelope_from, envelope_to)
        except DeliveryFailure:
            raise
        except Exception as exc:
            raise _failure(exc, stage, timeout) from None
        finally:
            if client is not None:
                _close(client)
        if refused:
            detail = "; ".join(
                f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in refused.items()
            )
            # Some recipients got it: a retry would send them a duplicate.
            raise DeliveryFailure(f"some recipients refused: {detail}", retry=False)


def _close(client: smtplib.SMTP) -> None:
    """QUIT politely; a failure after the message was accepted does not undo the delivery."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def prepare(channel: EmailChannel, environ: Mapping[str, str] | None = None) -> MailTarget:
    """Read the channel's password (if it logs in); DeliveryFailure (not retried) if missing."""
    password = channel.password.read(environ) if channel.password else None
    return MailTarget(channel=channel, password=password)
