"""FortiOS parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import TODAY, assert_golden, cases, load_outputs, parsed
from verifier.collectors.parsers import fortinet
from verifier.collectors.parsers.fortiosconf import parse_fortios
from verifier.collectors.parsers.probes import ParseError

PLATFORM = "fortinet"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_fortigate() -> None:
    facts = _facts("fortios6_4_fgt60e_legacy")
    assert facts["os"]["version"] == "6.4.15"
    assert facts["os"]["eol"]["status"] == "eol"
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["http_enabled"] is True
    assert facts["mgmt"]["idle_timeout_minutes"] == 480
    assert facts["snmp"]["default_community"] is True
    assert facts["ntp"]["servers"] == []
    assert facts["logging"]["syslog_servers"] == []
    assert facts["accounts"]["default_admin"] is True
    # `get system status` prints no uptime outside an HA cluster.
    assert "uptime_seconds" not in facts


def test_compliant_fortigate() -> None:
    facts = _facts("fortios7_4_fg100f")
    assert facts["mgmt"]["telnet_enabled"] is False
    assert facts["mgmt"]["login_banner"] is True
    assert facts["ntp"]["servers"] == ["10.255.0.5", "10.255.0.6"]
    assert facts["accounts"]["default_admin"] is False


def _node(text: str) -> str:
    return text.strip() + "\n"


@pytest.mark.parametrize(
    ("ntp", "servers"),
    [
        ("config system ntp\nend", ["fortiguard"]),
        ("config system ntp\n    set ntpsync disable\nend", []),
        (
            "config system ntp\n    set type custom\n    config ntpserver\n        edit 1\n"
            '            set server "ntp1.example.net"\n        next\n    end\nend',
            ["ntp1.example.net"],
        ),
    ],
)
def test_ntp(ntp: str, servers: list[str]) -> None:
    assert fortinet.parse_ntp(_node(ntp)) == servers


def test_admin_telnet_disabled_globally_wins_over_allowaccess() -> None:
    outputs = load_outputs(PLATFORM, "fortios6_4_fgt60e_legacy")
    outputs["show system global"] = outputs["show system global"].replace(
        "    set admintimeout 480", "    set admintimeout 480\n    set admin-telnet disable"
    )
    facts, _ = fortinet.parse(outputs, TODAY)
    assert facts["mgmt"]["telnet_enabled"] is False


def test_manual_config_save_makes_unsaved_unknown() -> None:
    facts = fortinet.parse_global(_node("config system global\n    set cfg-save manual\nend"))
    assert facts["unsaved"] is None
    assert fortinet.parse_global(_node("config system global\nend"))["unsaved"] is False


def test_down_interface_does_not_count() -> None:
    text = (
        'config system interface\n    edit "wan9"\n        set status down\n'
        "        set allowaccess telnet http\n    next\nend\n"
    )
    assert fortinet.management_access(text) == set()


def test_community_without_v1_or_v2c_queries_is_not_counted() -> None:
    text = (
        'config system snmp community\n    edit 1\n        set name "public"\n'
        "        set query-v1-status disable\n        set query-v2c-status disable\n"
        '    next\n    edit 2\n        set name "x"\n        set status disable\n    next\nend\n'
    )
    assert fortinet.parse_communities(text) == []


def test_values_with_hash_and_quotes() -> None:
    root = parse_fortios(
        'config system global\n    set alias "Floor #3 \\"east\\""\n    set hostname fw#1\nend\n'
    )
    node = root.configs["system global"]
    assert node.get("alias") == 'Floor #3 "east"'
    assert node.get("hostname") == "fw#1"


def test_missing_block_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no 'config system ntp' block"):
        fortinet.parse_ntp("config system global\nend\n")
