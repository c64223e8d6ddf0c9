"""MikroTik RouterOS parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import TODAY, assert_golden, cases, load_outputs, parsed
from verifier.collectors.parsers import mikrotik_routeros as ros
from verifier.collectors.parsers.probes import ParseError
from verifier.collectors.parsers.routeros_print import parse_detail, parse_table

PLATFORM = "mikrotik_routeros"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_v6() -> None:
    facts = _facts("routeros6_49_hex_legacy")
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["https_enabled"] is False  # www-ssl is disabled and invalid
    assert facts["snmp"]["default_community"] is True
    assert [c["access"] for c in facts["snmp"]["communities"]] == ["ro", "rw"]
    # The disabled `olduser` is left out; `admin` comes from a v6 comment row.
    assert [u["name"] for u in facts["accounts"]["local_users"]] == ["admin", "support"]
    assert facts["accounts"]["default_admin"] is True
    assert "idle_timeout_minutes" not in facts["mgmt"]  # RouterOS has no CLI idle timeout


def test_compliant_v7() -> None:
    facts = _facts("routeros7_15_rb5009")
    assert facts["mgmt"]["telnet_enabled"] is False
    assert facts["mgmt"]["https_enabled"] is True
    # `netmon` is a v3 user (security=private), not a v1/v2c community.
    assert len(facts["snmp"]["communities"]) == 1
    assert facts["logging"]["syslog_servers"] == ["10.20.0.50"]
    assert facts["mgmt"]["login_banner"] is True


@pytest.mark.parametrize(
    ("uptime", "seconds"),
    [("6w5d11h55m45s", 4_103_745), ("2h14m31s", 8071), ("45s", 45), ("1d02:03:04", 93_784)],
)
def test_uptime(uptime: str, seconds: int) -> None:
    assert ros.parse_uptime(uptime) == seconds


def test_uptime_garbage() -> None:
    with pytest.raises(ParseError):
        ros.parse_uptime("soon")


def test_table_v6_comment_in_first_column() -> None:
    text = (
        "Flags: X - disabled \n"
        " #   NAME        GROUP  ADDRESS  LAST-LOGGED-IN\n"
        " 0   ;;; system default user\n"
        "     admin       full            oct/30/2026 16:20:11\n"
        " 1 X bob         read\n"
    )
    rows = parse_table(text)
    assert [(r.index, r.flags, r.values["NAME"], r.comment) for r in rows] == [
        (0, "", "admin", "system default user"),
        (1, "X", "bob", None),
    ]
    assert rows[0].values["LAST-LOGGED-IN"] == "oct/30/2026 16:20:11"


def test_table_v7_empty_cells_and_right_aligned_numbers() -> None:
    text = (
        "Flags: X - DISABLED, I - INVALID\n"
        "Columns: NAME, PORT, CERTIFICATE, VRF\n"
        "#   NAME     PORT  CERTIFICATE  VRF\n"
        "0 X telnet     23               main\n"
        "1   api-ssl  8729  none         main\n"
    )
    rows = parse_table(text)
    assert [r.values for r in rows] == [
        {"NAME": "telnet", "PORT": "23", "CERTIFICATE": "", "VRF": "main"},
        {"NAME": "api-ssl", "PORT": "8729", "CERTIFICATE": "none", "VRF": "main"},
    ]


def test_detail_rejects_prose() -> None:
    with pytest.raises(ParseError):
        parse_detail("this is not routeros output")


def test_ntp_v6_fields() -> None:
    text = (
        "           enabled: yes\n       primary-ntp: 10.0.0.1\n     secondary-ntp: 0.0.0.0\n"
        "  server-dns-names: pool.ntp.org,time.example.net\n"
    )
    assert ros.parse_ntp(text) == ["10.0.0.1", "pool.ntp.org", "time.example.net"]


def test_old_release_stores_passwords_reversibly() -> None:
    outputs = load_outputs(PLATFORM, "routeros6_49_hex_legacy")
    outputs["/system resource print"] = outputs["/system resource print"].replace(
        "6.49.10 (long-term)", "6.42.12 (bugfix)"
    )
    facts, _ = ros.parse(outputs, TODAY)
    assert facts["accounts"]["password_encryption"] is False


def test_cloud_hosted_router_model_from_board_name() -> None:
    outputs = load_outputs(PLATFORM, "routeros7_15_rb5009")
    outputs["/system routerboard print"] = "  routerboard: no\n"
    outputs["/system resource print"] = outputs["/system resource print"].replace(
        "RB5009UG+S+", "CHR QEMU Standard PC (i440FX + PIIX, 1996)"
    )
    facts, errors = ros.parse(outputs, TODAY)
    assert errors == {}
    assert facts["hardware"] == {
        "vendor": "MikroTik",
        "model": "CHR QEMU Standard PC (i440FX + PIIX, 1996)",
    }
