"""What a command run in a WinRS shell answers: the pluggable :data:`Handler`.

The default handler knows a handful of commands (``hostname``, ``whoami``, ``cmd /c echo``,
``powershell -EncodedCommand`` with trivial scripts). Windows host profiles answer through
:func:`lab.winrm.profile_handler.profile_handler`, which falls back to this one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.winrm.commands import encoded_script


@dataclass(frozen=True)
class CommandRequest:
    """One WinRS ``Command`` as the client sent it, plus all stdin it sent (``Send``)."""

    command: str  # rsp:Command, e.g. "hostname" or "PowerShell" (pywinrm may put args in it)
    arguments: tuple[str, ...] = ()  # rsp:Arguments, each element as sent
    stdin: bytes = b""
    username: str = ""  # the authenticated user
    hostname: str = "WIN-LAB"  # the endpoint's computer name

    @property
    def command_line(self) -> str:
        return " ".join((self.command, *self.arguments)).strip()

    @property
    def argv(self) -> list[str]:
        # Windows has no argv on the wire; whitespace splitting is enough for what we answer.
        return self.command_line.split()


@dataclass(frozen=True)
class CommandResult:
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0
    extra: dict[str, str] = field(default_factory=dict)  # free for handlers' bookkeeping


Handler = Callable[[CommandRequest], CommandResult]

_WRITE_OUTPUT = re.compile(
    r"""^(?:write-output|write-host|echo)\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$""", re.I
)
# Lines Ansible's PowerShell shell plugin adds around a raw command (strict_mode/preserve_rc).
_IGNORED_PS = re.compile(r"^(set-strictmode\b|if \(-not \$\?\))", re.I)


def _crlf(text: str) -> bytes:
    return (text + "\r\n").encode("utf-8")


def _whoami(req: CommandRequest) -> str:
    user = req.username.split("\\")[-1].split("@")[0] or "administrator"
    return f"{req.hostname.lower()}\\{user.lower()}"


def _not_recognized_cmd(name: str) -> CommandResult:
    msg = f"'{name}' is not recognized as an internal or external command,\r\n"
    msg += "operable program or batch file."
    return CommandResult(stderr=_crlf(msg), exit_code=9009)


def _powershell_script(req: CommandRequest, argv: list[str]) -> str | None:
    script = encoded_script(argv)
    if script is not None:
        return script
    for i, arg in enumerate(argv[:-1]):
        if arg.lower() in ("-command", "-c") and argv[i + 1] == "-":
            return req.stdin.decode("utf-8", "replace")
    return None


def _run_powershell(req: CommandRequest, script: str) -> CommandResult:
    out: list[str] = []
    for raw in script.splitlines():
        line = raw.strip()
        if not line or _IGNORED_PS.match(line):
            continue
        low = line.lower()
        m = _WRITE_OUTPUT.match(line)
        if m:
            out.append(next(g for g in m.groups() if g is not None))
        elif low in ("hostname", "$env:computername"):
            out.append(req.hostname)
        elif low == "whoami":
            out.append(_whoami(req))
        else:
            name = line.split()[0]
            msg = (
                f"{name} : The term '{name}' is not recognized as the name of a cmdlet, "
                "function, script file, or operable program."
            )
            return CommandResult(
                stdout=b"".join(_crlf(o) for o in out), stderr=_crlf(msg), exit_code=1
            )
    return CommandResult(stdout=b"".join(_crlf(o) for o in out))


def default_handler(req: CommandRequest) -> CommandResult:
    """Answers ``hostname``, ``whoami``, ``[cmd /c] echo X`` and trivial PowerShell scripts."""
    argv = req.argv
    if not argv:
        return CommandResult()
    prog = argv[0].lower().removesuffix(".exe")
    if prog == "cmd" and len(argv) > 1 and argv[1].lower() in ("/c", "/k"):
        rest = req.command_line.split(None, 2)[2] if len(argv) > 2 else ""
        return default_handler(CommandRequest(rest, (), req.stdin, req.username, req.hostname))
    if prog == "hostname":
        return CommandResult(stdout=_crlf(req.hostname))
    if prog == "whoami":
        return CommandResult(stdout=_crlf(_whoami(req)))
    if prog == "echo":
        return CommandResult(
            stdout=_crlf(req.command_line.split(None, 1)[1] if len(argv) > 1 else "ECHO is on.")
        )
    if prog in ("powershell", "pwsh"):
        script = _powershell_script(req, argv)
        if script is None:
            return CommandResult(stderr=_crlf("powershell: no script given"), exit_code=1)
        return _run_powershell(req, script)
    return _not_recognized_cmd(argv[0])
