"""Offline OS end-of-life lookup over data/os_eol.yml."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

DATA_FILE = Path(__file__).parent / "data" / "os_eol.yml"

EolStatus = Literal["supported", "eol", "unknown"]


@dataclass(frozen=True)
class EolInfo:
    status: EolStatus
    date: datetime.date | None
    source: str
    extended: datetime.date | None = None


@dataclass(frozen=True)
class _Dataset:
    source: str
    # os id -> (match rule, {release key: (eol, extended)})
    distributions: dict[str, tuple[str, dict[str, tuple[datetime.date, datetime.date | None]]]]


def _as_date(value: Any) -> datetime.date:
    # PyYAML already turns unquoted YYYY-MM-DD into date; accept strings too.
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@lru_cache(maxsize=4)
def load_dataset(path: Path = DATA_FILE) -> _Dataset:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = f"{doc['source']} (retrieved {doc['retrieved']})"
    dists: dict[str, tuple[str, dict[str, tuple[datetime.date, datetime.date | None]]]] = {}
    for os_id, spec in doc["distributions"].items():
        releases: dict[str, tuple[datetime.date, datetime.date | None]] = {}
        for key, rel in spec["releases"].items():
            ext = rel.get("extended")
            releases[str(key)] = (_as_date(rel["eol"]), _as_date(ext) if ext else None)
        dists[str(os_id)] = (str(spec.get("match", "major")), releases)
    return _Dataset(source=source, distributions=dists)


def release_key(version: str, match: str) -> str:
    """'9.3' -> '9'; Ubuntu '16.04.7' -> '16.04' (interim and LTS releases differ by minor)."""
    parts = version.strip().split(".")
    if match == "major_minor":
        return ".".join(parts[:2])
    return parts[0]


def lookup_os_eol(os_id: str, version: str, today: datetime.date) -> EolInfo:
    data = load_dataset()
    entry = data.distributions.get(os_id.strip().lower())
    if entry is None or not version.strip():
        return EolInfo(status="unknown", date=None, source=data.source)
    match, releases = entry
    found = releases.get(release_key(version, match))
    if found is None:
        return EolInfo(status="unknown", date=None, source=data.source)
    eol, extended = found
    # Support runs through the end date itself.
    status: EolStatus = "eol" if today > eol else "supported"
    return EolInfo(status=status, date=eol, source=data.source, extended=extended)
