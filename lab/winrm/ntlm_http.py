"""NTLM over HTTP as WinRM does it: the 401 handshake and MS-WSMV 2.2.9.1 message encryption.

The server side is pyspnego's NTLM acceptor. It looks passwords up in the file named by the env
var ``NTLM_USER_FILE`` (lines ``DOMAIN:user:password``) when it processes the AUTHENTICATE
message, so each endpoint gets its own file and we point the env var at it under a lock for
the duration of that call: one process can then serve endpoints with different users.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import spnego
import spnego.exceptions
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1  # the hashes the acceptor compares with

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_OCTET = b"\tContent-Type: application/octet-stream\r\n"
_ENV_LOCK = threading.Lock()


class NtlmError(Exception):
    """Authentication failed or a message could not be decrypted (answer 401/400)."""


class CredentialFile:
    """A private ``NTLM_USER_FILE`` for one endpoint's user (removed by :meth:`close`)."""

    def __init__(self, username: str, password: str) -> None:
        if ":" in username or "\n" in username:
            raise ValueError("an NTLM user name cannot contain ':' or a newline")
        # smbpasswd format (USER:UID:LM:NT:FLAGS:LCT) rather than DOMAIN:user:password: the
        # latter cannot hold a password containing ':'. USER may be DOMAIN\\user.
        lm, nt = (base64.b16encode(h(password)).decode() for h in (lmowfv1, ntowfv1))
        fd, name = tempfile.mkstemp(prefix="winrm-ntlm-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{username}:0:{lm}:{nt}:[U]:LCT-00000000\n")
        self.path = Path(name)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        with _ENV_LOCK:
            old = os.environ.get("NTLM_USER_FILE")
            os.environ["NTLM_USER_FILE"] = str(self.path)
            try:
                yield
            finally:
                if old is None:
                    os.environ.pop("NTLM_USER_FILE", None)
                else:
                    os.environ["NTLM_USER_FILE"] = old


class NtlmAcceptor:
    """The NTLM state of one TCP connection (HTTP NTLM auth is connection-bound)."""

    def __init__(self, creds: CredentialFile) -> None:
        self._creds = creds
        self._ctx: spnego.ContextProxy | None = None
        self.complete = False
        self.username = ""

    def step(self, token: bytes) -> bytes | None:
        """Feed NEGOTIATE (returns CHALLENGE) or AUTHENTICATE (returns None when accepted).
        Raises NtlmError on a bad token or wrong credentials."""
        if not token.startswith(b"NTLMSSP\x00"):
            raise NtlmError("not a raw NTLMSSP token (SPNEGO/Kerberos is not supported)")
        msg_type = struct.unpack("<I", token[8:12])[0] if len(token) >= 12 else 0
        try:
            with self._creds.active():
                if msg_type == 1:  # NEGOTIATE starts over, as on a real server
                    self.complete = False
                    self._ctx = spnego.server(protocol="ntlm", service="http")
                elif self._ctx is None or msg_type != 3:
                    raise NtlmError("unexpected NTLM message")
                out = self._ctx.step(token)
        except spnego.exceptions.SpnegoError as exc:
            self._ctx, self.complete = None, False
            raise NtlmError(str(exc)) from exc
        if msg_type == 3:
            self.complete = self._ctx.complete
            self.username = self._ctx.client_principal or ""
        return out

    def unwrap_body(self, body: bytes) -> bytes:
        """Decrypt a ``multipart/encrypted`` request body (pywinrm's encryption.py framing)."""
        if not (self.complete and self._ctx):
            raise NtlmError("encrypted message without an NTLM session")
        out = b""
        parts = [p for p in body.split(BOUNDARY + b"\r\n") if p]
        if len(parts) % 2:
            raise NtlmError("odd number of MIME parts")
        for header, payload in zip(parts[::2], parts[1::2], strict=True):
            m = re.search(rb"Length=(\d+)", header)
            if not m or PROTOCOL.encode() not in header:
                raise NtlmError("bad encrypted part header")
            payload = payload.removesuffix(BOUNDARY + b"--\r\n").removeprefix(_OCTET)
            if len(payload) < 4:
                raise NtlmError("short encrypted part")
            sig_len = struct.unpack("<i", payload[:4])[0]
            # The wire has signature_length|signature|sealed; pyspnego unwraps signature+sealed.
            try:
                plain = self._ctx.unwrap(payload[4 : 4 + sig_len] + payload[4 + sig_len :]).data
            except spnego.exceptions.SpnegoError as exc:
                raise NtlmError(f"cannot decrypt: {exc}") from exc
            if len(plain) != int(m.group(1)):
                raise NtlmError("decrypted length does not match OriginalContent")
            out += plain
        return out

    def wrap_body(self, message: bytes) -> bytes:
        """Encrypt a reply the way pywinrm's parse_encrypted_response reads it."""
        assert self._ctx is not None
        wrapped = self._ctx.wrap(message, encrypt=True).data
        signature, sealed = wrapped[:16], wrapped[16:]  # NTLM signature is always 16 bytes
        return (
            BOUNDARY + b"\r\n"
            b"\tContent-Type: " + PROTOCOL.encode() + b"\r\n"
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(message)).encode()
            + b"\r\n"
            + BOUNDARY
            + b"\r\n"
            + _OCTET
            + struct.pack("<i", len(signature))
            + signature
            + sealed
            + BOUNDARY
            + b"--\r\n"
        )


def parse_authorization(value: str) -> tuple[str, bytes] | None:
    """``Negotiate <b64>`` / ``NTLM <b64>`` / ``Basic <b64>`` -> (scheme, decoded token)."""
    scheme, _, b64 = value.strip().partition(" ")
    try:
        return scheme.lower(), base64.b64decode(b64.strip(), validate=True)
    except ValueError:
        return None
