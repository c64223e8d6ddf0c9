"""Cisco ASA parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import TODAY, assert_golden, cases, load_outputs, parsed
from verifier.collectors.parsers import cisco_asa

PLATFORM = "cisco_asa"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_asa() -> None:
    facts = _facts("asa9_8_5506_legacy")
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["http_enabled"] is False  # ASDM is HTTPS only
    assert facts["mgmt"]["https_enabled"] is True
    assert facts["mgmt"]["ssh_version"] == "1.99"  # no `ssh version` before 9.16
    assert facts["config"]["unsaved"] is True
    # The ASA masks community strings in show running-config: public or not is unknown.
    assert "default_community" not in facts["snmp"]
    assert all("default_name" not in c for c in facts["snmp"]["communities"])


def test_compliant_asa() -> None:
    facts = _facts("asa9_20_fpr1010")
    assert facts["mgmt"]["telnet_enabled"] is False
    assert "ssh_version" not in facts["mgmt"]  # default of 9.16+ not confirmed: unknown
    assert facts["snmp"]["v3_only"] is True
    assert facts["config"]["unsaved"] is False
    assert [u["name"] for u in facts["accounts"]["local_users"]] == ["netops"]


def _asa(body: str, version: str = "9.8(4)41") -> str:
    return f": Saved\n:\nASA Version {version} \n!\nhostname fw\n{body}\nCryptochecksum:00\n: end\n"


def test_clear_community_public_is_a_default() -> None:
    facts = cisco_asa.parse_running_config(
        _asa(
            "snmp-server host inside 10.0.0.5 community public version 2c\nsnmp-server community public"
        ),
        "9.8(4)41",
    )
    assert facts["snmp"]["communities"] == [{"index": 1, "access": "ro", "default_name": True}]
    assert facts["snmp"]["default_community"] is True


@pytest.mark.parametrize(
    ("line", "version", "expected"),
    [
        ("ssh version 2", "9.8(4)41", "2"),
        ("ssh version 1", "9.8(4)41", "1"),
        ("ssh version 1 2", "9.8(4)41", "1.99"),
        ("ssh timeout 5", "9.12(4)62", "1.99"),
        ("ssh timeout 5", "9.16(4)", None),
    ],
)
def test_ssh_version(line: str, version: str, expected: str | None) -> None:
    facts = cisco_asa.parse_running_config(_asa(line, version), version)
    assert facts["mgmt"].get("ssh_version") == expected


def test_http_server_without_allowed_hosts_is_not_reachable() -> None:
    facts = cisco_asa.parse_running_config(_asa("http server enable"), "9.8(4)41")
    assert facts["mgmt"]["https_enabled"] is False


def test_clear_password_is_not_encrypted() -> None:
    facts = cisco_asa.parse_running_config(_asa("username bob password s3cret privilege 15"), None)
    assert facts["accounts"]["password_encryption"] is False


def test_unsaved_ignores_header_checksum_and_masking() -> None:
    outputs = load_outputs(PLATFORM, "asa9_20_fpr1010")
    running = outputs["show running-config"].replace(
        "snmp-server host management 10.255.0.60 version 3 netmon",
        "snmp-server host management 10.255.0.60 community ***** version 2c",
    )
    startup = (
        outputs["show startup-config"]
        .replace(
            "snmp-server host management 10.255.0.60 version 3 netmon",
            "snmp-server host management 10.255.0.60 community n0tdefault version 2c",
        )
        .replace("Cryptochecksum:7d0c", "Cryptochecksum:ffff")
    )
    outputs = {**outputs, "show running-config": running, "show startup-config": startup}
    facts, errors = cisco_asa.parse(outputs, TODAY)
    assert errors == {}
    assert facts["config"]["unsaved"] is False
