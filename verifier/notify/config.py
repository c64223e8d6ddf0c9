"""The alert config file (`notify.yml`): where it is, loading and validation.

Every problem is an `InputError` naming the file and line, e.g.
`notify.yml:7: webhooks[0]: unknown key 'urll'`. Secrets (webhook URLs, SMTP passwords) are
never in this file: it names an environment variable or a file, read only at delivery time
(`Secret.read`), so a missing secret fails that channel's delivery, not the whole config.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import yaml

from verifier.baselines.yaml_source import load_yaml
from verifier.errors import InputError
from verifier.notify.alert import DeliveryFailure
from verifier.xdg import base_dir

DEFAULT_CONFIG_ENV = "VERIFY_NOTIFY_CONFIG"
CONFIG_FILENAME = "notify.yml"

WEBHOOK_FORMATS = ("slack", "teams", "json")
SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

MAX_ATTEMPTS = 10
MAX_SECONDS = 300.0

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST = re.compile(r"[A-Za-z0-9._:-]+|\[[0-9A-Fa-f:.]+\]")


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/verify, or ~/.config/verify (the XDG Base Directory default)."""
    return base_dir("XDG_CONFIG_HOME", ".config", environ) / "verify"


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """$VERIFY_NOTIFY_CONFIG, else $XDG_CONFIG_HOME/verify/notify.yml."""
    env = os.environ if environ is None else environ
    explicit = env.get(DEFAULT_CONFIG_ENV)
    return Path(explicit).expanduser() if explicit else config_dir(env) / CONFIG_FILENAME


@dataclass(frozen=True)
class Secret:
    """Where a secret comes from: an environment variable or a file. Never holds the value."""

    label: str
    env: str | None = None
    file: Path | None = None

    @property
    def source(self) -> str:
        return f"environment variable {self.env}" if self.env else f"file {self.file}"

    def read(self, environ: Mapping[str, str] | None = None) -> str:
        """The secret, read now; a DeliveryFailure (not retried) when it is not there."""
        if self.env:
            env = os.environ if environ is None else environ
            value = env.get(self.env, "").strip()
            if not value:
                raise DeliveryFailure(
                    f"{self.label}: environment variable {self.env} is not set or empty",
                    retry=False,
                )
            return value
        assert self.file is not None
        try:
            value = self.file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise DeliveryFailure(
                f"{self.label}: cannot read file {self.file}: {why}", retry=False
            ) from None
        if not value:
            raise DeliveryFailure(f"{self.label}: file {self.file} is empty", retry=False)
        return value


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries per channel; the wait after failed attempt n is
    backoff_seconds * 2**(n-1), at most 300 s; each try gives up after timeout_seconds."""

    attempts: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 10.0

    def delay(self, failed_attempt: int) -> float:
        return float(min(self.backoff_seconds * 2 ** (failed_attempt - 1), MAX_SECONDS))


@dataclass(frozen=True)
class WebhookChannel:
    """A JSON POST to an incoming webhook. `format`: slack, teams or json."""

    kind: ClassVar[str] = "webhook"

    name: str
    format: str
    url: Secret
    ca_file: Path | None = None


@dataclass(frozen=True)
class EmailChannel:
    """Mail through an SMTP server; `sender` is the config's `from`."""

    kind: ClassVar[str] = "email"

    name: str
    host: str
    port: int
    security: str
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password: Secret | None = None
    ca_file: Path | None = None


Channel = WebhookChannel | EmailChannel


@dataclass(frozen=True)
class NotifyConfig:
    webhooks: tuple[WebhookChannel, ...] = ()
    email: tuple[EmailChannel, ...] = ()
    retry: RetryPolicy = RetryPolicy()
    source: Path | None = None

    @property
    def channels(self) -> tuple[Channel, ...]:
        return (*self.webhooks, *self.email)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Loading


Location = tuple[str | int, ...]

_TOP_KEYS = ("retry", "webhooks", "email")
_RETRY_KEYS = ("attempts", "backoff_seconds", "timeout_seconds")
_WEBHOOK_KEYS = ("name", "format", "url_env", "url_file", "ca_file")
_EMAIL_KEYS = (
    "name",
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "password_file",
    "from",
    "to",
    "ca_file",
)
_INLINE_SECRETS = {
    "url": "a webhook URL holds its token; give it with url_env or url_file",
    "password": "give the password with password_env or password_file",
}


def _label(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Source:
    """The parsed file plus its node tree, so every error can name a line."""

    def __init__(self, file: Path, root: yaml.Node) -> None:
        self.file = file
        self.root = root

    def _node(self, location: Location, key: str | None = None) -> yaml.Node:
        node = self.root
        for part in location:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                child = node.value[part] if part < len(node.value) else None
            if child is None:
                break
            node = child
        if key is not None and isinstance(node, yaml.MappingNode):
            node = next((k for k, _v in node.value if k.value == key), node)
        return node

    def fail(self, location: Location, message: str, key: str | None = None) -> NoReturn:
        line = self._node(location, key).start_mark.line + 1
        where = _label(location)
        raise InputError(f"{self.file}:{line}: {where + ': ' if where else ''}{message}")

    # typed readers ---------------------------------------------------------------------------

    def mapping(self, value: Any, location: Location, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(location, f"must be a mapping (got {_type_name(value)})")
        for key in value:
            if not isinstance(key, str):
                self.fail(location, f"keys must be strings (got {key!r})")
            if key in allowed:
                continue
            if key in _INLINE_SECRETS and f"{key}_env" in allowed:
                self.fail(location, f"'{key}' is not allowed: {_INLINE_SECRETS[key]}", key)
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.fail(location, f"unknown key '{key}'{hint}", key)
        return value

    def string(self, value: Any, location: Location) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(location, f"must be a non-empty string (got {_type_name(value)})")
        if "\n" in value or "\r" in value:
            self.fail(location, "must be one line")
        return value.strip()

    def choice(self, value: Any, location: Location, choices: Sequence[str]) -> str:
        text = self.string(value, location)
        if text not in choices:
            self.fail(location, f"must be one of {', '.join(choices)} (got '{text}')")
        return text

    def number(
        self, value: Any, location: Location, low: float, high: float, *, integer: bool = False
    ) -> float:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            self.fail(location, f"must be {kind} (got {_type_name(value)})")
        if not low <= value <= high:
            self.fail(location, f"must be between {_num(low)} and {_num(high)} (got {value})")
        return float(value)

    def path(self, value: Any, location: Location) -> Path:
        path = Path(self.string(value, location)).expanduser()
        return path if path.is_absolute() else self.file.parent / path

    def address(self, value: Any, location: Location) -> str:
        text = self.string(value, location)
        _name, addr = parseaddr(text)
        if not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", addr):
            self.fail(location, f"not an e-mail address: '{text}'")
        return text


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_duplicate_keys(source: _Source, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                line = key.start_mark.line + 1
                raise InputError(f"{source.file}:{line}: duplicate key '{key.value}'")
            seen.add(key.value)
            _check_duplicate_keys(source, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(source, item)


def _secret(
    source: _Source, raw: dict[str, Any], location: Location, what: str, label: str
) -> Secret | None:
    env_key, file_key = f"{what}_env", f"{what}_file"
    given = [k for k in (env_key, file_key) if k in raw]
    if len(given) > 1:
        source.fail(location, f"give either {env_key} or {file_key}, not both", file_key)
    if not given:
        return None
    if given[0] == env_key:
        name = source.string(raw[env_key], (*location, env_key))
        if not _ENV_NAME.fullmatch(name):
            source.fail((*location, env_key), f"not an environment variable name: '{name}'")
        return Secret(label=label, env=name)
    return Secret(label=label, file=source.path(raw[file_key], (*location, file_key)))


def _ca_file(source: _Source, raw: dict[str, Any], location: Location) -> Path | None:
    if "ca_file" not in raw:
        return None
    path = source.path(raw["ca_file"], (*location, "ca_file"))
    if not path.is_file():
        source.fail((*location, "ca_file"), f"{path}: file not found")
    return path


def _retry(source: _Source, raw: Any) -> RetryPolicy:
    if raw is None:
        return RetryPolicy()
    data = source.mapping(raw, ("retry",), _RETRY_KEYS)
    defaults = RetryPolicy()
    attempts = data.get("attempts", defaults.attempts)
    backoff = data.get("backoff_seconds", defaults.backoff_seconds)
    timeout = data.get("timeout_seconds", defaults.timeout_seconds)
    attempts_n = source.number(attempts, ("retry", "attempts"), 1, MAX_ATTEMPTS, integer=True)
    backoff_n = source.number(backoff, ("retry", "backoff_seconds"), 0, MAX_SECONDS)
    timeout_n = source.number(timeout, ("retry", "timeout_seconds"), 0, MAX_SECONDS)
    if timeout_n <= 0:
        source.fail(("retry", "timeout_seconds"), f"must be more than 0 (got {timeout})")
    return RetryPolicy(int(attempts_n), backoff_n, timeout_n)


def _name(source: _Source, raw: dict[str, Any], location: Location, seen: set[str]) -> str:
    if "name" not in raw:
        source.fail(location, "missing key 'name'")
    name = source.string(raw["name"], (*location, "name"))
    if not _NAME.fullmatch(name):
        source.fail(
            (*location, "name"),
            f"'{name}': use letters, digits, '.', '_' and '-' (at most 64 characters)",
        )
    if name in seen:
        source.fail((*location, "name"), f"duplicate channel name '{name}'")
    seen.add(name)
    return name


def _require(source: _Source, raw: dict[str, Any], location: Location, key: str) -> Any:
    if key not in raw:
        source.fail(location, f"missing key '{key}'")
    return raw[key]


def _webhook(source: _Source, raw: Any, location: Location, seen: set[str]) -> WebhookChannel:
    data = source.mapping(raw, location, _WEBHOOK_KEYS)
    name = _name(source, data, location, seen)
    fmt = source.choice(
        _require(source, data, location, "format"), (*location, "format"), WEBHOOK_FORMATS
    )
    url = _secret(source, data, location, "url", f"webhook {name}: URL")
    if url is None:
        source.fail(location, "missing key 'url_env' or 'url_file' (where the URL is read from)")
    return WebhookChannel(name, fmt, url, _ca_file(source, data, location))


def _email(source: _Source, raw: Any, location: Location, seen: set[str]) -> EmailChannel:
    data = source.mapping(raw, location, _EMAIL_KEYS)
    name = _name(source, data, location, seen)
    host = source.string(_require(source, data, location, "host"), (*location, "host"))
    if not _HOST.fullmatch(host):
        source.fail((*location, "host"), f"not a host name or address: '{host}'")
    security = source.choice(
        data.get("security", "starttls"), (*location, "security"), SECURITY_MODES
    )
    if security == "none" and not is_loopback(host):
        source.fail(
            (*location, "security"),
            "'none' (no encryption) is only allowed to a relay on this machine "
            "(localhost, 127.0.0.1, ::1); use starttls or ssl",
        )
    port = DEFAULT_PORTS[security]
    if "port" in data:
        port = int(source.number(data["port"], (*location, "port"), 1, 65535, integer=True))
    username = None
    if "username" in data:
        username = source.string(data["username"], (*location, "username"))
    password = _secret(source, data, location, "password", f"email {name}: password")
    if username and password is None:
        source.fail(location, "username given without password_env or password_file")
    if password and not username:
        key = "password_env" if password.env else "password_file"
        source.fail(location, "password given without username", key)
    sender = source.address(_require(source, data, location, "from"), (*location, "from"))
    to_raw = _require(source, data, location, "to")
    if isinstance(to_raw, str):
        to_raw = [to_raw]
    if not isinstance(to_raw, list) or not to_raw:
        source.fail((*location, "to"), "must be an address or a non-empty list of addresses")
    to = tuple(source.address(item, (*location, "to", i)) for i, item in enumerate(to_raw))
    return EmailChannel(
        name=name,
        host=host.strip("[]"),
        port=port,
        security=security,
        sender=sender,
        to=to,
        username=username,
        password=password,
        ca_file=_ca_file(source, data, location),
    )


def _channels(source: _Source, raw: Any, key: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        source.fail((key,), f"must be a list (got {_type_name(raw)})")
    return raw


def load_config(path: Path) -> NotifyConfig:
    """Read and validate the alert config; InputError (file:line: what) on any problem."""
    if not path.exists():
        raise InputError(
            f"{path}: alert config not found (see docs/alerts.md; "
            f"--notify-config or ${DEFAULT_CONFIG_ENV} choose another file)"
        )
    document = load_yaml(path, InputError)
    root, data = document.root, document.data
    source = _Source(path, root)
    _check_duplicate_keys(source, root)
    top = source.mapping(data, (), _TOP_KEYS)
    seen: set[str] = set()
    webhooks = tuple(
        _webhook(source, item, ("webhooks", i), seen)
        for i, item in enumerate(_channels(source, top.get("webhooks"), "webhooks"))
    )
    email = tuple(
        _email(source, item, ("email", i), seen)
        for i, item in enumerate(_channels(source, top.get("email"), "email"))
    )
    if not webhooks and not email:
        source.fail((), "no channels configured: add 'webhooks' or 'email'")
    return NotifyConfig(webhooks, email, _retry(source, top.get("retry")), path)
