"""RouterOS `print` output: `key: value` detail blocks and column tables (v6 and v7 layouts).

Tables are cut by the column positions of their header line (`#   NAME   PORT ...`): a value
may be empty, so splitting on spaces would shift columns. Flags (`X` disabled, `*` default, `I`
invalid) sit between the item number and the first column. Comments (`;;; text`) come on their
own line before the item (v7) or in place of the first column with the values on the next line
(v6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifier.collectors.parsers.probes import ParseError

_KEY = re.compile(r"^\s*([a-z0-9][a-z0-9.-]*):(?:\s(.*))?$")
_ECHO = re.compile(r"^\s*\d\d:\d\d:\d\d echo: ")


def parse_detail(text: str) -> dict[str, str]:
    """`   uptime: 6w5d11h55m45s` lines -> {key: value}; unkeyed lines continue the last value."""
    out: dict[str, str] = {}
    last: str | None = None
    for number, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        if not line.strip() or _ECHO.match(line):
            continue
        found = _KEY.match(line)
        if found:
            last = found[1]
            out[last] = (found[2] or "").strip()
        elif last is not None:
            out[last] = f"{out[last]}\n{line.strip()}"
        else:
            raise ParseError(f"line {number}: not a 'key: value' line")
    if not out:
        raise ParseError("no 'key: value' lines")
    return out


@dataclass(frozen=True)
class Row:
    index: int
    flags: str
    values: dict[str, str]
    comment: str | None = None


@dataclass(frozen=True)
class _Header:
    columns: tuple[tuple[str, int], ...]

    def cut(self, line: str) -> dict[str, str]:
        values = {}
        for i, (name, start) in enumerate(self.columns):
            end = self.columns[i + 1][1] if i + 1 < len(self.columns) else None
            values[name] = line[start:end].strip() if end is not None else line[start:].strip()
        return values

    @property
    def first(self) -> int:
        return self.columns[0][1]


_HEADER = re.compile(r"^(\s*)#(\s+)[A-Z]")
_COLUMN = re.compile(r"[A-Z][A-Z0-9.-]*")
_ROW = re.compile(r"^\s*(\d+)(?=\s|$)")


def header_columns(line: str) -> tuple[tuple[str, int], ...] | None:
    """(column name, start position) of a table header line, or None if it is not one."""
    found = _HEADER.match(line)
    if not found:
        return None
    return tuple((m.group(0), m.start()) for m in _COLUMN.finditer(line, len(found[1]) + 1))


def _header(line: str) -> _Header | None:
    columns = header_columns(line)
    if columns is None:
        return None
    return _Header(columns)


def parse_table(text: str) -> list[Row]:
    header: _Header | None = None
    rows: list[Row] = []
    comment: str | None = None
    waiting: tuple[int, str, str] | None = None  # v6: comment line seen, values on the next
    for number, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        stripped = line.strip()
        if not stripped or _ECHO.match(line) or stripped.startswith(("Flags:", "Columns:")):
            continue
        if header is None:
            header = _header(line)
            if header is None:
                raise ParseError(f"line {number}: expected the column header (#  NAME ...)")
            continue
        if stripped.startswith(";;;") and not _ROW.match(line):
            comment = stripped[3:].strip()  # v7: comment line before its item
            continue
        found = _ROW.match(line)
        if found:
            flags = line[found.end() : header.first].strip()
            values = header.cut(line)
            rest = line[header.first :].strip()
            if rest.startswith(";;;"):
                # v6 comment: it runs across the columns; the values follow on the next line.
                waiting = (int(found[1]), flags, rest[3:].strip())
                continue
            rows.append(Row(int(found[1]), flags, values, comment))
            comment = None
            continue
        if waiting is not None:
            index, flags, note = waiting
            rows.append(Row(index, flags, header.cut(line), note))
            waiting = None
            continue
        raise ParseError(f"line {number}: not a row of the table")
    if header is None:
        raise ParseError("no column header")
    if waiting is not None:
        raise ParseError("item values missing after its comment: output truncated")
    return rows
