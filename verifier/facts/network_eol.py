"""Offline end-of-support lookup for network OS release trains over data/network_eol.yml."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from verifier.facts.eol import EolInfo, EolStatus

DATA_FILE = Path(__file__).parent / "data" / "network_eol.yml"

MATCH_RULES = ("major", "major_minor", "ios_train", "junos")


@dataclass(frozen=True)
class Train:
    eol: datetime.date | None  # None: the vendor publishes no end date
    approximate: bool


@dataclass(frozen=True)
class System:
    match: str
    source: str
    trains: dict[str, Train]


@dataclass(frozen=True)
class NetworkDataset:
    retrieved: str
    systems: dict[str, System]


def _as_date(value: Any) -> datetime.date | None:
    if value is None:
        return None
    # PyYAML already turns unquoted YYYY-MM-DD into date; accept strings too.
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@lru_cache(maxsize=4)
def load_network_dataset(path: Path = DATA_FILE) -> NetworkDataset:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    systems: dict[str, System] = {}
    for name, spec in doc["systems"].items():
        match = str(spec["match"])
        if match not in MATCH_RULES:
            raise ValueError(f"{path}: {name}: unknown match rule {match!r}")
        trains = {
            str(key): Train(_as_date(rel.get("eol")), bool(rel.get("approximate", False)))
            for key, rel in spec["releases"].items()
        }
        systems[str(name)] = System(match, str(spec["source"]), trains)
    return NetworkDataset(retrieved=str(doc["retrieved"]), systems=systems)


_IOS_TRAIN = re.compile(r"^(\d+)\.(\d+)\(\w+\)([A-Z]*)")
_JUNOS_TRAIN = re.compile(r"^(\d+)\.(\d+)(X\d+)?")
_NUMBERS = re.compile(r"\d+")


def train_key(version: str, match: str) -> str | None:
    """Release train of a version as the device prints it.

    ios_train: 15.2(4)M7 -> 15.2M, 12.2(55)SE12 -> 12.2SE, 12.4(25f) -> 12.4
    junos:     21.4R3-S5.4 -> 21.4, 15.1X49-D170.4 -> 15.1X49
    major_minor: 17.09.04a -> 17.9 (IOS XE pads with zeros), 9.16(4)23 -> 9.16, 4.30.4M -> 4.30
    major:     7.15.3 -> 7
    """
    version = version.strip()
    if match == "ios_train":
        found = _IOS_TRAIN.match(version)
        return f"{int(found[1])}.{int(found[2])}{found[3]}" if found else None
    if match == "junos":
        found = _JUNOS_TRAIN.match(version)
        return f"{int(found[1])}.{int(found[2])}{found[3] or ''}" if found else None
    numbers = _NUMBERS.findall(version)
    if match == "major":
        return str(int(numbers[0])) if numbers else None
    return f"{int(numbers[0])}.{int(numbers[1])}" if len(numbers) >= 2 else None


def lookup_network_eol(os_name: str, version: str, today: datetime.date) -> EolInfo:
    data = load_network_dataset()
    system = data.systems.get(os_name.strip().lower())
    if system is None:
        return EolInfo(status="unknown", date=None, source=f"retrieved {data.retrieved}")
    source = f"{system.source} (retrieved {data.retrieved})"
    key = train_key(version, system.match)
    train = system.trains.get(key) if key else None
    if train is None:
        return EolInfo(status="unknown", date=None, source=source)
    if train.approximate:
        source = f"{system.source}, approximate date (retrieved {data.retrieved})"
    # Support runs through the end date itself; no published end date means still supported.
    status: EolStatus = "eol" if train.eol is not None and today > train.eol else "supported"
    return EolInfo(status=status, date=train.eol, source=source)
