"""A changeable Cisco-style configuration (IOS / IOS XE and Arista EOS) for the simulators.

The running configuration is kept as the device prints it: a tree of lines (a command at column
0 opens a block, indented lines belong to it), banners with their free-text body, and the comment
lines (``!``) and headers exactly as captured. Unchanged lines render byte for byte as they were
read, so a device nobody configured still answers with its capture file.

Configuration commands change the tree the way the platform does (learnt from the platforms'
configuration guides and what their ``show running-config`` prints afterwards):

- ``X`` adds the line; a line of the same setting is replaced in place (``ip ssh version 2``
  replaces ``ip ssh version 1``, ``exec-timeout 10 0`` replaces ``exec-timeout 0 0``, ``ntp
  server A`` replaces ``ntp server A prefer``); an existing ``no X`` becomes ``X``.
- ``no X`` removes every line that starts with the words ``X`` (``no snmp-server community
  public`` removes ``snmp-server community public RO``). For settings whose negation the
  platform prints (IOS ``no ip http server``, ``no shutdown`` ...) the ``no X`` line takes its
  place instead.
- A command that opens a block (``line vty 0 4``, ``management api http-commands``) enters it,
  creating it if needed; a block opener of another level leaves the current block first, as
  the device's parser does when a command is not valid in the current mode.
- Banners: IOS ``banner login <c>`` reads text up to the delimiter character and prints it between
  ``^C`` markers; EOS ``banner login`` reads lines up to ``EOF``.

Only these rules are modelled; any other command is stored as a line (the simulator does not
validate syntax beyond what ``lab/netsim/platforms.py`` rejects).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(eq=False)
class Node:
    """One configuration line, its block (children) and, for a banner, its text body."""

    text: str  # the line without its indentation
    raw: str | None = None  # the line exactly as printed when read (None: rendered from text)
    children: list[Node] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # banner text lines + the closing line

    @property
    def key(self) -> str:
        return " ".join(self.text.split())

    @property
    def is_comment(self) -> bool:
        return not self.key or self.key.startswith("!")

    def matches(self, prefix: str) -> bool:
        key = self.key
        return key == prefix or key.startswith(prefix + " ")

    def copy(self) -> Node:
        return Node(self.text, self.raw, [c.copy() for c in self.children], list(self.body))

    def set_text(self, text: str) -> None:
        self.text, self.raw = text, None


def _words_prefix(a: str, b: str) -> int:
    """How many leading words two lines share."""
    n = 0
    for x, y in zip(a.split(), b.split(), strict=False):
        if x != y:
            break
        n += 1
    return n


class Dialect:
    """What differs between the Cisco-like configuration languages."""

    name: ClassVar[str] = ""
    indent: ClassVar[str] = " "
    # Commands (by their leading words) that open a block at the top level, and inside a block.
    root_blocks: ClassVar[tuple[str, ...]] = ()
    nested_blocks: ClassVar[tuple[str, ...]] = ()
    # Settings with one value: (leading words, how many words name the setting).
    settings: ClassVar[tuple[tuple[str, int], ...]] = ()
    # Settings whose negation the platform prints as a `no ...` line.
    shown_negations: ClassVar[tuple[str, ...]] = ()
    banner_kinds: ClassVar[tuple[str, ...]] = ("login", "motd", "exec")

    def banner_close(self, key: str) -> str | None:
        """The closing line marker of a banner header as printed in the configuration."""
        raise NotImplementedError

    def opens_root_block(self, key: str) -> bool:
        return any(key == p or key.startswith(p + " ") for p in self.root_blocks)

    def opens_nested_block(self, key: str) -> bool:
        return any(key == p or key.startswith(p + " ") for p in self.nested_blocks)

    def setting_key(self, key: str) -> str | None:
        best: str | None = None
        for prefix, count in self.settings:
            if key == prefix or key.startswith(prefix + " "):
                words = key.split()
                if len(words) >= count:
                    candidate = " ".join(words[:count])
                    if best is None or len(candidate) > len(best):
                        best = candidate
        return best

    def negation_shown(self, key: str) -> bool:
        return any(key == p or key.startswith(p + " ") for p in self.shown_negations)


class IosDialect(Dialect):
    name = "ios"
    indent = " "
    root_blocks = (
        "line",
        "interface",
        "router",
        "vrf definition",
        "ip vrf",
        "ip access-list",
        "ip dhcp pool",
        "control-plane",
        "archive",
        "policy-map",
        "class-map",
        "crypto pki trustpoint",
        "key chain",
        "redundancy",
        "spanning-tree mst configuration",
    )
    nested_blocks = ("address-family",)
    settings = (
        ("hostname", 1),
        ("version", 1),
        ("clock timezone", 2),
        ("ip domain name", 3),
        ("ip domain-name", 2),
        ("ip ssh version", 3),
        ("ip ssh time-out", 3),
        ("ip ssh authentication-retries", 3),
        ("enable secret", 2),
        ("enable password", 2),
        ("logging buffered", 2),
        ("logging trap", 2),
        ("logging source-interface", 2),
        ("logging host", 3),
        ("ntp server", 3),
        ("snmp-server community", 3),
        ("snmp-server host", 3),
        ("snmp-server location", 2),
        ("snmp-server contact", 2),
        ("username", 2),
        ("service timestamps debug", 3),
        ("service timestamps log", 3),
        # inside blocks
        ("exec-timeout", 1),
        ("transport input", 2),
        ("transport output", 2),
        ("transport preferred", 2),
        ("login", 1),
        ("password", 1),
        ("privilege level", 2),
        ("description", 1),
        ("ip address", 2),
        ("speed", 1),
        ("duplex", 1),
        ("switchport mode", 2),
        ("switchport access vlan", 3),
        ("stopbits", 1),
    )
    shown_negations = (
        "ip http server",
        "ip http secure-server",
        "service password-encryption",
        "service pad",
        "ip domain lookup",
        "ip source-route",
        "ip bootp server",
        "ip cef",
        "ipv6 cef",
        "aaa new-model",
        "cdp run",
        "shutdown",
        "ip address",
        "exec",
        "activation-character",
    )

    def banner_close(self, key: str) -> str | None:
        m = re.match(r"^banner \S+ (\S)", key)
        if not m:
            return None
        rest = key.split(None, 2)[2]
        delim = "^C" if rest.startswith("^C") else rest[0]
        if delim in rest[len(delim) :]:
            return None  # one-line banner
        return delim


class EosDialect(Dialect):
    name = "eos"
    indent = "   "
    root_blocks = (
        "management",
        "interface",
        "router",
        "vlan",
        "ip access-list",
        "ipv6 access-list",
        "vrf instance",
        "daemon",
        "monitor",
        "policy-map",
        "class-map",
        "aaa group",
        "spanning-tree mst configuration",
        "transceiver",
    )
    nested_blocks = ("address-family", "vrf")
    settings = (
        ("hostname", 1),
        ("dns domain", 2),
        ("enable password", 2),
        ("enable secret", 2),
        ("logging buffered", 2),
        ("logging trap", 2),
        ("logging host", 3),
        ("ntp server", 3),
        ("snmp-server community", 3),
        ("snmp-server host", 3),
        ("snmp-server location", 2),
        ("snmp-server contact", 2),
        ("spanning-tree mode", 2),
        ("username", 2),
        # inside blocks
        ("idle-timeout", 1),
        ("description", 1),
        ("name", 1),
        ("ip address", 2),
        ("switchport mode", 2),
        ("switchport access vlan", 3),
    )
    shown_negations = ("shutdown", "aaa root", "protocol https", "ip routing")

    def banner_close(self, key: str) -> str | None:
        return "EOF" if re.fullmatch(r"banner \S+", key) else None


DIALECTS: dict[str, Dialect] = {"cisco_ios": IosDialect(), "arista_eos": EosDialect()}


class Config:
    """A running (or startup, or session) configuration as a tree of nodes."""

    def __init__(self, dialect: Dialect, nodes: list[Node], trailing_newline: bool = True):
        self.dialect = dialect
        self.nodes = nodes
        self.trailing_newline = trailing_newline

    # --- text ------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, dialect: Dialect) -> Config:
        lines = text.split("\n")
        trailing = bool(lines) and lines[-1] == ""
        if trailing:
            lines = lines[:-1]
        root: list[Node] = []
        stack: list[tuple[int, Node]] = []
        i = 0
        while i < len(lines):
            raw = lines[i]
            i += 1
            stripped = raw.strip()
            indent = len(raw) - len(raw.lstrip(" \t"))
            node = Node(stripped, raw)
            if not stripped or indent == 0:
                root.append(node)
                stack = [] if not stripped or stripped.startswith("!") else [(0, node)]
                close = dialect.banner_close(node.key) if node.key.startswith("banner ") else None
                if close is not None:
                    while i < len(lines):
                        node.body.append(lines[i])
                        i += 1
                        if (close == "EOF" and node.body[-1].strip() == "EOF") or (
                            close != "EOF" and close in node.body[-1]
                        ):
                            break
                    stack = []
                continue
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack:
                stack[-1][1].children.append(node)
            else:
                root.append(node)  # an indented line with no block: keep it where it was
            stack.append((indent, node))
        return cls(dialect, root, trailing)

    def _lines(self, nodes: list[Node], depth: int, out: list[str]) -> list[str]:
        for node in nodes:
            indent = self.dialect.indent * depth
            out.append(node.raw if node.raw is not None else indent + node.text)
            out.extend(node.body)
            self._lines(node.children, depth + 1, out)
        return out

    def render(self) -> str:
        return "\n".join(self._lines(self.nodes, 0, [])) + ("\n" if self.trailing_newline else "")

    def copy(self) -> Config:
        return Config(self.dialect, [n.copy() for n in self.nodes], self.trailing_newline)

    # --- lookups ---------------------------------------------------------------------------

    def find(self, prefix: str, nodes: list[Node] | None = None) -> list[Node]:
        return [n for n in (self.nodes if nodes is None else nodes) if n.matches(prefix)]

    def walk(self) -> Iterator[tuple[int, Node]]:
        def inner(nodes: list[Node], depth: int) -> Iterator[tuple[int, Node]]:
            for node in nodes:
                yield depth, node
                yield from inner(node.children, depth + 1)

        return inner(self.nodes, 0)

    # --- changes ---------------------------------------------------------------------------

    def _insert(self, container: list[Node], node: Node, at_root: bool) -> None:
        best, best_score = -1, 0
        for index, sibling in enumerate(container):
            if sibling.is_comment:
                continue
            score = _words_prefix(sibling.key, node.key)
            if score and score >= best_score and (score >= 2 or not sibling.children):
                best, best_score = index, score
        if best >= 0:
            container.insert(best + 1, node)
            return
        if at_root:
            end = next((i for i, n in enumerate(container) if n.key == "end"), len(container))
            container[end:end] = [node, Node("!")]
            return
        container.append(node)

    def set_line(self, container: list[Node], line: str, at_root: bool) -> Node:
        """Add `line` to `container` (replacing the line of the same setting); the node."""
        key = " ".join(line.split())
        for node in container:
            if node.key == key:
                return node
        negated = [n for n in container if n.key == f"no {key}" or n.matches(f"no {key}")]
        if negated:
            negated[0].set_text(key)
            for extra in negated[1:]:
                container.remove(extra)
            return negated[0]
        setting = self.dialect.setting_key(key)
        if setting is not None:
            same = [n for n in container if n.matches(setting) or n.key == f"no {setting}"]
            if same:
                same[0].set_text(key)
                for extra in same[1:]:
                    container.remove(extra)
                return same[0]
        node = Node(key)
        self._insert(container, node, at_root)
        return node

    def negate(self, container: list[Node], what: str, at_root: bool) -> None:
        """`no <what>`: remove the matching lines (or print the negation, where the platform
        does)."""
        key = " ".join(what.split())
        matching = [n for n in container if n.matches(key)]
        shown = self.dialect.negation_shown(key)
        if shown and any(n.key == f"no {key}" for n in container):
            for node in matching:
                container.remove(node)
            return
        if matching:
            first = container.index(matching[0])
            for node in matching:
                container.remove(node)
            if shown:
                container.insert(first, Node(f"no {key}"))
            return
        if shown:
            self._insert(container, Node(f"no {key}"), at_root)

    def enter_block(self, container: list[Node], header: str, at_root: bool) -> Node:
        key = " ".join(header.split())
        for node in container:
            if node.key == key:
                return node
        node = Node(key)
        self._insert(container, node, at_root)
        return node

    def set_banner(self, kind: str, body: list[str]) -> None:
        """Replace (or add) banner `kind` with the text lines `body`."""
        if isinstance(self.dialect, EosDialect):
            node = Node(f"banner {kind}", body=[*body, "EOF"])
        elif len(body) == 0:
            node = Node(f"banner {kind} ^C^C")
        else:
            node = Node(f"banner {kind} ^C", body=[*body, "^C"])
        old = self.find(f"banner {kind}")
        if old:
            index = self.nodes.index(old[0])
            for n in old:
                self.nodes.remove(n)
            self.nodes.insert(index, node)
            return
        banners = [i for i, n in enumerate(self.nodes) if n.key.startswith("banner ")]
        if banners:
            self.nodes.insert(banners[-1] + 1, node)
        else:
            self._insert(self.nodes, node, True)

    def banner_text(self, kind: str) -> str | None:
        """The text of banner `kind` (None when there is none)."""
        for node in self.find(f"banner {kind}"):
            if node.body:
                return "\n".join(node.body[:-1]) + ("\n" if len(node.body) > 1 else "")
            one = re.match(r"^banner \S+ (\^C|.)(.*)$", node.key)
            if one and one.group(1) in one.group(2):
                return one.group(2).split(one.group(1))[0] + "\n"
            return ""
        return None

    def section(self, pattern: str) -> str:
        """IOS ``| section REGEX`` / EOS ``section REGEX``: whole top-level blocks whose first line
        matches, with their children."""
        try:
            rx = re.compile(pattern)
        except re.error:
            rx = re.compile(re.escape(pattern))
        out: list[str] = []
        for node in self.nodes:
            if not node.is_comment and rx.search(node.text):
                self._lines([node], 0, out)
        return "".join(line + "\n" for line in out)


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff as EOS prints it (``show running-config diffs``), "" when equal."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=3, lineterm=""
    )
    return "".join(line + "\n" for line in lines)


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def reverse_patch(new: str, diff: str) -> str | None:
    """The old text of a unified diff, given the new text (None if they do not fit together).

    EOS keeps no startup text in a capture folder, only ``show running-config diffs``; the
    simulator rebuilds the startup configuration from the running one with it."""
    new_lines = new.split("\n")
    old: list[str] = []
    pos = 0  # index into new_lines
    lines = diff.split("\n")
    i = 0
    while i < len(lines):
        m = _HUNK.match(lines[i])
        i += 1
        if not m:
            continue
        start = int(m.group(3)) - 1 if int(m.group(4) or 1) else int(m.group(3))
        if start < pos or start > len(new_lines):
            return None
        old.extend(new_lines[pos:start])
        pos = start
        while i < len(lines) and not lines[i].startswith("@@"):
            line = lines[i]
            i += 1
            tag, text = line[:1], line[1:]
            if tag == " ":
                if pos >= len(new_lines) or new_lines[pos] != text:
                    return None
                old.append(text)
                pos += 1
            elif tag == "+":
                if pos >= len(new_lines) or new_lines[pos] != text:
                    return None
                pos += 1
            elif tag == "-":
                old.append(text)
            elif line == "":
                continue
            else:
                return None
    old.extend(new_lines[pos:])
    return "\n".join(old)
