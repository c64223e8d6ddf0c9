"""Cisco IOS / IOS XE parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import TODAY, assert_golden, cases, parsed
from verifier.collectors.parsers import cisco_ios
from verifier.collectors.parsers.ciscoconf import parse_config
from verifier.collectors.parsers.probes import ParseError

PLATFORM = "cisco_ios"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_isr_is_flagged_everywhere() -> None:
    facts = _facts("ios15_2_isr_legacy")
    assert facts["os"]["name"] == "ios"
    assert facts["os"]["eol"]["status"] == "eol"
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["http_enabled"] is True
    assert facts["mgmt"]["ssh_version"] == "1.99"
    assert facts["mgmt"]["idle_timeout_minutes"] == 0
    assert facts["mgmt"]["login_banner"] is False
    assert facts["snmp"]["default_community"] is True
    assert facts["accounts"]["password_encryption"] is False
    assert facts["accounts"]["default_admin"] is True
    assert facts["config"]["unsaved"] is True


def test_iosxe_compliant_switch() -> None:
    facts = _facts("iosxe17_12_cat9300")
    assert facts["os"] == {**facts["os"], "name": "ios-xe", "version": "17.12.4"}
    assert facts["snmp"] == {
        "enabled": True,
        "communities": [],
        "default_community": False,
        "v3_only": True,
    }
    assert facts["ntp"]["servers"] == ["10.255.0.5", "10.255.0.6"]
    assert facts["logging"]["syslog_servers"] == ["10.255.0.50", "10.255.0.51"]
    assert facts["config"]["unsaved"] is False


def test_vty_without_transport_on_15_plus_is_unknown() -> None:
    facts = _facts("iosxe17_9_isr4331")
    assert "telnet_enabled" not in facts["mgmt"]
    # Type 7 is reversible whether or not `service password-encryption` produced it.
    assert facts["accounts"]["password_encryption"] is False


def _config(body: str) -> str:
    return f"version 15.2\nhostname r1\n{body}\nend\n"


@pytest.mark.parametrize(
    ("vty", "version", "expected"),
    [
        (" transport input telnet ssh", "15.2(4)M7", True),
        (" transport input all", "17.9.4a", True),
        (" transport input ssh", "12.2(55)SE", False),
        (" transport input none", "15.2(4)M7", False),
        (" login local", "12.2(55)SE12", True),  # IOS < 15.0 default: all
        (" login local", "15.0(2)SE11", None),
        (" login local", None, None),
    ],
)
def test_telnet_rules(vty: str, version: str | None, expected: bool | None) -> None:
    config = parse_config(_config(f"line vty 0 4\n{vty}"))
    assert cisco_ios.telnet_enabled(config, version) is expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([" login"], 10),
        ([" exec-timeout 5 30"], 6),
        ([" exec-timeout 15 0"], 15),
        ([" exec-timeout 0 0"], 0),
    ],
)
def test_idle_timeout(lines: list[str], expected: int) -> None:
    body = "line vty 0 4\n" + "\n".join(lines) + "\nline vty 5 15\n exec-timeout 5 0"
    assert cisco_ios.idle_timeout(parse_config(_config(body))) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "! Last configuration change at 14:22:31 UTC Fri Oct 30 2026 by admin\n"
            "! NVRAM config last updated at 09:12:01 UTC Mon Oct 12 2026 by admin",
            True,
        ),
        (
            "! Last configuration change at 08:15:02 UTC Thu Oct 29 2026 by netops\n"
            "! NVRAM config last updated at 08:15:02 UTC Thu Oct 29 2026 by netops",
            False,
        ),
        ("! Last configuration change at 08:15:02 CET Thu Oct 29 2026", True),
        ("! No configuration change since last restart", False),
        ("", None),
    ],
)
def test_unsaved_from_header(header: str, expected: bool | None) -> None:
    assert cisco_ios.unsaved_from_header(f"Building configuration...\n!\n{header}\n!\n") is expected


@pytest.mark.parametrize(
    ("text", "enabled", "version"),
    [
        ("SSH Enabled - version 2.0\nAuthentication timeout: 120 secs", True, "2"),
        ("SSH Disabled - version 1.99\n%Please create RSA keys to enable SSH", False, "1.99"),
        ("SSH Enabled - version 1.5", True, "1"),
    ],
)
def test_show_ip_ssh(text: str, enabled: bool, version: str) -> None:
    assert cisco_ios.parse_show_ip_ssh(text) == {"ssh_enabled": enabled, "ssh_version": version}


def test_show_ip_ssh_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        cisco_ios.parse_show_ip_ssh("Building configuration...")


def test_syslog_and_ntp_forms() -> None:
    config = parse_config(
        _config(
            "logging buffered 4096\nlogging trap informational\nlogging 10.0.0.5\n"
            "logging host 10.0.0.6 transport udp port 514\nlogging host ipv6 2001:db8::5\n"
            "ntp server vrf Mgmt 10.0.0.7 prefer\nntp server ip pool.example.net\n"
            "ntp server 10.0.0.7"
        )
    )
    assert cisco_ios.syslog_servers(config) == ["10.0.0.5", "10.0.0.6", "2001:db8::5"]
    assert cisco_ios.ntp_servers(config) == ["10.0.0.7", "pool.example.net"]


def test_banner_body_is_not_read_as_commands() -> None:
    text = _config(
        "banner motd ^C\nusername ghost privilege 15 password 0 x\n^C\nusername real secret 9 $9$a$b"
    )
    facts = cisco_ios.parse_running_config(text, "15.2(4)M7")
    assert [u["name"] for u in facts["accounts"]["local_users"]] == ["real"]
    assert facts["mgmt"]["login_banner"] is True
    assert facts["accounts"]["password_encryption"] is True


def test_unclosed_banner_is_a_probe_error() -> None:
    facts, errors = cisco_ios.parse(
        {"show running-config": _config("banner login #\nnever closed")}, TODAY
    )
    assert "show_running_config" in errors
    assert "banner" in errors["show_running_config"]
    assert "accounts" not in facts
