"""Small value parsers shared by several platforms: durations and addresses."""

from __future__ import annotations

import re

from verifier.collectors.parsers.probes import ParseError

_DURATION_UNITS = {
    "year": 365 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "min": 60,
    "second": 1,
    "sec": 1,
}
_DURATION = re.compile(r"(\d+)\s*(years?|weeks?|days?|hours?|minutes?|mins?|seconds?|secs?)\b")


def parse_duration(text: str) -> int:
    """'2 years, 31 weeks, 6 days, 9 hours, 55 minutes' / '1 year 97 days' -> seconds."""
    total = 0
    found = False
    for number, unit in _DURATION.findall(text.lower()):
        total += int(number) * _DURATION_UNITS[unit.rstrip("s")]
        found = True
    if not found:
        raise ParseError(f"no duration in {text.strip()!r}")
    return total


_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


_IPV6 = re.compile(r"^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$")


def looks_like_address(token: str) -> bool:
    """IPv4, IPv6 or a dotted host name; not a CLI keyword such as `buffered` or `trap`."""
    if _IPV4.match(token) or _IPV6.match(token):
        return True
    return "." in token and not token[0].isdigit()
