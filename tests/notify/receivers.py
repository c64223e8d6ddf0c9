"""Local receivers for alert tests, all on 127.0.0.1: an HTTP(S) webhook server answering a
script of statuses, a socket that never answers, and an SMTP server (aiosmtpd) with STARTTLS
or implicit TLS and AUTH LOGIN/PLAIN. TLS uses a throwaway CA made here with `cryptography`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
SMTP_USER = "alerts@example.com"
SMTP_PASSWORD = "Corr3ct-H0rse-battery-staple"
WEBHOOK_TOKEN = "T000/B000/XXXXsecretTOKENxxxx"
PROXY_VARIABLES = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
)

# ---------------------------------------------------------------------------------------------
# TLS


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # what a client trusts (ca_file)
    cert: Path  # the server's certificate, issued by `ca`, for 127.0.0.1 and localhost
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_tls_files(directory: Path) -> TlsFiles:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("verify test CA"))
        .issuer_name(_name("verify test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


def server_context(tls: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert, tls.key)
    return context


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class HttpReceiver:
    """Answers the n-th POST with statuses[n] (the last status repeats) and records it."""

    def __init__(
        self,
        statuses: Sequence[int] = (200,),
        *,
        tls: TlsFiles | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"ok",
    ) -> None:
        self.statuses = list(statuses)
        self.extra_headers = headers or {}
        self.body = body
        self.requests: list[Request] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                receiver.requests.append(Request(self.path, dict(self.headers.items()), data))
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                status = receiver.statuses[index]
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.scheme = "http"
        if tls is not None:
            self.server.socket = server_context(tls).wrap_socket(
                self.server.socket, server_side=True
            )
            self.scheme = "https"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = f"/services/{WEBHOOK_TOKEN}") -> str:
        return f"{self.scheme}://{HOST}:{self.port}{path}"

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel does) but never says a word."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def closed_port() -> int:
    """A port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# SMTP


@dataclass(frozen=True)
class ReceivedMail:
    starttls: bool  # the session switched to TLS with STARTTLS
    tls: bool  # the transport the message came over was encrypted
    authenticated: bool
    login: str
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class _Handler:
    fail_first: int = 0
    messages: list[ReceivedMail] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refused < self.fail_first:
            self.refused += 1
            return "451 4.3.0 Temporary local problem, try again later"
        transport = server.transport
        login = session.auth_data.login.decode() if session.auth_data else ""
        content = envelope.original_content or b""
        self.messages.append(
            ReceivedMail(
                starttls=session.ssl is not None,
                tls=transport is not None and transport.get_extra_info("ssl_object") is not None,
                authenticated=bool(session.authenticated),
                login=login,
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                raw=content,
            )
        )
        return "250 2.0.0 OK queued"


class _Controller(Controller):
    """Binds port 0 and learns the port the system chose (no free-port race)."""

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        create = super()._create_server()

        async def bound() -> asyncio.AbstractServer:
            server = await create
            assert isinstance(server, asyncio.Server)
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bound()


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1: STARTTLS required (or implicit TLS), AUTH required.

    With offer_starttls=False it is a plain-text server that offers neither STARTTLS nor AUTH.
    """

    def __init__(
        self,
        tls: TlsFiles,
        *,
        implicit_tls: bool = False,
        offer_starttls: bool = True,
        fail_first: int = 0,
        exclude_mechanisms: Sequence[str] = (),
        password: str = SMTP_PASSWORD,
    ) -> None:
        self.handler = _Handler(fail_first=fail_first)
        self.mechanisms: list[str] = []
        self.password = password
        context = server_context(tls)
        options: dict[str, Any] = {
            "hostname": HOST,
            "port": 0,
            "authenticator": self._authenticate,
            "auth_required": True,
            "auth_exclude_mechanism": list(exclude_mechanisms),
        }
        if implicit_tls:
            # AUTH is offered only after STARTTLS unless told otherwise; here TLS is from the start.
            options.update(ssl_context=context, auth_require_tls=False)
        elif offer_starttls:
            options.update(tls_context=context, require_starttls=True)
        self.controller = _Controller(self.handler, **options)

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        self.mechanisms.append(mechanism)
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == SMTP_USER
            and data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()
