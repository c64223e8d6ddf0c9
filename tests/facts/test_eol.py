"""Offline OS EOL dataset lookups."""

from __future__ import annotations

import datetime

import pytest

from verifier.facts.eol import load_dataset, lookup_os_eol, release_key

TODAY = datetime.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("os_id", "version", "status", "date"),
    [
        ("ubuntu", "16.04", "eol", "2021-04-02"),
        ("ubuntu", "16.04.7", "eol", "2021-04-02"),
        ("ubuntu", "24.04", "supported", "2029-05-31"),
        ("debian", "11", "eol", "2026-08-31"),
        ("debian", "12", "supported", "2028-06-30"),
        ("debian", "13", "supported", "2030-06-30"),
        ("rhel", "9.3", "supported", "2032-05-31"),
        ("rocky", "9.3", "supported", "2032-05-31"),
        ("almalinux", "8.10", "supported", "2029-03-01"),
        ("centos", "8", "eol", "2021-12-31"),
        ("centos", "7.9.2009", "eol", "2024-06-30"),
        ("centos-stream", "9", "supported", "2027-05-31"),
        ("ol", "7.9", "eol", "2024-12-31"),
        ("sles", "15.5", "supported", "2031-07-31"),
        ("amzn", "2", "eol", "2026-06-30"),
        ("amzn", "2023", "supported", "2029-06-30"),
        ("fedora", "40", "eol", "2025-05-13"),
        ("RHEL", "10.0", "supported", "2035-05-31"),
    ],
)
def test_known_releases(os_id: str, version: str, status: str, date: str) -> None:
    info = lookup_os_eol(os_id, version, TODAY)
    assert info.status == status
    assert info.date is not None and info.date.isoformat() == date
    assert "retrieved 2026-11-01" in info.source


def test_support_runs_through_the_end_date() -> None:
    assert lookup_os_eol("debian", "12", datetime.date(2028, 6, 30)).status == "supported"
    assert lookup_os_eol("debian", "12", datetime.date(2028, 7, 1)).status == "eol"


def test_extended_support_is_informational() -> None:
    info = lookup_os_eol("ubuntu", "18.04", TODAY)
    assert info.status == "eol"
    assert info.extended == datetime.date(2028, 4, 1)


@pytest.mark.parametrize(("os_id", "version"), [
    ("gentoo", "2.15"), ("ubuntu", "17.10"), ("debian", ""), ("rocky", "99"),
])
def test_unknown_release(os_id: str, version: str) -> None:
    info = lookup_os_eol(os_id, version, TODAY)
    assert info.status == "unknown"
    assert info.date is None
    assert info.source


def test_release_key() -> None:
    assert release_key("16.04.7", "major_minor") == "16.04"
    assert release_key("9.3", "major") == "9"
    assert release_key("12", "major") == "12"


def test_dataset_dates_are_valid_and_ordered() -> None:
    data = load_dataset()
    assert {"ubuntu", "debian", "rhel", "rocky", "almalinux", "centos", "ol", "sles", "amzn",
            "fedora"} <= set(data.distributions)
    for _, (_, releases) in data.distributions.items():
        for eol, extended in releases.values():
            assert isinstance(eol, datetime.date)
            assert extended is None or extended >= eol
