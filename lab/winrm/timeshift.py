"""Move every timestamp of a recorded output by whole days.

Profiles are recorded on one day (:data:`lab.winrm.hostprofile.RECORDED_ON`). A lab started
later serves them shifted to its own day so ages (last update, signature, uptime) stay what
was recorded instead of growing every day the repository gets older. Dates of the formats the
collection script and Windows produce move; everything else (KB titles such as "2026-11
Cumulative Update", versions, end-of-life facts derived from the build) stays as recorded.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z")  # the script's datetimes
# [string] of a DateTime in PowerShell (invariant culture): Win32_QuickFixEngineering.InstalledOn
_INVARIANT = re.compile(r"\b(\d{2}/\d{2}/\d{4}) (\d{2}:\d{2}:\d{2})\b")
# SecurityCenter2 AntiVirusProduct.timestamp, RFC 1123
_RFC1123 = re.compile(r"\b[A-Z][a-z]{2}, (\d{2} [A-Z][a-z]{2} \d{4}) (\d{2}:\d{2}:\d{2}) GMT\b")


# English names whatever the process locale is (strftime's %a/%b follow the locale).
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def shift_text(text: str, days: int) -> str:
    """``text`` with every recognised timestamp ``days`` later (earlier if negative)."""
    if not days:
        return text
    delta = dt.timedelta(days=days)

    def iso(m: re.Match[str]) -> str:
        day = dt.date.fromisoformat(m.group(1)) + delta
        return f"{day.isoformat()}T{m.group(2)}Z"

    def invariant(m: re.Match[str]) -> str:
        day = dt.datetime.strptime(m.group(1), "%m/%d/%Y").date() + delta
        return f"{day:%m/%d/%Y} {m.group(2)}"

    def rfc1123(m: re.Match[str]) -> str:
        d, mon, y = m.group(1).split()
        day = dt.date(int(y), _MONTHS.index(mon) + 1, int(d)) + delta
        # The weekday moves with the day.
        name = f"{_DAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year}"
        return f"{name} {m.group(2)} GMT"

    text = _ISO.sub(iso, text)
    text = _INVARIANT.sub(invariant, text)
    return _RFC1123.sub(rfc1123, text)


def days_between(recorded: dt.date, today: dt.date | None) -> int:
    return 0 if today is None else (today - recorded).days
