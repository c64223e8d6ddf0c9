"""Cisco-style configuration text (IOS, IOS XE, ASA, EOS) as top-level commands with children.

These configurations are indented trees: a command at column 0 opens a block and the indented
lines under it belong to it (`line vty 0 4` / ` transport input ssh`). Banners are the exception:
their body is free text, so it is cut out first and never read as commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifier.collectors.parsers.probes import ParseError


@dataclass(frozen=True)
class Block:
    line: str  # the top-level command, stripped
    children: tuple[str, ...]  # every indented line under it, stripped, nesting flattened

    @property
    def words(self) -> list[str]:
        return self.line.split()


@dataclass(frozen=True)
class CiscoConfig:
    blocks: tuple[Block, ...]
    banners: tuple[str, ...]  # banner kinds present: motd, login, exec ...

    def lines(self, prefix: str) -> list[Block]:
        """Top-level commands starting with the given words (`snmp-server community`)."""
        return [b for b in self.blocks if b.line == prefix or b.line.startswith(prefix + " ")]

    def has(self, line: str) -> bool:
        return any(b.line == line for b in self.blocks)


_BANNER = re.compile(r"^banner\s+(\S+)(?:\s+(.*))?$")


def _banner_end(first: str, eos_style: bool) -> str | None:
    """Delimiter that closes a banner opened with `first` (the text after `banner <kind>`)."""
    if eos_style:
        return "EOF"
    if not first:
        return None
    return "^C" if first.startswith("^C") else first[0]


def parse_config(text: str, *, eos_style: bool = False, asa_style: bool = False) -> CiscoConfig:
    """Split configuration text into blocks. `eos_style`: banners end at a line `EOF`;
    `asa_style`: every `banner` line is a complete one-line command."""
    blocks: list[Block] = []
    banners: list[str] = []
    current: str | None = None
    children: list[str] = []
    raw = text.replace("\r", "").split("\n")
    i = 0
    while i < len(raw):
        line = raw[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("!") or (line[0] == ":" and asa_style):
            continue
        if line[0] in " \t":
            if current is not None:
                children.append(stripped)
            continue
        if current is not None:
            blocks.append(Block(current, tuple(children)))
        current, children = stripped, []
        found = _BANNER.match(stripped)
        if not found or asa_style:
            if found:
                banners.append(found[1])
            continue
        banners.append(found[1])
        rest = (found[2] or "").strip()
        end = _banner_end(rest, eos_style)
        if end is None:
            continue
        body = rest[len(end) :] if not eos_style else ""
        if end in body:
            continue  # one-line banner: `banner motd ^CAuthorised only^C`
        # Skip the free-text body up to and including the closing delimiter.
        while i < len(raw):
            closing = raw[i]
            i += 1
            if (eos_style and closing.strip() == end) or (not eos_style and end in closing):
                break
        else:
            raise ParseError(f"banner {found[1]} is not closed: output truncated")
    if current is not None:
        blocks.append(Block(current, tuple(children)))
    return CiscoConfig(tuple(blocks), tuple(banners))


def ends_with(text: str, *endings: str) -> bool:
    """The last non-empty line is one of `endings` (IOS/EOS `end`, ASA `: end`)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and lines[-1] in endings


def word_after(words: list[str], key: str) -> str | None:
    if key in words:
        index = words.index(key)
        if index + 1 < len(words):
            return words[index + 1]
    return None


# IOS/EOS password storage types that can be turned back into the password.
REVERSIBLE_TYPES = frozenset({"0", "7"})


def password_type(words: list[str], key: str) -> str | None:
    """Storage type after `password`/`secret`: `password 7 0822..` -> '7', `password foo` -> '0'."""
    if key not in words:
        return None
    after = words[words.index(key) + 1 :]
    if len(after) >= 2 and after[0].isdigit() and len(after[0]) <= 2:
        return after[0]
    if len(after) >= 2 and after[0] in {"sha512", "md5"}:
        return after[0]
    return "0" if after else None
