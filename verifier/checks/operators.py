"""Named operators: each takes (actual, expected, today) and returns pass or fail.

A missing fact never reaches an operator (the engine turns it into `unknown`) except for
`present`/`absent`, which exist to read absence. An operator raises OperatorTypeError when the
fact has the wrong type for it; the engine reports that as `error`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from packaging.version import InvalidVersion, Version

MISSING: Any = object()


class OperatorTypeError(ValueError):
    """The actual or expected value does not fit the operator."""


@dataclass(frozen=True)
class Operator:
    name: str
    func: Callable[[Any, Any, date], bool]
    takes_expected: bool = True
    reads_missing: bool = False


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OperatorTypeError(f"{what} is not a number: {value!r}")
    return float(value)


def _items(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise OperatorTypeError(f"{what} is not a list: {value!r}")
    return list(value)


def _version(value: Any, what: str) -> Version:
    try:
        return Version(str(value))
    except InvalidVersion:
        # Vendor versions such as "9.3 (Blue Onyx)" or "16.04.7": keep the numeric head.
        head = re.match(r"\d+(\.\d+)*", str(value))
        if not head:
            raise OperatorTypeError(f"{what} is not a version: {value!r}") from None
        return Version(head.group(0))


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise OperatorTypeError(f"fact is not a date: {value!r}")
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise OperatorTypeError(f"fact is not an ISO date: {value!r}") from None


def _age_days(actual: Any, today: date) -> int:
    return (today - _date(actual)).days


def _cmp(
    kind: Callable[[Any, Any], bool], convert: Callable[[Any, str], Any]
) -> Callable[[Any, Any, date], bool]:
    return lambda actual, expected, _today: kind(
        convert(actual, "fact"), convert(expected, "expected")
    )


def _regex(actual: Any, expected: Any) -> bool:
    if not isinstance(actual, str):
        raise OperatorTypeError(f"fact is not text: {actual!r}")
    return re.search(str(expected), actual) is not None


def _overlap(actual: Any, expected: Any) -> set[Any]:
    return {_hashable(a) for a in _items(actual, "fact")} & {
        _hashable(e) for e in _items(expected, "expected")
    }


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OperatorTypeError(f"{what} is not a whole number: {value!r}")
    return value


def _membership(actual: Any, expected: Sequence[Any]) -> bool:
    return actual in _items(expected, "expected")


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", lambda a, e, _t: a == e),
        Operator("ne", lambda a, e, _t: a != e),
        Operator("in", lambda a, e, _t: _membership(a, e)),
        Operator("not_in", lambda a, e, _t: not _membership(a, e)),
        Operator("gt", _cmp(lambda a, e: a > e, _number)),
        Operator("ge", _cmp(lambda a, e: a >= e, _number)),
        Operator("lt", _cmp(lambda a, e: a < e, _number)),
        Operator("le", _cmp(lambda a, e: a <= e, _number)),
        Operator("version_gt", _cmp(lambda a, e: a > e, _version)),
        Operator("version_ge", _cmp(lambda a, e: a >= e, _version)),
        Operator("version_lt", _cmp(lambda a, e: a < e, _version)),
        Operator("version_le", _cmp(lambda a, e: a <= e, _version)),
        Operator("matches", lambda a, e, _t: _regex(a, e)),
        Operator("not_matches", lambda a, e, _t: not _regex(a, e)),
        Operator("present", lambda a, _e, _t: a is not MISSING, False, True),
        Operator("absent", lambda a, _e, _t: a is MISSING, False, True),
        Operator("max_age_days", lambda a, e, t: _age_days(a, t) <= _int(e, "expected")),
        Operator("min_age_days", lambda a, e, t: _age_days(a, t) >= _int(e, "expected")),
        Operator("contains", lambda a, e, _t: e in _items(a, "fact")),
        Operator("not_contains", lambda a, e, _t: e not in _items(a, "fact")),
        Operator("any_of", lambda a, e, _t: bool(_overlap(a, e))),
        Operator(
            "all_of",
            lambda a, e, _t: (
                len(_overlap(a, e)) == len({_hashable(x) for x in _items(e, "expected")})
            ),
        ),
        Operator("none_of", lambda a, e, _t: not _overlap(a, e)),
        Operator(
            "subset_of",
            lambda a, e, _t: (
                {_hashable(x) for x in _items(a, "fact")}
                <= {_hashable(x) for x in _items(e, "expected")}
            ),
        ),
        Operator("empty", lambda a, _e, _t: not _items(a, "fact"), False),
        Operator("not_empty", lambda a, _e, _t: bool(_items(a, "fact")), False),
        Operator("length_le", lambda a, e, _t: len(_items(a, "fact")) <= _int(e, "expected")),
        Operator("length_ge", lambda a, e, _t: len(_items(a, "fact")) >= _int(e, "expected")),
    )
}

# Fleet operators look at every host's value at once; see verifier.checks.fleet.
FLEET_OPERATORS = ("unique", "uniform")


def apply(name: str, actual: Any, expected: Any, today: date) -> bool:
    """Evaluate one named operator. Raises KeyError for an unknown name."""
    return OPERATORS[name].func(actual, expected, today)
