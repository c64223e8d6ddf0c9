import datetime

import pytest

from verifier.facts.windows_eol import load_dataset, lookup_windows_eol, servicing_line

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("build", "product_type", "edition", "status", "date"),
    [
        (2600, 1, "", "eol", "2014-04-08"),  # XP
        (7601, 1, "Professional", "eol", "2020-01-14"),  # 7 SP1: ESU does not count
        (19045, 1, "Professional", "eol", "2025-10-14"),  # 10 22H2
        (22631, 1, "Professional", "eol", "2025-11-11"),  # 11 23H2 Pro
        (22631, 1, "Enterprise", "eol", "2026-11-10"),  # 11 23H2 Enterprise: two weeks ago
        (26200, 1, "Professional", "supported", "2027-10-12"),  # 11 25H2
        (26200, 1, "Enterprise", "supported", "2028-10-10"),
        (19044, 1, "EnterpriseS", "supported", "2027-01-12"),  # LTSC 2021
        (19044, 1, "IoTEnterpriseS", "supported", "2032-01-13"),
        (7601, 3, "ServerStandard", "eol", "2020-01-14"),  # 2008 R2
        (20348, 3, "ServerStandard", "supported", "2031-10-14"),  # 2022
        (17763, 2, "ServerDatacenter", "supported", "2029-01-09"),  # 2019 domain controller
    ],
)
def test_lookup(build: int, product_type: int, edition: str, status: str, date: str) -> None:
    info, name = lookup_windows_eol(build, product_type, edition, TODAY)
    assert (info.status, info.date and info.date.isoformat()) == (status, date)
    assert name and "Windows" in name and "retrieved" in info.source


def test_support_runs_through_the_end_date() -> None:
    last_day = datetime.date(2027, 10, 12)
    assert lookup_windows_eol(26200, 1, "Professional", last_day)[0].status == "supported"
    next_day = last_day + datetime.timedelta(days=1)
    assert lookup_windows_eol(26200, 1, "Professional", next_day)[0].status == "eol"


def test_unknown_build_is_unknown_never_supported() -> None:
    info, name = lookup_windows_eol(12345, 1, "Professional", TODAY)
    assert info.status == "unknown" and info.date is None and name is None


def test_servicing_line() -> None:
    assert servicing_line(1, "Professional") == "client"
    assert servicing_line(1, "EnterpriseS") == "ltsc"
    assert servicing_line(3, "EnterpriseS") == "server"


def test_dataset_covers_xp_to_server_2025() -> None:
    data = load_dataset()
    names = " ".join(r.name for line in data.lines.values() for r in line.values())
    for release in ("XP", "Vista", "Windows 7", "8.1", "Windows 10", "Windows 11", "2003", "2025"):
        assert release in names
