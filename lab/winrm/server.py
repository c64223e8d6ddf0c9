"""The WS-Management endpoint: a stdlib HTTP server per port, WinRS shells in memory.

    python -m lab.winrm.server --listen 127.0.0.1:5985:Administrator:Passw0rd[:PROFILE] [...]

(the command line is ``lab/winrm/cli.py``).

Per request: authenticate (Basic, or NTLM bound to the TCP connection as in HTTP.sys), decrypt
an NTLM-sealed body, dispatch the SOAP action, seal the reply if the request was sealed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import socket
import ssl
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lab.winrm import soap
from lab.winrm.handlers import CommandRequest, CommandResult, Handler, default_handler
from lab.winrm.hostprofile import load_profile
from lab.winrm.hoststate import HostState
from lab.winrm.ntlm_http import (
    ENCRYPTED_CONTENT_TYPE,
    CredentialFile,
    NtlmAcceptor,
    NtlmError,
    parse_authorization,
)
from lab.winrm.profile_handler import profile_handler
from lab.winrm.tls import TlsFiles

MAX_BODY = 16 * 1024 * 1024
AUTH_SCHEMES = frozenset({"basic", "ntlm"})


@dataclass(frozen=True)
class Endpoint:
    """One WinRM listener. ``port=0`` picks a free port (see :attr:`RunningEndpoint.port`)."""

    username: str
    password: str
    port: int = 0
    host: str = "127.0.0.1"
    hostname: str = "WIN-LAB"  # what `hostname` answers
    handler: Handler = default_handler
    auth: frozenset[str] = AUTH_SCHEMES  # subset of {"basic", "ntlm"}
    name: str = ""  # for callers: the inventory host it serves
    profile: str | None = None  # informational: the Windows profile its handler answers as
    tls: TlsFiles | None = None  # HTTPS (the WinRM default port 5986 scheme) when set


def profile_endpoint(
    profile: str | Path,
    username: str,
    password: str,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    auth: frozenset[str] = AUTH_SCHEMES,
    hostname: str | None = None,
    today: dt.date | None = None,
    name: str = "",
    tls: TlsFiles | None = None,
    journal: str | Path | None = None,
    state: HostState | None = None,
) -> Endpoint:
    """A listener answering as a Windows host profile (``lab/winrm/profiles/<profile>``).

    ``hostname`` overrides the profile's computer name; ``today`` shifts its recorded dates;
    ``journal`` is the JSON-lines file every module call is recorded in (see
    :func:`lab.winrm.profile_handler.profile_handler`). Remediation modules change this
    endpoint's own copy of the profile's records, never the profile; ``state`` is that copy
    when the caller prepared one (:func:`lab.winrm.profile_handler.profile_state`)."""
    prof = load_profile(profile)
    return Endpoint(
        username=username,
        password=password,
        port=port,
        host=host,
        hostname=hostname or prof.hostname,
        handler=profile_handler(prof, hostname, today, journal=journal, state=state),
        auth=auth,
        name=name or prof.name,
        profile=prof.name,
        tls=tls,
    )


@dataclass
class _Command:
    command: str
    arguments: tuple[str, ...]
    username: str
    stdin: bytearray = field(default_factory=bytearray)
    result: CommandResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Fault(Exception):
    def __init__(self, subcode: str, reason: str, code: int) -> None:
        super().__init__(reason)
        self.subcode, self.reason, self.code = subcode, reason, code


def _no_shell(shell_id: str | None) -> _Fault:
    # ERROR_WSMAN_INVALID_SELECTORS, as WinRM answers for an unknown/closed shell.
    return _Fault("w:InvalidSelectors", f"The shell {shell_id} was not found.", 2150858843)


def _no_command(command_id: str | None) -> _Fault:
    return _Fault("w:InvalidSelectors", f"The command {command_id} was not found.", 2150858843)


class _Shells:
    """The WinRS shells of one endpoint: shell id -> command id -> command."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shells: dict[str, dict[str, _Command]] = {}

    def create(self) -> str:
        shell_id = str(uuid.uuid4()).upper()
        with self._lock:
            self._shells[shell_id] = {}
        return shell_id

    def delete(self, shell_id: str | None) -> None:
        with self._lock:
            if self._shells.pop(shell_id or "", None) is None:
                raise _no_shell(shell_id)

    def add(self, shell_id: str | None, cmd: _Command) -> str:
        command_id = str(uuid.uuid4()).upper()
        with self._lock:
            if shell_id not in self._shells:
                raise _no_shell(shell_id)
            self._shells[shell_id][command_id] = cmd
        return command_id

    def get(self, shell_id: str | None, command_id: str | None) -> _Command:
        with self._lock:
            commands = self._shells.get(shell_id or "")
            if commands is None:
                raise _no_shell(shell_id)
            cmd = commands.get(command_id or "")
            if cmd is None:
                raise _no_command(command_id)
            return cmd

    def remove(self, shell_id: str | None, command_id: str | None) -> None:
        with self._lock:
            commands = self._shells.get(shell_id or "")
            if commands is None:
                raise _no_shell(shell_id)
            commands.pop(command_id or "", None)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # keep-alive client connections must not block stop()

    def __init__(self, endpoint: Endpoint, verbose: bool) -> None:
        super().__init__((endpoint.host, endpoint.port), _RequestHandler)
        self.endpoint = endpoint
        self.verbose = verbose
        self.shells = _Shells()
        self.stats: Counter[str] = Counter()  # "requests", "sealed" (NTLM-encrypted exchanges)
        self.creds = CredentialFile(endpoint.username, endpoint.password)
        self.tls = endpoint.tls.server_context() if endpoint.tls else None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The TLS handshake runs lazily in the request thread, not in the accept loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client refusing the lab certificate, or hanging up, is the client's business.
        if not self.verbose and isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def _run(cmd: _Command, endpoint: Endpoint) -> CommandResult:
    """Run the handler once, with all stdin sent so far (stdin is complete by the time a
    client starts receiving: pywinrm and Ansible send every chunk before the first Receive)."""
    with cmd.lock:
        if cmd.result is None:
            req = CommandRequest(
                cmd.command, cmd.arguments, bytes(cmd.stdin), cmd.username, endpoint.hostname
            )
            try:
                cmd.result = endpoint.handler(req)
            except Exception as exc:  # a broken handler is a failed command, not a dead server
                cmd.result = CommandResult(
                    stderr=f"handler error: {exc!r}\r\n".encode(), exit_code=1
                )
        return cmd.result


def dispatch(server: _Server, req: soap.Request, username: str) -> bytes:
    shells, ep = server.shells, server.endpoint
    if req.action == soap.CREATE:
        address = f"http://{ep.host}:{server.port}/wsman"
        return soap.create_response(req, shells.create(), address)
    if req.action == soap.DELETE:
        shells.delete(req.shell_id)
        return soap.delete_response(req)
    if req.action == soap.COMMAND:
        line = req.find("rsp:CommandLine")
        if line is None:
            raise _Fault("w:InvalidParameter", "CommandLine missing", 2150858882)
        command = (line.findtext("rsp:Command", "", soap.NS) or "").strip()
        args = tuple((a.text or "") for a in line.findall("rsp:Arguments", soap.NS))
        command_id = shells.add(req.shell_id, _Command(command, args, username))
        return soap.command_response(req, command_id)
    if req.action == soap.SEND:
        send = req.find("rsp:Send")
        for stream in send.findall("rsp:Stream", soap.NS) if send is not None else []:
            cmd = shells.get(req.shell_id, stream.get("CommandId"))
            try:
                cmd.stdin += base64.b64decode(stream.text or "")
            except binascii.Error as exc:
                raise _Fault("w:InvalidParameter", "bad stdin encoding", 2150858882) from exc
        return soap.send_response(req)
    if req.action == soap.RECEIVE:
        desired = req.find("rsp:Receive/rsp:DesiredStream")
        receive_id = desired.get("CommandId") if desired is not None else None
        res = _run(shells.get(req.shell_id, receive_id), ep)
        return soap.receive_response(req, receive_id or "", res.stdout, res.stderr, res.exit_code)
    if req.action == soap.SIGNAL:
        sig = req.find("rsp:Signal")
        # terminate and ctrl_c both end the command; output not yet received is discarded.
        shells.remove(req.shell_id, sig.get("CommandId") if sig is not None else None)
        return soap.signal_response(req)
    raise _Fault("a:ActionNotSupported", f"action {req.action} is not supported", 2150858752)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: NTLM authenticates the connection
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.ntlm: NtlmAcceptor | None = None

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if content_type and body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _unauthorized(self, token: tuple[str, bytes] | None = None) -> None:
        ep = self.server.endpoint
        if token:  # NTLM CHALLENGE, in the scheme the client used
            challenge = [("WWW-Authenticate", f"{token[0]} {base64.b64encode(token[1]).decode()}")]
        else:
            challenge = []
            if "ntlm" in ep.auth:
                challenge.append(("WWW-Authenticate", "Negotiate"))
            if "basic" in ep.auth:
                challenge.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        self._reply(401, headers=challenge)

    def _authenticate(self) -> str | None:
        """The authenticated user, or None after a 401 was sent."""
        ep = self.server.endpoint
        header = self.headers.get("Authorization")
        parsed = parse_authorization(header) if header else None
        if header is None:
            if self.ntlm is not None and self.ntlm.complete:
                return self.ntlm.username or ep.username
        elif parsed and parsed[0] == "basic" and "basic" in ep.auth:
            user, _, password = parsed[1].decode("utf-8", "replace").partition(":")
            if user.lower() == ep.username.lower() and hmac.compare_digest(
                password.encode(), ep.password.encode()
            ):
                return ep.username
        elif parsed and parsed[0] in ("negotiate", "ntlm") and "ntlm" in ep.auth:
            scheme = "Negotiate" if parsed[0] == "negotiate" else "NTLM"
            self.ntlm = self.ntlm or NtlmAcceptor(self.server.creds)
            try:
                out = self.ntlm.step(parsed[1])
            except NtlmError as exc:
                self.log_message("NTLM rejected: %s", exc)
            else:
                if out is not None:
                    self._unauthorized((scheme, out))
                    return None
                if self.ntlm.complete:
                    return self.ntlm.username or ep.username
        self._unauthorized()
        return None

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413)
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].rstrip("/").lower() != "/wsman":
            self._reply(404)
            return
        username = self._authenticate()
        if username is None:
            return
        encrypted = (self.headers.get("Content-Type") or "").startswith("multipart/encrypted")
        if encrypted:
            try:
                assert self.ntlm is not None, "sealed body needs an NTLM session"
                body = self.ntlm.unwrap_body(body)
            except (AssertionError, NtlmError) as exc:
                self.log_message("bad encrypted body: %s", exc)
                self._reply(400)
                return
        if not body:  # pywinrm's empty POST that only sets up the NTLM context
            self._reply(200)
            return
        status, reply = 200, b""
        try:
            req = soap.parse(body)
        except soap.SoapError as exc:
            status, reply = 400, soap.fault("", "w:SchemaValidationError", str(exc), 2150858817)
        else:
            try:
                reply = dispatch(self.server, req, username)
            except _Fault as f:
                status, reply = 500, soap.fault(req.message_id, f.subcode, f.reason, f.code)
        self.server.stats["requests"] += 1
        if encrypted:
            assert self.ntlm is not None
            self.server.stats["sealed"] += 1
            self._reply(status, self.ntlm.wrap_body(reply), ENCRYPTED_CONTENT_TYPE)
        else:
            self._reply(status, reply, soap.CONTENT_TYPE)


@dataclass(frozen=True)
class RunningEndpoint:
    endpoint: Endpoint
    port: int
    stats: Counter[str]  # live counters of the listener

    @property
    def url(self) -> str:
        scheme = "https" if self.endpoint.tls else "http"
        return f"{scheme}://{self.endpoint.host}:{self.port}/wsman"


class ServerHandle:
    """The running listeners (one thread each); :meth:`stop` closes them."""

    def __init__(self, servers: list[_Server]) -> None:
        self._servers = servers
        self.endpoints = [RunningEndpoint(s.endpoint, s.port, s.stats) for s in servers]
        self._threads = [
            threading.Thread(target=s.serve_forever, name=f"winrm-{s.port}", daemon=True)
            for s in servers
        ]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        for s in self._servers:
            s.shutdown()
            s.server_close()
            s.creds.close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(endpoints: Sequence[Endpoint], verbose: bool = False) -> ServerHandle:
    servers: list[_Server] = []
    try:
        for ep in endpoints:
            unknown = set(ep.auth) - AUTH_SCHEMES
            if unknown:
                raise ValueError(f"unsupported auth {sorted(unknown)}")
            servers.append(_Server(ep, verbose))
    except BaseException:
        for s in servers:
            s.server_close()
            s.creds.close()
        raise
    return ServerHandle(servers)


if __name__ == "__main__":
    from lab.winrm.cli import main  # here, not on top: the CLI imports this module

    sys.exit(main())
