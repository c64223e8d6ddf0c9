"""FortiOS configuration text (`config` / `edit` / `set` / `next` / `end`) as a tree."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from verifier.collectors.parsers.probes import ParseError


@dataclass(frozen=True)
class FortiNode:
    settings: dict[str, list[str]] = field(default_factory=dict)  # `set k v...` -> [v...]
    edits: dict[str, FortiNode] = field(default_factory=dict)  # `edit "name"` entries, in order
    configs: dict[str, FortiNode] = field(default_factory=dict)  # nested `config x y`

    def get(self, key: str) -> str | None:
        values = self.settings.get(key)
        return " ".join(values) if values else None

    def path(self, name: str) -> FortiNode | None:
        return self.configs.get(name)


def _split(line: str) -> list[str]:
    # shlex would treat '#' as a comment; FortiOS values (ENC blobs, descriptions) contain it.
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def _statements(text: str) -> list[tuple[int, list[str]]]:
    """(line number, words) per statement, quotes removed; a quoted value may span lines."""
    out: list[tuple[int, list[str]]] = []
    pending = ""
    start = 0
    for number, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        if line.startswith("#") and not pending:
            continue  # header: #config-version=..., #conf_file_ver=...
        if not pending:
            start = number
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = _split(pending)
        except ValueError:
            continue  # unbalanced quote: the value goes on
        pending = ""
        if words:
            out.append((start, words))
    if pending:
        raise ParseError("unterminated quoted value: output truncated")
    return out


def parse_fortios(text: str) -> FortiNode:
    """The whole output as a root node whose `configs` are the top-level `config` blocks."""
    root = FortiNode()
    stack: list[FortiNode] = [root]
    for number, words in _statements(text):
        keyword, args = words[0], words[1:]
        node = stack[-1]
        if keyword == "config" and args:
            child = node.configs.setdefault(" ".join(args), FortiNode())
            stack.append(child)
        elif keyword == "edit" and args and len(stack) > 1:
            entry = node.edits.setdefault(args[0], FortiNode())
            stack.append(entry)
        elif (keyword == "next" and len(stack) > 2) or (keyword == "end" and len(stack) > 1):
            stack.pop()
        elif keyword == "set" and args and len(stack) > 1:
            node.settings[args[0]] = args[1:]
        elif keyword in ("unset", "append", "select"):
            continue
        else:
            # Name the line, never echo it: a stray line may carry a secret.
            raise ParseError(f"line {number}: not a FortiOS configuration statement")
    if len(stack) != 1:
        raise ParseError("configuration block not closed with 'end': output truncated")
    if not root.configs:
        raise ParseError("no 'config' block in the output")
    return root


def require(root: FortiNode, name: str) -> FortiNode:
    node = root.path(name)
    if node is None:
        raise ParseError(f"no 'config {name}' block in the output")
    return node
