"""Offline Windows end-of-life lookup over data/windows_eol.yml, by build number and edition."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from verifier.facts.eol import EolInfo, EolStatus

DATA_FILE = Path(__file__).parent / "data" / "windows_eol.yml"

Line = Literal["client", "ltsc", "server"]

# Editions on the longer Windows 10/11 servicing track (Microsoft's "Enterprise and Education").
_ENTERPRISE_EDITIONS = frozenset(
    {"enterprise", "enterprisen", "education", "educationn", "enterpriseg", "iotenterprise"}
)
# Long-Term Servicing editions: EnterpriseS, EnterpriseSN, IoTEnterpriseS.
_LTSC_EDITIONS = frozenset({"enterprises", "enterprisesn", "iotenterprises"})


@dataclass(frozen=True)
class WindowsRelease:
    name: str
    eol: datetime.date
    eol_enterprise: datetime.date | None = None
    eol_iot: datetime.date | None = None
    extended: datetime.date | None = None


@dataclass(frozen=True)
class _Dataset:
    source: str
    lines: dict[str, dict[str, WindowsRelease]]


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@lru_cache(maxsize=2)
def load_dataset(path: Path = DATA_FILE) -> _Dataset:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines: dict[str, dict[str, WindowsRelease]] = {}
    for line in ("client", "ltsc", "server"):
        lines[line] = {
            str(build): WindowsRelease(
                name=str(spec["name"]),
                eol=_date(spec["eol"]) or datetime.date.min,
                eol_enterprise=_date(spec.get("eol_enterprise")),
                eol_iot=_date(spec.get("eol_iot")),
                extended=_date(spec.get("extended")),
            )
            for build, spec in (doc.get(line) or {}).items()
        }
    return _Dataset(source=f"{doc['source']} (retrieved {doc['retrieved']})", lines=lines)


def servicing_line(product_type: int, edition_id: str) -> Line:
    """ProductType 1 is a workstation; 2 (domain controller) and 3 are servers."""
    if product_type in (2, 3):
        return "server"
    return "ltsc" if edition_id.strip().lower() in _LTSC_EDITIONS else "client"


def lookup_windows_eol(
    build: int, product_type: int, edition_id: str, today: datetime.date
) -> tuple[EolInfo, str | None]:
    """(EOL info, release name) for a build; status `unknown` when the build is not listed."""
    data = load_dataset()
    line = servicing_line(product_type, edition_id)
    release = data.lines[line].get(str(build))
    if release is None:
        return EolInfo(status="unknown", date=None, source=data.source), None
    edition = edition_id.strip().lower()
    eol = release.eol
    if edition in _ENTERPRISE_EDITIONS and release.eol_enterprise:
        eol = release.eol_enterprise
    elif edition.startswith("iot") and release.eol_iot:
        eol = release.eol_iot
    # Support runs through the end date itself (Patch Tuesday of that month).
    status: EolStatus = "eol" if today > eol else "supported"
    return EolInfo(status=status, date=eol, source=data.source, extended=release.extended), (
        release.name
    )
