"""Per-platform CLI behaviour: prompts, modes, enable, paging commands, errors, filters.

A :class:`Cli` is one interactive session. The terminal engine (``lab/netsim/session.py``) feeds
it complete input lines and writes back what it returns; command outputs come from the device's
capture folder (``lab/netsim/capture.py``). Everything here is what netmiko 4.6's device classes
send and expect (``netmiko/cisco/cisco_ios.py``, ``cisco_asa_ssh.py``, ``fortinet/fortinet_ssh.py``,
``juniper/juniper.py``, ``arista/arista.py``, ``mikrotik/mikrotik_ssh.py``), answered the way the
real platform answers (error texts and prompts as the devices print them).

Texts use ``\\n``; the engine sends ``\\r\\n``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from lab.netsim.capture import PLATFORM_COMMANDS, DeviceCapture, command_stem
from lab.netsim.config import Config, EosDialect, IosDialect, Node, unified_diff
from lab.netsim.state import DeviceState, Session


@dataclass
class Reply:
    """What the session writes after an input line."""

    text: str = ""
    ask: str | None = None  # prompt for one more input line instead of the normal prompt
    hidden: bool = False  # do not echo that input (passwords)
    close: bool = False  # end the session after ``text``
    command: bool = False  # command output: delayed by slow behaviour, subject to paging


@dataclass(frozen=True)
class Login:
    """Who is logged in, and what the device accepts."""

    username: str  # as the device sees it (MikroTik: without the ``+ct511w4098h`` options)
    password: str
    enable_password: str | None
    term_width: int = 80
    term_height: int = 24


def secret_equal(a: str, b: str | None) -> bool:
    return b is not None and hmac.compare_digest(a.encode(), b.encode())


def _tokens(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]


def _squash(line: str) -> str:
    return " ".join(line.split())


def _config_value(config: str | None, pattern: str) -> str | None:
    if not config:
        return None
    m = re.search(pattern, config, flags=re.M)
    return m.group(1).strip('"') if m else None


class Cli:
    """One CLI session on a simulated device (base class)."""

    platform: ClassVar[str] = ""
    more_prompt: ClassVar[str] = " --More-- "
    more_erase: ClassVar[str] = "\r          \r"
    blank_before_prompt: ClassVar[bool] = False  # Junos prints an empty line after output
    default_ssh_version: ClassVar[str] = "SSH-2.0-OpenSSH_8.0"

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        self._cap = cap
        self.state = state
        self.login = login
        self.hostname = self.device_hostname(cap)
        self.page_lines = 0  # 0: no paging
        self._pending: Callable[[str], Reply] | None = None
        self.connection = state.next_connection() if state is not None else 0

    @property
    def cap(self) -> DeviceCapture:
        """The device's outputs: the shared, changeable view when the device has a state."""
        return self.state.capture if self.state is not None else self._cap

    def record(self, command: str, mode: str, **extra: object) -> None:
        """Journal one line received in (or entering, or saving) configuration mode."""
        if self.state is not None:
            entry: dict[str, object] = {
                "connection": self.connection,
                "user": self.login.username,
                "mode": mode,
                "command": command,
            }
            entry.update(extra)
            self.state.record(entry)

    # --- device-level facts, also needed before login --------------------------------------

    @classmethod
    def device_hostname(cls, cap: DeviceCapture) -> str:
        return cap.hostname

    @classmethod
    def ssh_version(cls, cap: DeviceCapture) -> str:
        return cls.default_ssh_version

    @classmethod
    def ssh_banner(cls, cap: DeviceCapture) -> str | None:
        """Text sent as the SSH userauth banner (before the password), if any."""
        return None

    # --- session ---------------------------------------------------------------------------

    def greeting(self) -> str:
        """Printed once when the shell opens, before the first prompt."""
        return ""

    def prompt(self) -> str:
        raise NotImplementedError

    def handle(self, line: str) -> Reply:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending(line)
        return self.command(line)

    def command(self, line: str) -> Reply:
        raise NotImplementedError

    def cancel(self) -> None:
        """Ctrl-C / Ctrl-Z: forget a pending question (e.g. the enable ``Password:``)."""
        self._pending = None

    def ask(self, prompt: str, then: Callable[[str], Reply], hidden: bool, text: str = "") -> Reply:
        self._pending = then
        return Reply(text, ask=prompt, hidden=hidden)

    # --- outputs ---------------------------------------------------------------------------

    def builtin_examples(self) -> tuple[str, ...]:
        """Built-in commands, for locating the offending word of an unknown command."""
        return ()

    def lookup(self, command: str) -> str | None:
        """The captured output of ``command``; output filters (``| include ...``) applied."""
        out = self.cap.output(command)
        if out is not None:
            return out
        if "|" in command:
            base, _, filt = command.rpartition("|")
            base_out = self.lookup(base.strip())
            if base_out is not None:
                return self.apply_filter(base_out, filt.strip())
        return None

    def apply_filter(self, text: str, filt: str) -> str | None:
        return None

    def locate_error(self, line: str) -> tuple[int, int, str, bool]:
        """(token index, column, token, incomplete) of the first word no known command has."""
        toks = _tokens(line)
        stems = set(self.cap.outputs) | {command_stem(c) for c in self.builtin_examples()}
        stems |= {command_stem(c) for c in PLATFORM_COMMANDS.get(self.platform, ())}
        k = 0
        while k < len(toks):
            prefix = command_stem(" ".join(t for _, t in toks[: k + 1]))
            if not prefix or not any(s == prefix or s.startswith(prefix + "_") for s in stems):
                break
            k += 1
        if k >= len(toks):
            col = len(line.rstrip())
            return len(toks), col, "", True
        return k, toks[k][0], toks[k][1], False


def _grep(text: str, pattern: str, invert: bool = False, flags: int = 0) -> str:
    try:
        rx = re.compile(pattern, flags)
    except re.error:
        rx = re.compile(re.escape(pattern), flags)
    lines = [ln for ln in text.split("\n") if ln and bool(rx.search(ln)) != invert]
    return "".join(ln + "\n" for ln in lines)


# ================================================================================================
# Cisco IOS / IOS-XE, Cisco ASA, Arista EOS: user EXEC ``>``, privileged ``#``, ``(config)#``
# ================================================================================================


# Global configuration commands: typed inside a block they leave it, as IOS and EOS do when a
# command is not valid in the current mode but is in global configuration mode.
_ROOT_ONLY = (
    "hostname",
    "ntp",
    "logging host",
    "logging buffered",
    "logging trap",
    "logging source-interface",
    "snmp-server",
    "username",
    "enable secret",
    "enable password",
    "service",
    "clock",
    "ip ssh",
    "ip http",
    "ip domain",
    "ip name-server",
    "ip route",
    "aaa",
    "dns",
    "spanning-tree mode",
)


def _root_only(key: str) -> bool:
    return any(key == p or key.startswith(p + " ") for p in _ROOT_ONLY)


class CiscoLikeCli(Cli):
    prompt_space: ClassVar[str] = ""  # ASA prints "host# ", IOS and EOS "host#"
    default_page_lines: ClassVar[int] = 24

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        super().__init__(cap, login, state)
        self.mode = "user" if login.enable_password is not None else "enable"
        self.page_lines = self.default_page_lines
        self._tries = 0
        self.path: list[Node] = []  # configuration blocks entered (`line vty 0 4`)
        self.session: str | None = None  # EOS `configure session NAME`
        self._banner_lines: list[str] = []

    @classmethod
    def device_hostname(cls, cap: DeviceCapture) -> str:
        return _config_value(cap.output("show running-config"), r"^hostname (\S+)") or cap.hostname

    def prompt(self) -> str:
        if self.mode == "config":
            return f"{self.hostname}(config{self.config_mode_suffix()})#{self.prompt_space}"
        mark = {"user": ">", "enable": "#"}[self.mode]
        return f"{self.hostname}{mark}{self.prompt_space}"

    def config_mode_suffix(self) -> str:
        """``-line`` in ``host(config-line)#``: the block being configured."""
        return f"-{self.path[-1].key.split()[0]}" if self.path else ""

    @property
    def dialect(self) -> IosDialect | EosDialect | None:
        """The configuration language this device keeps changes in (None: changes are not
        kept)."""
        if self.state is None or self.state.running is None:
            return None
        dialect = self.state.dialect
        return dialect if isinstance(dialect, IosDialect | EosDialect) else None

    @property
    def enabled(self) -> bool:
        return self.mode != "user"

    def builtin_examples(self) -> tuple[str, ...]:
        return (
            "enable",
            "disable",
            "exit",
            "logout",
            "quit",
            "configure terminal",
            "terminal length 0",
            "terminal width 511",
            "show privilege",
        )

    def allowed_in_user_mode(self, stem: str) -> bool:
        return stem not in {"show_running_config", "show_startup_config"}

    def lookup(self, command: str) -> str | None:
        # `show running-config all|full` (with defaults): the simulator knows no defaults.
        command = re.sub(
            r"^(show running-config) (?:all|full)\b", r"\1", command, flags=re.IGNORECASE
        )
        return super().lookup(command)

    def apply_filter(self, text: str, filt: str) -> str | None:
        section = re.fullmatch(r"(?:section|sec)\s+(.+)", filt)
        dialect = self.dialect
        if section and dialect is not None:
            return Config.parse(text, dialect).section(section.group(1))
        m = re.fullmatch(r"(include|exclude|begin|i|e|b|inc|exc|beg)\s+(.+)", filt)
        if not m:
            return None
        kind, rx = m.group(1)[0], m.group(2)
        if kind == "i":
            return _grep(text, rx)
        if kind == "e":
            return _grep(text, rx, invert=True)
        lines = text.split("\n")
        for i, ln in enumerate(lines):
            if re.search(rx, ln):
                return "\n".join(lines[i:])
        return ""

    # errors -------------------------------------------------------------------------------

    def invalid_input(self, line: str, col: int) -> Reply:
        caret = " " * (len(self.prompt()) + col) + "^"
        return Reply(f"{caret}\n% Invalid input detected at '^' marker.\n\n")

    def incomplete(self, line: str) -> Reply:
        return Reply("% Incomplete command.\n\n")

    def unknown(self, line: str) -> Reply:
        _, col, _, incomplete = self.locate_error(line)
        return self.incomplete(line) if incomplete else self.invalid_input(line, col)

    # dispatch -----------------------------------------------------------------------------

    def command(self, line: str) -> Reply:
        cmd = _squash(line)
        if not cmd:
            return Reply()
        if self.mode == "config":
            context = [n.key for n in self.path]
            self.record(line.strip(), "config", context=context, session=self.session)
            return self.config_command(line, cmd)
        reply = self.exec_builtin(cmd)
        if reply is not None:
            return reply
        return self.run_show(line, cmd)

    def run_show(self, line: str, cmd: str) -> Reply:
        if not self.enabled and not self.allowed_in_user_mode(command_stem(cmd.split("|")[0])):
            return self.privileged_only(line)
        out = self.lookup(cmd)
        if out is None:
            return self.unknown(line)
        return Reply(out, command=True)

    def privileged_only(self, line: str) -> Reply:
        toks = _tokens(line)
        return self.invalid_input(line, toks[1][0] if len(toks) > 1 else toks[0][0])

    def exec_builtin(self, cmd: str) -> Reply | None:
        low = cmd.lower()
        if low in ("exit", "logout", "quit"):
            return Reply(close=True)
        if low in ("enable", "en"):
            return self.enable()
        if low in ("disable",):
            if self.login.enable_password is not None:
                self.mode = "user"
            return Reply()
        if low in ("configure terminal", "conf t", "config t", "configure"):
            if not self.enabled:
                return self.invalid_input(cmd, 0)
            self.record(cmd, "exec")
            self.mode, self.path = "config", []
            return Reply(self.config_banner())
        m = re.fullmatch(r"terminal length (\d+)", low)
        if m:
            self.page_lines = int(m.group(1))
            return Reply()
        if re.fullmatch(r"terminal width \d+", low):
            return Reply()
        if low == "show privilege":
            return Reply(f"Current privilege level is {15 if self.enabled else 1}\n", command=True)
        if self.enabled and self.dialect is not None:
            return self.save_command(cmd)
        return None

    def config_banner(self) -> str:
        return "Enter configuration commands, one per line.  End with CNTL/Z.\n"

    # configuration mode -------------------------------------------------------------------

    def leave_config(self) -> None:
        self.mode, self.path, self.session = "enable", [], None

    def editing(self) -> Config | None:
        """The configuration this session changes: the running one, or an EOS session's
        candidate."""
        if self.state is None or self.state.running is None:
            return None
        if self.session is not None:
            pending = self.state.sessions.get(self.session)
            return pending.candidate if pending is not None else None
        return self.state.running

    def config_command(self, line: str, cmd: str) -> Reply:
        low = cmd.lower()
        if low == "end":
            self.leave_config()
            return Reply()
        if low in ("exit", "exit-address-family", "exit-af-interface"):
            if self.path:
                self.path.pop()
            else:
                self.leave_config()
            return Reply()
        if low.startswith("do "):
            inner = line.strip()[3:]
            return self.exec_builtin(_squash(inner)) or self.run_show(inner, _squash(inner))
        special = self.config_special(line, cmd)
        if special is not None:
            return special
        config = self.editing()
        if config is None or self.state is None:
            return Reply()  # configuration is accepted and not kept on this platform
        with self.state.lock:
            before = config.render() if self.session is None else ""
            reply = self.change(config, line, cmd)
            if self.session is None and self.state.running is config:
                self.state.changed(before, self.login.username)
        return reply

    def config_special(self, line: str, cmd: str) -> Reply | None:
        """Platform commands of configuration mode that are not configuration lines."""
        return None

    def change(self, config: Config, line: str, cmd: str) -> Reply:
        """Apply one configuration command to `config` (see lab/netsim/config.py)."""
        dialect = config.dialect
        words = cmd.split()
        negated = words[0].lower() == "no" and len(words) > 1
        key = " ".join(words[1:]) if negated else cmd
        if words[0] == "banner" and not negated:
            return self.start_banner(config, line)
        if negated and words[1] == "banner" and len(words) > 2:
            for node in config.find(f"banner {words[2]}"):
                config.nodes.remove(node)
            return Reply()
        if self.path and (dialect.opens_root_block(key) or _root_only(key)):
            self.path = []  # the device's parser falls back to global configuration mode
        if not negated and not self.path and dialect.opens_root_block(key):
            self.path = [config.enter_block(config.nodes, key, True)]
            return Reply()
        if not negated and self.path and dialect.opens_nested_block(key):
            # a sibling of the nested block we are in (another address-family): leave it first
            while len(self.path) > 1 and dialect.opens_nested_block(self.path[-1].key):
                self.path.pop()
            self.path.append(config.enter_block(self.path[-1].children, key, False))
            return Reply()
        container = self.path[-1].children if self.path else config.nodes
        if negated:
            config.negate(container, key, not self.path)
        else:
            config.set_line(container, cmd, not self.path)
        return Reply()

    def start_banner(self, config: Config, line: str) -> Reply:
        m = re.match(r"\s*banner\s+(\S+)\s*(.*)$", line)
        if not m:
            return self.incomplete(line)
        kind, rest = m.group(1), m.group(2)
        if isinstance(config.dialect, EosDialect):
            self._banner_lines = []
            return self.ask(
                "",
                lambda text: self._eos_banner_line(config, kind, text),
                False,
                "Enter TEXT message. Type 'EOF' on its own line to end.\n",
            )
        if not rest:
            return self.incomplete(line)
        delim, after = rest[0], rest[1:]
        if delim in after:
            text = after.split(delim, 1)[0]
            self._set_banner(config, kind, [text] if text else [])
            return Reply()
        self._banner_lines = [after] if after.strip() else []
        return self.ask(
            "",
            lambda text: self._ios_banner_line(config, kind, delim, text),
            False,
            f"Enter TEXT message.  End with the character '{delim}'.\n",
        )

    def _ios_banner_line(self, config: Config, kind: str, delim: str, text: str) -> Reply:
        self.record(text, "config", context=[], banner=kind, session=self.session)
        if delim in text:
            head = text.split(delim, 1)[0]
            if head:
                self._banner_lines.append(head)
            self._set_banner(config, kind, self._banner_lines)
            return Reply()
        self._banner_lines.append(text)
        return self.ask("", lambda t: self._ios_banner_line(config, kind, delim, t), False)

    def _eos_banner_line(self, config: Config, kind: str, text: str) -> Reply:
        self.record(text, "config", context=[], banner=kind, session=self.session)
        if text.strip() == "EOF":
            self._set_banner(config, kind, self._banner_lines)
            return Reply()
        self._banner_lines.append(text)
        return self.ask("", lambda t: self._eos_banner_line(config, kind, t), False)

    def _set_banner(self, config: Config, kind: str, body: list[str]) -> None:
        assert self.state is not None
        with self.state.lock:
            before = config.render()
            config.set_banner(kind, body)
            if self.session is None and self.state.running is config:
                self.state.changed(before, self.login.username)

    def save_command(self, cmd: str) -> Reply | None:
        """`write memory`, `copy running-config startup-config` (IOS asks for the file name)."""
        low = cmd.lower()
        if low in ("write", "write memory", "write mem", "wr", "wr mem"):
            self.record(cmd, "exec")
            self._save()
            return Reply(self.saved_message(), command=True)
        if re.fullmatch(r"copy run(ning-config)? start(up-config)?", low):
            self.record(cmd, "exec")
            return self.copy_to_startup()
        return None

    def copy_to_startup(self) -> Reply:
        self._save()
        return Reply(self.saved_message(), command=True)

    def saved_message(self) -> str:
        return "Building configuration...\n[OK]\n"

    def _save(self) -> None:
        assert self.state is not None
        with self.state.lock:
            self.state.save(self.login.username)

    # enable -------------------------------------------------------------------------------

    def enable(self) -> Reply:
        if self.enabled:
            return Reply()
        self._tries = 0
        return self.ask("Password: ", self._enable_password, hidden=True)

    def _enable_password(self, given: str) -> Reply:
        if secret_equal(given, self.login.enable_password):
            self.mode = "enable"
            return Reply()
        self._tries += 1
        if self._tries >= 3:
            return Reply("% Bad secrets\n\n")
        return self.ask("Password: ", self._enable_password, hidden=True)


class IosCli(CiscoLikeCli):
    """Cisco IOS and IOS-XE (netmiko ``cisco_ios``)."""

    platform = "cisco_ios"
    more_prompt = " --More-- "
    more_erase = "\b" * 9 + " " * 9 + "\b" * 9

    @classmethod
    def ssh_version(cls, cap: DeviceCapture) -> str:
        ip_ssh = cap.output("show ip ssh") or ""
        found = re.search(r"version (1\.99|1\.5)", ip_ssh)
        proto = found.group(1) if found else "2.0"
        return f"SSH-{proto}-Cisco-1.25"

    # IOS names of configuration sub-modes, by the block's first words.
    _MODES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("line", "line"),
        ("interface", "if"),
        ("router", "router"),
        ("vrf definition", "vrf"),
        ("ip vrf", "vrf"),
        ("ip access-list standard", "std-nacl"),
        ("ip access-list extended", "ext-nacl"),
        ("ip dhcp pool", "dhcp"),
        ("control-plane", "cp"),
        ("address-family", "router-af"),
        ("archive", "archive"),
        ("policy-map", "pmap"),
        ("class-map", "cmap"),
        ("key chain", "keychain"),
        ("redundancy", "red"),
    )

    def config_mode_suffix(self) -> str:
        if not self.path:
            return ""
        key = self.path[-1].key
        for prefix, name in self._MODES:
            if key == prefix or key.startswith(prefix + " "):
                return f"-{name}"
        return f"-{key.split()[0]}"

    def copy_to_startup(self) -> Reply:
        def confirm(answer: str) -> Reply:
            self.record(answer, "exec", answer_to="Destination filename [startup-config]? ")
            if answer.strip() not in ("", "startup-config"):
                return Reply("%Error opening " + answer.strip() + " (Permission denied)\n")
            self._save()
            return Reply(self.saved_message(), command=True)

        return self.ask("Destination filename [startup-config]? ", confirm, hidden=False)

    @staticmethod
    def _banner(config: str | None, kind: str) -> str | None:
        """``banner login ^C ... ^C`` as ``show running-config`` prints it."""
        if not config:
            return None
        m = re.search(rf"^banner {kind} \^C(.*?)\^C", config, flags=re.M | re.S)
        return m.group(1).strip("\n") + "\n" if m else None

    @classmethod
    def ssh_banner(cls, cap: DeviceCapture) -> str | None:
        text = cls._banner(cap.output("show running-config"), "login")
        return text.replace("\n", "\r\n") if text else None

    def greeting(self) -> str:
        config = self.cap.output("show running-config")
        motd = self._banner(config, "motd") or ""
        exec_banner = self._banner(config, "exec") or ""
        return "\n" + motd + exec_banner + ("\n" if motd or exec_banner else "")

    def enable(self) -> Reply:
        if not self.enabled and self.login.enable_password is None:
            return Reply("% No password set\n")
        return super().enable()


class AsaCli(CiscoLikeCli):
    """Cisco ASA (netmiko ``cisco_asa``): ``show curpriv``, ``login``, ``terminal pager``."""

    platform = "cisco_asa"
    prompt_space = " "
    more_prompt = "<--- More --->"
    more_erase = "\r              \r"
    default_ssh_version = "SSH-2.0-Cisco-1.25"

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        super().__init__(cap, login, state)
        self.mode = "user"  # SSH sessions start unprivileged unless auto-enable is configured
        self._login_user = ""
        self._via_login = False

    def greeting(self) -> str:
        return "Type help or '?' for a list of available commands.\n"

    def builtin_examples(self) -> tuple[str, ...]:
        return (*super().builtin_examples(), "show curpriv", "login", "terminal pager 0")

    def allowed_in_user_mode(self, stem: str) -> bool:
        return stem == "show_version"

    def invalid_input(self, line: str, col: int) -> Reply:
        caret = " " * (len(self.prompt()) + col) + "^"
        return Reply(f"{caret}\nERROR: % Invalid input detected at '^' marker.\n")

    def incomplete(self, line: str) -> Reply:
        return Reply("ERROR: % Incomplete command\n")

    def exec_builtin(self, cmd: str) -> Reply | None:
        low = cmd.lower()
        if low == "show curpriv":
            level, modes = (15, "P_PRIV") if self.enabled else (1, "P_UNPR")
            # ``enable`` without command authorization makes the session the "enable_15" user.
            user = "enable_15" if self.enabled and not self._via_login else self.login.username
            text = (
                f"Username : {user}\nCurrent privilege level : {level}\nCurrent Mode/s : {modes}\n"
            )
            return Reply(text, command=True)
        if low == "login":
            return self.ask("Username: ", self._login_username, hidden=False)
        m = re.fullmatch(r"terminal pager (?:lines )?(\d+)", low)
        if m:
            if not self.enabled:
                return None
            self.page_lines = int(m.group(1))
            return Reply()
        return super().exec_builtin(cmd)

    def config_command(self, line: str, cmd: str) -> Reply:
        if re.fullmatch(r"terminal width \d+", cmd.lower()):
            return Reply()
        m = re.fullmatch(r"pager lines (\d+)", cmd.lower())
        if m:
            self.page_lines = int(m.group(1))
            return Reply()
        return super().config_command(line, cmd)

    def config_banner(self) -> str:
        return ""

    def _login_username(self, user: str) -> Reply:
        self._login_user = user.strip()
        return self.ask("Password: ", self._login_password, hidden=True)

    def _login_password(self, given: str) -> Reply:
        if self._login_user == self.login.username and secret_equal(given, self.login.password):
            self.mode, self._via_login = "enable", True
            return Reply()
        return Reply("Invalid password\n")

    def enable(self) -> Reply:
        if self.enabled:
            return Reply()
        self._tries = 0
        return self.ask("Password: ", self._asa_enable_password, hidden=True)

    def _asa_enable_password(self, given: str) -> Reply:
        expected = self.login.enable_password if self.login.enable_password is not None else ""
        if secret_equal(given, expected):
            self.mode = "enable"
            return Reply()
        self._tries += 1
        if self._tries >= 3:
            return Reply("Invalid password\nAccess denied.\n")
        retry = self._asa_enable_password
        return self.ask("Password: ", retry, hidden=True, text="Invalid password\n")


class EosCli(CiscoLikeCli):
    """Arista EOS (netmiko ``arista_eos``): ``Width set to``, ``Pagination disabled.``"""

    platform = "arista_eos"
    default_ssh_version = "SSH-2.0-OpenSSH_8.7"

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        super().__init__(cap, login, state)
        self.page_lines = login.term_height  # EOS pages at the terminal height

    def allowed_in_user_mode(self, stem: str) -> bool:
        return not stem.startswith(("show_running_config", "show_startup_config"))

    def privileged_only(self, line: str) -> Reply:
        return Reply("% Invalid input (privileged mode required)\n")

    def invalid_input(self, line: str, col: int) -> Reply:
        idx = next((i for i, (c, _) in enumerate(_tokens(line)) if c == col), 0)
        return Reply(f"% Invalid input (at token {idx}: '{_tokens(line)[idx][1]}')\n")

    def incomplete(self, line: str) -> Reply:
        return Reply("% Incomplete command\n")

    def config_banner(self) -> str:
        return ""

    # EOS names of configuration sub-modes, by the block's first words.
    _MODES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("management api http-commands", "mgmt-api-http-cmds"),
        ("management http-server", "mgmt-http-server"),
        ("management ssh", "mgmt-ssh"),
        ("management telnet", "mgmt-telnet"),
        ("management", "mgmt"),
        ("interface", "if"),
        ("vlan", "vlan"),
        ("router", "router"),
        ("ip access-list", "acl"),
        ("address-family", "af"),
    )

    def config_mode_suffix(self) -> str:
        suffix = f"-s-{self.session[:6]}" if self.session is not None else ""
        if not self.path:
            return suffix
        key = self.path[-1].key
        for prefix, name in self._MODES:
            if key == prefix or key.startswith(prefix + " "):
                if name == "if":
                    return f"{suffix}-if-{_eos_short_interface(key.split()[1])}"
                if name == "vlan":
                    return f"{suffix}-vlan-{key.split()[1]}"
                return f"{suffix}-{name}"
        return f"{suffix}-{key.split()[0]}"

    def saved_message(self) -> str:
        return "Copy completed successfully.\n"

    def copy_to_startup(self) -> Reply:
        self._save()
        return Reply(self.saved_message(), command=True)

    def lookup(self, command: str) -> str | None:
        """EOS outputs Ansible's eos cliconf asks for besides the captured ones."""
        low = _squash(command).lower()
        m = re.fullmatch(r"show running-config section (.+)", low)
        if m and self.dialect is not None:
            running = self.cap.output("show running-config") or ""
            return Config.parse(running, self.dialect).section(_squash(command).split(None, 3)[3])
        if low == "show version | json":
            return _eos_version_json(self.cap.output("show version") or "")
        if low == "show hostname | json":
            return json.dumps({"fqdn": self.hostname, "hostname": self.hostname}, indent=2) + "\n"
        if low.endswith("| json") and super().lookup(command.rsplit("|", 1)[0].strip()) is not None:
            return None  # the simulator has no JSON form of other outputs
        if re.fullmatch(r"bash timeout \d+ cat /mnt/flash/boot-config", low):
            running = self.cap.output("show running-config") or ""
            image = _config_value(running, r"^! boot system (\S+)")
            return f"SWI={image}\n" if image else ""
        m = re.fullmatch(r"show banner (login|motd)", low)
        if m and self.state is not None and self.state.running is not None:
            return self.state.running.banner_text(m.group(1)) or ""
        if low == "show configuration sessions" and self.state is not None:
            return self._sessions_table()
        return super().lookup(command)

    def _sessions_table(self) -> str:
        assert self.state is not None
        rows = [
            f"  {name:<20} {'pending':<13} {pending.user:<7}"
            for name, pending in sorted(self.state.sessions.items())
        ]
        return (
            "Maximum number of completed sessions: 1\n"
            "Maximum number of pending sessions: 5\n\n"
            "  Name                 State         User    Terminal\n"
            "  -------------------- ------------- ------- --------\n"
            + "".join(r.rstrip() + "\n" for r in rows)
        )

    def config_special(self, line: str, cmd: str) -> Reply | None:
        low = cmd.lower()
        if low.startswith("show "):
            return self.run_show(line, cmd)  # EOS runs show commands in configuration mode
        if self.session is None or self.state is None:
            return None
        with self.state.lock:
            pending = self.state.sessions.get(self.session)
            if pending is None:
                return None
            if low == "commit":
                del self.state.sessions[self.session]
                self.state.replace_running(pending.candidate, self.login.username)
                self.leave_config()
                return Reply()
            if low == "abort":
                del self.state.sessions[self.session]
                self.leave_config()
                return Reply()
            if low == "rollback clean-config":
                pending.candidate = Config(pending.candidate.dialect, [Node("end")])
                self.path = []
                return Reply()
        return None

    def run_show(self, line: str, cmd: str) -> Reply:
        low = cmd.lower()
        if low in ("show session-config", "show session-config diffs") and self.state is not None:
            pending = self.state.sessions.get(self.session or "")
            if pending is None or self.state.running is None:
                return Reply("% Not in a configuration session\n")
            if low == "show session-config":
                return Reply(pending.candidate.render(), command=True)
            diff = unified_diff(
                self.state.running.render(),
                pending.candidate.render(),
                "system:/running-config",
                f"session:/{pending.name}-session-config",
            )
            return Reply(diff, command=True)
        return super().run_show(line, cmd)

    def exec_builtin(self, cmd: str) -> Reply | None:
        low = cmd.lower()
        m = re.fullmatch(r"configure session (\S+)", cmd, flags=re.IGNORECASE)
        if m and self.enabled and self.state is not None and self.state.running is not None:
            name = m.group(1)
            self.record(cmd, "exec")
            with self.state.lock:
                if name not in self.state.sessions:
                    candidate = self.state.running.copy()
                    self.state.sessions[name] = Session(name, candidate, self.login.username)
            self.mode, self.path, self.session = "config", [], name
            return Reply()
        m = re.fullmatch(r"terminal width (\d+)", low)
        if m:
            return Reply(f"Width set to {m.group(1)} columns.\n")
        m = re.fullmatch(r"terminal length (\d+)", low)
        if m:
            self.page_lines = int(m.group(1))
            text = "Pagination disabled." if self.page_lines == 0 else "Pagination set to "
            if self.page_lines:
                text += f"{self.page_lines} lines."
            return Reply(text + "\n")
        return super().exec_builtin(cmd)

    def enable(self) -> Reply:
        if self.enabled:
            return Reply()
        return self.ask("Password: ", self._eos_enable_password, hidden=True)

    def _eos_enable_password(self, given: str) -> Reply:
        if secret_equal(given, self.login.enable_password):
            self.mode = "enable"
            return Reply()
        return Reply("% Access denied\n")


def _eos_short_interface(name: str) -> str:
    """``Ethernet1`` -> ``Et1``, ``Management1`` -> ``Ma1`` (EOS prompt form)."""
    m = re.match(r"([A-Za-z]+)(.*)$", name)
    return f"{m.group(1)[:2]}{m.group(2)}" if m else name


def _eos_version_json(text: str) -> str | None:
    """``show version | json`` from the text ``show version`` (the keys Ansible reads, and the
    ones EOS prints next to them)."""
    if not text:
        return None
    model = re.search(r"^Arista (\S+)", text, flags=re.M)
    data: dict[str, object] = {
        "modelName": model.group(1) if model else "",
        "version": _config_value(text, r"^Software image version: (\S+)") or "",
        "serialNumber": _config_value(text, r"^Serial number: (\S+)") or "",
        "systemMacAddress": _config_value(text, r"^System MAC address: (\S+)") or "",
        "hardwareRevision": _config_value(text, r"^Hardware version: (\S+)") or "",
        "architecture": _config_value(text, r"^Architecture: (\S+)") or "",
        "internalVersion": _config_value(text, r"^Internal build version: (\S+)") or "",
        "internalBuildId": _config_value(text, r"^Internal build ID: (\S+)") or "",
        "imageFormatVersion": _config_value(text, r"^Image format version: (\S+)") or "",
        "isIntlVersion": False,
    }
    for key, label in (("memTotal", "Total memory"), ("memFree", "Free memory")):
        found = _config_value(text, rf"^{label}: (\d+) kB")
        if found:
            data[key] = int(found)
    return json.dumps(data, indent=2) + "\n"


# ================================================================================================
# FortiOS
# ================================================================================================


class FortiCli(Cli):
    """FortiGate (netmiko ``fortinet``): ``get system status | grep``, console output mode."""

    platform = "fortinet"
    more_prompt = "--More-- "
    more_erase = "\r         \r"
    page_size: ClassVar[int] = 24

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        super().__init__(cap, login, state)
        status = cap.output("get system status") or ""
        self.v6 = bool(re.search(r"^Version: .* v[654]\.", status, flags=re.M))
        self.output_mode = "more"  # FortiOS default: page long outputs
        self._frames: list[tuple[str, str]] = []  # ("config"|"edit", label)
        self._console_output: str | None = None
        self._apply_paging()

    @classmethod
    def device_hostname(cls, cap: DeviceCapture) -> str:
        return _config_value(cap.output("get system status"), r"^Hostname: (.+)$") or cap.hostname

    @classmethod
    def ssh_version(cls, cap: DeviceCapture) -> str:
        # FortiOS answers with a random-looking identification string instead of a product name.
        digest = hashlib.sha256(cap.hostname.encode()).hexdigest()
        letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in digest[:8])
        return f"SSH-2.0-{letters[:4]}{letters[4:].lower()}"

    def _apply_paging(self) -> None:
        self.page_lines = self.page_size if self.output_mode == "more" else 0

    def prompt(self) -> str:
        if self._frames:
            return f"{self.hostname} ({self._frames[-1][1]}) # "
        return f"{self.hostname} # "

    def builtin_examples(self) -> tuple[str, ...]:
        return (
            "get system console",
            "show full-configuration system console",
            "config system console",
            "exit",
        )

    def apply_filter(self, text: str, filt: str) -> str | None:
        m = re.fullmatch(r"grep((?:\s+-[a-zA-Z]+)*)\s+(.+)", filt)
        if not m:
            return None
        opts, rx = m.group(1), m.group(2).strip().strip("'\"")
        return _grep(text, rx, invert="v" in opts, flags=re.I if "i" in opts else 0)

    def console_block(self) -> str:
        if self.v6:
            return (
                "config system console\n    set mode line\n    set baudrate 9600\n"
                f"    set output {self.output_mode}\n    set login enable\nend\n"
            )
        return (
            "config system console\n    set mode line\n    set baudrate 9600\n"
            f"    set output {self.output_mode}\n    set login enable\n"
            "    set fortiexplorer enable\nend\n"
        )

    def console_get(self) -> str:
        text = (
            "mode                : line\nbaudrate            : 9600\n"
            f"output              : {self.output_mode}\nlogin               : enable\n"
        )
        if not self.v6:
            text += "fortiexplorer       : enable\n"
        return text

    def unknown(self, line: str) -> Reply:
        idx, _, tok, incomplete = self.locate_error(line)
        if idx == 0 and not incomplete:
            return Reply("Unknown action 0\n")
        before = "<Enter>" if incomplete else tok
        return Reply(f"command parse error before '{before}'\nCommand fail. Return code -61\n")

    def command(self, line: str) -> Reply:
        cmd = _squash(line)
        if not cmd:
            return Reply()
        low = cmd.lower()
        words = low.split()
        if words[0] == "config" or self._frames:
            self.record(cmd, "config", context=[label for _, label in self._frames])
        if low in ("exit", "logout"):
            return Reply(close=True)
        if words[0] == "config":
            if len(words) < 2:
                return self.unknown(line)
            self._frames.append(("config", words[-1]))
            return Reply()
        if self._frames:
            reply = self._in_config(cmd, words)
            if reply is not None:
                return reply
        if low == "get system console":
            return Reply(self.console_get(), command=True)
        if low in ("show full-configuration system console", "show system console"):
            return Reply(self.console_block(), command=True)
        out = self.lookup(cmd)
        if out is None:
            return self.unknown(line)
        return Reply(out, command=True)

    def _in_config(self, cmd: str, words: list[str]) -> Reply | None:
        if words[0] == "edit" and len(words) > 1:
            self._frames.append(("edit", cmd.split(None, 1)[1].strip('"')))
            return Reply()
        if words[0] == "next":
            if self._frames[-1][0] == "edit":
                self._frames.pop()
            return Reply()
        if words[0] in ("end", "abort"):
            while self._frames and self._frames[-1][0] == "edit":
                self._frames.pop()
            if self._frames:
                label = self._frames.pop()[1]
                if label == "console" and words[0] == "end" and self._console_output:
                    self.output_mode = self._console_output
                    self._apply_paging()
                self._console_output = None
            return Reply()
        if (
            words[:2] == ["set", "output"]
            and len(words) == 3
            and self._frames[-1][1] == "console"
            and words[2] in ("standard", "more")
        ):
            self._console_output = words[2]
            return Reply()
        if words[0] in ("set", "unset", "append", "unselect", "select", "delete", "purge"):
            return Reply()  # accepted, not kept
        return None


# ================================================================================================
# Junos
# ================================================================================================


class JunosCli(Cli):
    """Juniper Junos (netmiko ``juniper_junos``): ``user@host>``, ``set cli ...``; root starts in
    the shell and needs ``cli``."""

    platform = "juniper_junos"
    more_prompt = "---(more)---"
    more_erase = "\r            \r"
    blank_before_prompt = True
    default_ssh_version = "SSH-2.0-OpenSSH_7.5"

    def __init__(self, cap: DeviceCapture, login: Login, state: DeviceState | None = None) -> None:
        super().__init__(cap, login, state)
        self.mode = "shell" if login.username == "root" else "cli"
        self.from_shell = self.mode == "shell"
        self.page_lines = max(login.term_height - 1, 0)  # screen-length follows the terminal

    @classmethod
    def device_hostname(cls, cap: DeviceCapture) -> str:
        config = cap.output("show configuration | display set")
        found = _config_value(config, r"^set system host-name (\S+)")
        found = found or _config_value(cap.output("show version"), r"^Hostname: (\S+)")
        return found or cap.hostname

    def greeting(self) -> str:
        config = self.cap.output("show configuration | display set")
        message = _config_value(config, r'^set system login message "?(.*?)"?$')
        text = message.replace("\\n", "\n") + "\n" if message else ""
        return text + "\n"

    def prompt(self) -> str:
        if self.mode == "shell":
            return f"root@{self.hostname}:~ # "
        if self.mode == "config":
            return f"[edit]\n{self.login.username}@{self.hostname}# "
        return f"{self.login.username}@{self.hostname}> "

    def builtin_examples(self) -> tuple[str, ...]:
        return (
            "set cli screen-length 0",
            "set cli screen-width 511",
            "set cli complete-on-space off",
            "configure",
            "exit",
            "quit",
        )

    def apply_filter(self, text: str, filt: str) -> str | None:
        if filt == "no-more":
            return text
        m = re.fullmatch(r"(match|except)\s+\"?(.+?)\"?", filt)
        if m:
            return _grep(text, m.group(2), invert=m.group(1) == "except")
        if filt == "count":
            return f"Count: {len(text.splitlines())} lines\n"
        return None

    def unknown(self, line: str) -> Reply:
        idx, col, _, incomplete = self.locate_error(line)
        caret = " " * (len(self.prompt().split("\n")[-1]) + col) + "^"
        message = "syntax error, expecting <command>."
        if idx == 0 and not incomplete:
            message = "unknown command."
        return Reply(f"{caret}\n{message}\n")

    def command(self, line: str) -> Reply:
        cmd = _squash(line)
        if self.mode == "shell":
            return self._shell(cmd)
        if not cmd:
            return Reply()
        low = cmd.lower()
        if self.mode == "config":
            return self._config(cmd, low)
        if low in ("exit", "quit", "logout"):
            if self.from_shell:
                self.mode = "shell"
                return Reply()
            return Reply(close=True)
        m = re.fullmatch(r"set cli screen-length (\d+)", low)
        if m:
            self.page_lines = int(m.group(1))
            return Reply(f"Screen length set to {m.group(1)}\n")
        m = re.fullmatch(r"set cli screen-width (\d+)", low)
        if m:
            return Reply(f"Screen width set to {m.group(1)}\n")
        m = re.fullmatch(r"set cli complete-on-space (on|off)", low)
        if m:
            verb = "Enabling" if m.group(1) == "on" else "Disabling"
            return Reply(f"{verb} complete-on-space\n")
        if low in ("configure", "configure private", "configure exclusive", "edit"):
            self.record(cmd, "exec")
            self.mode = "config"
            return Reply("Entering configuration mode\n")
        out = self.lookup(cmd)
        if out is None:
            return self.unknown(line)
        return Reply(out, command=True)

    def _config(self, cmd: str, low: str) -> Reply:
        self.record(cmd, "config")
        if low in ("exit", "quit", "exit configuration-mode"):
            self.mode = "cli"
            return Reply("Exiting configuration mode\n")
        if low.startswith("run "):
            out = self.lookup(cmd[4:])
            return Reply(out, command=True) if out is not None else self.unknown(cmd[4:])
        if low.startswith("commit"):
            return Reply("commit complete\n")
        return Reply()

    def _shell(self, cmd: str) -> Reply:
        if not cmd:
            return Reply()
        if cmd == "cli":
            self.mode = "cli"
            return Reply()
        if cmd in ("exit", "logout"):
            return Reply(close=True)
        return Reply(f"{cmd.split()[0]}: Command not found.\n")


# ================================================================================================
# MikroTik RouterOS
# ================================================================================================

MIKROTIK_LOGO = """

  MMM      MMM       KKK                          TTTTTTTTTTT      KKK
  MMMM    MMMM       KKK                          TTTTTTTTTTT      KKK
  MMM MMMM MMM  III  KKK  KKK  RRRRRR     OOOOOO      TTT     III  KKK  KKK
  MMM  MM  MMM  III  KKKKK     RRR  RRR  OOO  OOO     TTT     III  KKKKK
  MMM      MMM  III  KKK KKK   RRRRRR    OOO  OOO     TTT     III  KKK KKK
  MMM      MMM  III  KKK  KKK  RRR  RRR   OOOOOO      TTT     III  KKK  KKK

  MikroTik RouterOS {version} (c) 1999-{year}       http://www.mikrotik.com/

[?]             Gives the list of available commands
command [?]     Gives help on the command and list of arguments

[Tab]           Completes the command/word. If the input is ambiguous,
                a second [Tab] gives possible options

/               Move up to base level
..              Move up one level
/command        Use command at the base level

"""


class RouterOsCli(Cli):
    """MikroTik RouterOS (netmiko ``mikrotik_routeros``): ``[user@identity] >``, ``quit``."""

    platform = "mikrotik_routeros"
    default_ssh_version = "SSH-2.0-ROSSSH"

    @classmethod
    def device_hostname(cls, cap: DeviceCapture) -> str:
        found = _config_value(cap.output("/system identity print"), r"^\s*name: (.+)$")
        return found or cap.hostname

    def greeting(self) -> str:
        resource = self.cap.output("/system resource print") or ""
        version = _config_value(resource, r"^\s*version: (\S+)") or "6.49"
        year = _config_value(resource, r"^\s*build-time: \w+/\d+/(\d{4})") or "2023"
        return MIKROTIK_LOGO.format(version=version, year=year)

    def prompt(self) -> str:
        return f"[{self.login.username}@{self.hostname}] > "

    def builtin_examples(self) -> tuple[str, ...]:
        return ("/quit",)

    def unknown(self, line: str) -> Reply:
        _, col, tok, incomplete = self.locate_error(line)
        if incomplete:
            return Reply(f"expected command name (line 1 column {col + 1})\n")
        name = tok.lstrip("/")
        column = col + 1 + (len(tok) - len(name))
        return Reply(f"bad command name {name} (line 1 column {column})\n")

    def command(self, line: str) -> Reply:
        cmd = _squash(line)
        if not cmd:
            return Reply()
        if cmd.lstrip("/") == "quit":
            return Reply(close=True)
        lookup_cmd = re.sub(r"\s+without-paging$", "", cmd)
        out = self.lookup(lookup_cmd)
        if out is None:
            return self.unknown(line)
        return Reply(out, command=True)


CLI_CLASSES: dict[str, type[Cli]] = {
    cls.platform: cls for cls in (IosCli, AsaCli, EosCli, FortiCli, JunosCli, RouterOsCli)
}


def login_name(platform: str, username: str) -> str:
    """The account name a device checks: RouterOS takes console options after ``+``
    (netmiko sends ``user+ct511w4098h``: no colours, no terminal detection, 511x4098)."""
    if platform == "mikrotik_routeros":
        return re.sub(r"\+[A-Za-z0-9]*$", "", username)
    return username
