"""Offline network OS end-of-support dataset."""

from __future__ import annotations

import datetime

import pytest

from verifier.facts.network_eol import (
    MATCH_RULES,
    load_network_dataset,
    lookup_network_eol,
    train_key,
)

TODAY = datetime.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("version", "match", "key"),
    [
        ("15.2(4)M7", "ios_train", "15.2M"),
        ("12.2(55)SE12", "ios_train", "12.2SE"),
        ("15.2(7)E8", "ios_train", "15.2E"),
        ("12.4(25f)", "ios_train", "12.4"),
        ("17.09.04a", "major_minor", "17.9"),
        ("17.12.4", "major_minor", "17.12"),
        ("9.16(4)23", "major_minor", "9.16"),
        ("4.30.4M", "major_minor", "4.30"),
        ("7.2.8", "major_minor", "7.2"),
        ("21.4R3-S5.4", "junos", "21.4"),
        ("15.1X49-D170.4", "junos", "15.1X49"),
        ("7.15.3", "major", "7"),
        ("garbage", "major_minor", None),
        ("", "ios_train", None),
    ],
)
def test_train_key(version: str, match: str, key: str | None) -> None:
    assert train_key(version, match) == key


@pytest.mark.parametrize(
    ("os_name", "version", "status", "date", "approximate"),
    [
        ("fortios", "6.4.15", "eol", "2024-09-30", False),
        ("fortios", "7.2.8", "eol", "2026-09-30", False),
        ("fortios", "7.4.9", "supported", "2027-11-11", False),
        ("eos", "4.26.1F", "eol", "2024-04-15", False),
        ("eos", "4.32.2F", "supported", "2027-04-15", True),
        ("ios", "15.2(4)M7", "eol", "2022-12-31", True),
        ("ios-xe", "17.09.04a", "eol", "2026-07-31", True),
        ("ios-xe", "17.12.4", "supported", "2027-07-31", True),
        ("asa", "9.8(4)41", "eol", "2022-05-31", True),
        ("junos", "18.4R3-S9.2", "eol", "2022-06-20", True),
        ("junos", "23.4R2-S3.9", "supported", "2028-12-14", True),
    ],
)
def test_known_trains(
    os_name: str, version: str, status: str, date: str, approximate: bool
) -> None:
    info = lookup_network_eol(os_name, version, TODAY)
    assert info.status == status
    assert info.date is not None and info.date.isoformat() == date
    assert "retrieved 2026-11-23" in info.source
    assert ("approximate" in info.source) is approximate


def test_routeros_has_no_published_end() -> None:
    info = lookup_network_eol("routeros", "6.49.10", TODAY)
    assert (info.status, info.date) == ("supported", None)
    assert "no published end-of-support" in info.source


@pytest.mark.parametrize(
    ("os_name", "version"),
    [("junos", "15.1X49-D170.4"), ("ios-xe", "03.06.06E"), ("panos", "10.1.0"), ("eos", "")],
)
def test_unknown_train(os_name: str, version: str) -> None:
    info = lookup_network_eol(os_name, version, TODAY)
    assert info.status == "unknown"
    assert info.date is None


def test_support_runs_through_the_end_date() -> None:
    assert lookup_network_eol("fortios", "7.2.1", datetime.date(2026, 9, 30)).status == "supported"
    assert lookup_network_eol("fortios", "7.2.1", datetime.date(2026, 10, 1)).status == "eol"


def test_dataset_is_complete_and_valid() -> None:
    data = load_network_dataset()
    assert set(data.systems) == {"ios", "ios-xe", "asa", "fortios", "junos", "eos", "routeros"}
    for name, system in data.systems.items():
        assert system.match in MATCH_RULES, name
        assert system.trains, name
        for key, train in system.trains.items():
            if system.match != "ios_train":  # keys are written as the rule would derive them
                assert train_key(key, system.match) == key, (name, key)
            assert train.eol is None or isinstance(train.eol, datetime.date)
    # Every train the brief names is covered.
    for os_name, version in [
        ("ios", "15.2(4)M7"),
        ("ios", "12.2(55)SE12"),
        ("ios-xe", "16.12.4"),
        ("ios-xe", "17.9.4a"),
        ("asa", "9.16(4)"),
        ("asa", "9.18(4)"),
        ("fortios", "6.2.16"),
        ("fortios", "7.0.15"),
        ("junos", "21.4R3"),
        ("junos", "22.4R3"),
        ("eos", "4.28.9M"),
        ("eos", "4.30.4M"),
        ("routeros", "6.49.10"),
        ("routeros", "7.15.3"),
    ]:
        assert lookup_network_eol(os_name, version, TODAY).status != "unknown", (os_name, version)
