"""SSH listeners for simulated network devices: one process, many devices, one port each.

    handle = start([SimDevice("lab/netsim/devices/core-sw", "netops", "pw", enable_password="en")])
    handle.devices[0].port
    handle.stop()

Per connection: a paramiko server transport (password and keyboard-interactive auth, the
platform's SSH identification string, RSA host key, group-exchange primes for clients that only
offer ``diffie-hellman-group-exchange-*`` such as netmiko's ``fortinet`` class), then one
session channel: an interactive shell (``lab/netsim/session.py``) or a single exec command.
Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from lab.netsim.capture import DeviceCapture, load_capture
from lab.netsim.platforms import CLI_CLASSES, Cli, Login, login_name, secret_equal
from lab.netsim.session import Behaviour, Terminal, run_exec, swallow
from lab.netsim.state import DeviceState, journal_path

HOST = "127.0.0.1"
MODULI = Path(__file__).resolve().parent / "moduli"
HOST_KEY_FILE = "netsim_host_rsa.key"
LOG_CHANNEL = "lab.netsim.paramiko"

_key_lock = threading.Lock()
_process_key: paramiko.RSAKey | None = None
_moduli_loaded = False


@dataclass(frozen=True)
class SimDevice:
    """One simulated device: a capture folder served on a loopback port (0 = pick one)."""

    folder: Path | str
    username: str
    password: str
    enable_password: str | None = None  # IOS/ASA/EOS: start unprivileged, ``enable`` asks for it
    port: int = 0
    behaviour: Behaviour = field(default_factory=Behaviour)
    name: str | None = None  # label (default: the folder name)


@dataclass
class RunningDevice:
    device: SimDevice
    capture: DeviceCapture  # as loaded from the folder; ``state.capture`` is what is served
    port: int
    host: str = HOST
    stats: Counter[str] = field(default_factory=Counter)  # logins, auth_failures, commands
    journal: Path | None = None  # JSON lines of configuration commands (``read_journal``)
    state: DeviceState = field(init=False)

    def __post_init__(self) -> None:
        self.state = DeviceState(self.capture, self.name, self.journal)

    @property
    def name(self) -> str:
        return self.device.name or Path(self.device.folder).name

    def running_config(self) -> str | None:
        """The device's running configuration as ``show running-config`` prints it now."""
        return self.state.capture.output("show running-config")

    @property
    def platform(self) -> str:
        return self.capture.platform

    @property
    def hostname(self) -> str:
        return self.capture.hostname


def host_key(state_dir: Path | str | None = None) -> paramiko.RSAKey:
    """The simulators' host key: cached in ``state_dir`` when given, else one per process."""
    global _process_key
    with _key_lock:
        if state_dir is not None:
            path = Path(state_dir) / HOST_KEY_FILE
            if path.exists():
                return paramiko.RSAKey(filename=str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            key = paramiko.RSAKey.generate(2048)
            tmp = path.with_suffix(".tmp")
            key.write_private_key_file(str(tmp))
            tmp.chmod(0o600)
            tmp.replace(path)
            return key
        if _process_key is None:
            _process_key = paramiko.RSAKey.generate(2048)
        return _process_key


def _load_moduli() -> None:
    global _moduli_loaded
    with _key_lock:
        if not _moduli_loaded:
            paramiko.Transport.load_server_moduli(str(MODULI))
            _moduli_loaded = True


class _Auth(paramiko.ServerInterface):  # type: ignore[misc]  # paramiko is untyped
    """Authentication and channel requests of one connection."""

    def __init__(self, rd: RunningDevice, banner: str | None) -> None:
        self.rd = rd
        self.banner = banner
        self.ready = threading.Event()
        self.kind = ""  # "shell" or "exec"
        self.command = ""
        self.username = ""
        self.term = (80, 24)
        self._ki_user = ""

    def _check(self, username: str, password: str) -> int:
        dev = self.rd.device
        user = login_name(self.rd.platform, username)
        if user == dev.username and secret_equal(password, dev.password):
            self.username = user
            self.rd.stats["logins"] += 1
            return int(paramiko.AUTH_SUCCESSFUL)
        self.rd.stats["auth_failures"] += 1
        return int(paramiko.AUTH_FAILED)

    def get_allowed_auths(self, username: str) -> str:
        return "publickey,keyboard-interactive,password"

    def check_auth_none(self, username: str) -> int:
        return int(paramiko.AUTH_FAILED)

    def check_auth_publickey(self, username: str, key: Any) -> int:
        return int(paramiko.AUTH_FAILED)

    def check_auth_password(self, username: str, password: str) -> int:
        return self._check(username, password)

    def check_auth_interactive(self, username: str, submethods: str) -> Any:
        self._ki_user = username
        return paramiko.InteractiveQuery("", "", ("Password: ", False))

    def check_auth_interactive_response(self, responses: Sequence[str]) -> int:
        if len(responses) != 1:
            return int(paramiko.AUTH_FAILED)
        return self._check(self._ki_user, responses[0])

    def get_banner(self) -> tuple[str | None, str | None]:
        return (self.banner, "en-US") if self.banner else (None, None)

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return int(paramiko.OPEN_SUCCEEDED)
        return int(paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED)

    def check_channel_pty_request(
        self,
        channel: Any,
        term: bytes,
        width: int,
        height: int,
        pixelwidth: int,
        pixelheight: int,
        modes: bytes,
    ) -> bool:
        self.term = (width or 80, height or 24)
        return True

    def check_channel_window_change_request(
        self, channel: Any, width: int, height: int, pixelwidth: int, pixelheight: int
    ) -> bool:
        return True

    def check_channel_shell_request(self, channel: Any) -> bool:
        self.kind = "shell"
        self.ready.set()
        return True

    def check_channel_exec_request(self, channel: Any, command: bytes) -> bool:
        self.kind = "exec"
        self.command = command.decode("utf-8", errors="replace")
        self.ready.set()
        return True


class _Listener:
    """The accept loop of one device; one thread per client connection."""

    def __init__(self, rd: RunningDevice, sock: socket.socket, key: paramiko.RSAKey, verbose: bool):
        self.rd = rd
        self.sock = sock
        self.key = key
        self.verbose = verbose
        self.stop = threading.Event()
        self.cli_class: type[Cli] = CLI_CLASSES[rd.platform]
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._transports: set[Any] = set()
        self.thread = threading.Thread(
            target=self._accept_loop, name=f"netsim-{rd.name}-{rd.port}", daemon=True
        )

    def _accept_loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # listening socket closed by close()
            with self._lock:
                if self.stop.is_set():
                    conn.close()
                    return
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._serve_ssh(conn)
        except Exception as exc:  # one broken client must not affect the others
            if self.verbose:
                logging.getLogger("lab.netsim").warning("%s: %r", self.rd.name, exc)
        finally:
            with self._lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _serve_ssh(self, conn: socket.socket) -> None:
        behaviour = self.rd.device.behaviour
        if behaviour.no_ssh_banner:
            conn.settimeout(0.5)
            while not self.stop.is_set():
                try:
                    if not conn.recv(4096):
                        return
                except TimeoutError:
                    continue
            return
        transport = paramiko.Transport(conn)
        with self._lock:
            self._transports.add(transport)
        try:
            transport.set_log_channel(LOG_CHANNEL)
            # Identification and login banner as configured now (`ip ssh version`, `banner login`).
            live = self.rd.state.capture
            transport.local_version = self.cli_class.ssh_version(live)
            transport.add_server_key(self.key)
            auth = _Auth(self.rd, self.cli_class.ssh_banner(live))
            try:
                transport.start_server(server=auth)
            except (paramiko.SSHException, EOFError, OSError):
                return
            chan = transport.accept(timeout=60)
            if chan is None or not auth.ready.wait(30):
                return
            width, height = auth.term
            login = Login(
                auth.username,
                self.rd.device.password,
                self.rd.device.enable_password,
                term_width=width,
                term_height=height,
            )
            cli = self.cli_class(self.rd.capture, login, self.rd.state)
            if behaviour.hang_after_login:
                swallow(chan, self.stop)
            elif auth.kind == "exec":
                run_exec(chan, cli, auth.command, behaviour, self.rd.stats)
            else:
                Terminal(chan, cli, behaviour, self.stop, self.rd.stats).run()
            # Let the client read the exit status and hang up first, as sshd does.
            deadline = time.monotonic() + 2
            while transport.is_active() and time.monotonic() < deadline and not self.stop.is_set():
                self.stop.wait(0.02)
        finally:
            with self._lock:
                self._transports.discard(transport)
            transport.close()

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()
        with self._lock:
            transports, conns = list(self._transports), list(self._conns)
        for t in transports:
            t.close()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)


class NetSim:
    """Running simulators; :meth:`stop` closes every listener and session."""

    def __init__(self, listeners: list[_Listener]) -> None:
        self._listeners = listeners
        self.devices = [lst.rd for lst in listeners]
        for lst in listeners:
            lst.thread.start()

    def stop(self) -> None:
        for lst in self._listeners:
            lst.close()
        for lst in self._listeners:
            lst.thread.join(timeout=5)

    def __enter__(self) -> NetSim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def start(
    devices: Sequence[SimDevice],
    state_dir: Path | str | None = None,
    verbose: bool = False,
    journal_dir: Path | str | None = None,
) -> NetSim:
    """Start one listener per device on 127.0.0.1; returns when all of them accept connections.

    Each device keeps its configuration changes in memory for the life of the process. With
    ``journal_dir`` (default: ``state_dir/journal`` when a state dir is given) every
    configuration command a device receives is appended to ``journal_dir/<name>.jsonl``."""
    logging.getLogger(LOG_CHANNEL).setLevel(logging.DEBUG if verbose else logging.CRITICAL)
    _load_moduli()
    key = host_key(state_dir)
    captures = [load_capture(d.folder) for d in devices]  # fail before binding anything
    if journal_dir is None and state_dir is not None:
        journal_dir = Path(state_dir) / "journal"
    if journal_dir is not None:
        Path(journal_dir).mkdir(parents=True, exist_ok=True)
    listeners: list[_Listener] = []
    try:
        for dev, cap in zip(devices, captures, strict=True):
            sock = _bind(dev.port)
            label = dev.name or Path(dev.folder).name
            journal = journal_path(journal_dir, label) if journal_dir is not None else None
            rd = RunningDevice(dev, cap, int(sock.getsockname()[1]), journal=journal)
            listeners.append(_Listener(rd, sock, key, verbose))
    except BaseException:
        for lst in listeners:
            lst.close()
        raise
    return NetSim(listeners)
