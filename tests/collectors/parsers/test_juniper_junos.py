"""Junos parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import assert_golden, cases, parsed
from verifier.collectors.parsers import juniper_junos

PLATFORM = "juniper_junos"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_srx() -> None:
    facts = _facts("junos18_4_srx340_legacy")
    assert facts["hardware"] == {
        "vendor": "Juniper Networks",
        "model": "SRX340",
        "serial": "CV2017AF0412",
    }
    assert facts["uptime_seconds"] == 507 * 86400 + 6 * 3600 + 5 * 60 + 37
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["http_enabled"] is True
    assert facts["mgmt"]["idle_timeout_minutes"] == 0  # predefined classes never time out
    assert facts["snmp"]["default_community"] is True


def test_virtual_chassis_member_headers() -> None:
    facts = _facts("junos23_4_ex4400")
    assert facts["os"]["version"] == "23.4R2-S3.9"
    assert facts["hostname"] == "acc-sw-07"
    assert facts["uptime_seconds"] == 48 * 86400 + 3 * 3600 + 21 * 60 + 8
    assert facts["mgmt"]["idle_timeout_minutes"] == 15
    assert [u["admin"] for u in facts["accounts"]["local_users"]] == [True, False]


def test_first_member_only() -> None:
    rule = "-" * 40
    text = f"fpc0:\n{rule}\nHostname: a\n\nfpc1:\n{rule}\nHostname: b\n{{master:0}}\n"
    assert juniper_junos.first_member(text).split() == ["Hostname:", "a"]


def test_software_release_line_without_junos_line() -> None:
    text = "Hostname: old-srx\nModel: srx240h2\nJUNOS Software Release [12.3X48-D105.4]\n"
    assert juniper_junos.parse_show_version(text)["version"] == "12.3X48-D105.4"


def _config(*lines: str) -> str:
    return "\n".join(["set system host-name r1", *lines]) + "\n"


@pytest.mark.parametrize(
    ("versions", "expected"),
    [((), "2"), (("v2",), "2"), (("v1",), "1"), (("v1", "v2"), "1.99")],
)
def test_ssh_version(versions: tuple[str, ...], expected: str) -> None:
    lines = [f"set system services ssh protocol-version {v}" for v in versions]
    facts = juniper_junos.parse_config(_config("set system services ssh", *lines))
    assert facts["mgmt"]["ssh_version"] == expected


def test_root_without_password_is_the_default_admin() -> None:
    facts = juniper_junos.parse_config(_config("set system login user a class super-user"))
    assert facts["accounts"]["default_admin"] is True
    facts = juniper_junos.parse_config(
        _config('set system root-authentication encrypted-password "$6$a$b"')
    )
    assert facts["accounts"]["default_admin"] is False


def test_commit_is_persistent() -> None:
    assert juniper_junos.parse_config(_config())["config"]["unsaved"] is False


def test_deactivated_statements_do_not_count() -> None:
    facts = juniper_junos.parse_config(
        _config("set system services telnet", "deactivate system services telnet")
    )
    assert facts["mgmt"]["telnet_enabled"] is False
