"""The terminal side of a session: line discipline, echo, ``--More--`` paging, CRLF output.

Devices echo what they receive character by character (not passwords), answer Enter with
``\\r\\n``, treat ``\\r\\n`` (MikroTik's netmiko RETURN) as one Enter, ignore NUL (netmiko's
``is_alive`` probe), and page long outputs until the paging command of the platform is sent.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lab.netsim.platforms import Cli, Reply


@dataclass(frozen=True)
class Behaviour:
    """How a simulated device misbehaves (all off: a well-behaved device)."""

    hang_after_login: bool = False  # accept the password, open the shell, never print anything
    response_delay: float = 0.0  # seconds before each command output (a slow device)
    no_ssh_banner: bool = False  # accept TCP, never send the SSH identification string


_POLL = 0.5  # seconds between checks of the stop flag while waiting for input


class Terminal:
    """Runs one :class:`Cli` over one paramiko channel until the user leaves or ``stop`` is set."""

    def __init__(
        self,
        chan: Any,
        cli: Cli,
        behaviour: Behaviour,
        stop: threading.Event,
        stats: Counter[str],
    ) -> None:
        self.chan = chan
        self.cli = cli
        self.behaviour = behaviour
        self.stop = stop
        self.stats = stats
        self.closed = False
        self._line = ""
        self._hidden = False
        self._skip_lf = False
        self._echo: list[str] = []
        self._pager: list[str] | None = None
        self._pager_reply = Reply()

    # --- I/O -------------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if not text or self.closed:
            return
        try:
            self.chan.sendall(text.replace("\n", "\r\n").encode("utf-8"))
        except (OSError, EOFError):
            self.closed = True

    def _flush_echo(self) -> None:
        if self._echo:
            text, self._echo = "".join(self._echo), []
            self._send(text)

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.chan.send_exit_status(0)
            self.chan.close()
        except (OSError, EOFError):
            pass

    def run(self) -> None:
        self.chan.settimeout(_POLL)
        self._send(self.cli.greeting())
        self._send(self.cli.prompt())
        while not self.closed and not self.stop.is_set():
            try:
                data = self.chan.recv(4096)
            except TimeoutError:
                continue
            except (OSError, EOFError):
                break
            if not data:
                break
            self.feed(data.decode("utf-8", errors="replace"))
        self._close()

    # --- input -----------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        for ch in text:
            if self.closed:
                return
            if self._skip_lf:
                self._skip_lf = False
                if ch == "\n":
                    continue
            if self._pager is not None:
                self._flush_echo()
                self._skip_lf = ch == "\r"
                self._pager_key(ch)
                continue
            if ch in "\r\n":
                self._skip_lf = ch == "\r"
                self._echo.append("\n")
                self._flush_echo()
                line, self._line = self._line, ""
                self._dispatch(line)
            elif ch in "\x7f\x08":
                if self._line:
                    self._line = self._line[:-1]
                    if not self._hidden:
                        self._echo.append("\b \b")
            elif ch in "\x03\x1a":  # Ctrl-C / Ctrl-Z: drop the line, new prompt
                self._line = ""
                self._echo.append("\n")
                self._flush_echo()
                self._hidden = False
                self.cli.cancel()
                self._send(self.cli.prompt())
            elif ch == "\x15":  # Ctrl-U
                self._line = ""
            elif ch < " " and ch != "\t":
                continue  # NUL (netmiko's is_alive) and other controls
            else:
                self._line += ch
                if not self._hidden:
                    self._echo.append(ch)
        self._flush_echo()

    def _dispatch(self, line: str) -> None:
        was_hidden, self._hidden = self._hidden, False
        if line.strip() and not was_hidden:
            self.stats["commands"] += 1
        try:
            reply = self.cli.handle(line)
        except Exception as exc:  # a simulator bug must not kill the listener
            reply = Reply(f"% simulator error: {exc!r}\n")
        self.emit(reply)

    # --- output ----------------------------------------------------------------------------

    def emit(self, reply: Reply) -> None:
        text = reply.text
        if text and not text.endswith("\n"):
            text += "\n"
        if reply.command and self.behaviour.response_delay > 0:
            self.stop.wait(self.behaviour.response_delay)
        if text and self.cli.blank_before_prompt and not reply.close and not reply.ask:
            text += "\n"
        lines = text.split("\n")[:-1]
        page = self.cli.page_lines
        if reply.command and page > 0 and len(lines) > page:
            step = max(page - 1, 1)
            self._send("".join(ln + "\n" for ln in lines[:step]))
            self._pager, self._pager_reply = lines[step:], reply
            self._send(self.cli.more_prompt)
            return
        self._send(text)
        self._finish(reply)

    def _finish(self, reply: Reply) -> None:
        if reply.close:
            self._close()
        elif reply.ask is not None:
            self._send(reply.ask)
            self._hidden = reply.hidden
        else:
            self._send(self.cli.prompt())

    def _pager_key(self, ch: str) -> None:
        assert self._pager is not None
        self._send(self.cli.more_erase)
        if ch == " ":
            count = max(self.cli.page_lines - 1, 1)
        elif ch in "\r\n":
            count = 1
        else:  # q, Ctrl-C and anything else end the output
            count, self._pager = 0, []
        chunk, self._pager = self._pager[:count], self._pager[count:]
        self._send("".join(ln + "\n" for ln in chunk))
        if self._pager:
            self._send(self.cli.more_prompt)
        else:
            self._pager = None
            self._finish(self._pager_reply)


def run_exec(chan: Any, cli: Cli, command: str, behaviour: Behaviour, stats: Counter[str]) -> None:
    """``ssh device 'show version'``: one command, its output, exit status, close."""
    stats["commands"] += 1
    reply = cli.handle(command)
    if reply.command and behaviour.response_delay > 0:
        threading.Event().wait(behaviour.response_delay)
    text = reply.text if reply.text.endswith("\n") or not reply.text else reply.text + "\n"
    try:
        chan.sendall(text.replace("\n", "\r\n").encode("utf-8"))
        chan.send_exit_status(0 if reply.command else 1)
        chan.close()
    except (OSError, EOFError):
        pass


def swallow(chan: Any, stop: threading.Event) -> None:
    """``hang_after_login``: read and discard input, never answer, until the client leaves."""
    chan.settimeout(_POLL)
    while not stop.is_set():
        try:
            if not chan.recv(4096):
                return
        except TimeoutError:
            continue
        except (OSError, EOFError):
            return
