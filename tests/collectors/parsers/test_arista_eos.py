"""Arista EOS parser: golden recorded devices plus the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collectors.parsers.golden import TODAY, assert_golden, cases, load_outputs, parsed
from verifier.collectors.parsers import arista_eos
from verifier.collectors.parsers.ciscoconf import parse_config
from verifier.collectors.parsers.probes import ParseError

PLATFORM = "arista_eos"


@pytest.mark.parametrize("case", cases(PLATFORM))
def test_golden(case: str) -> None:
    assert_golden(PLATFORM, case)


def _facts(case: str) -> dict[str, Any]:
    facts: dict[str, Any] = parsed(PLATFORM, case)["facts"]
    return facts


def test_legacy_eos() -> None:
    facts = _facts("eos4_24_dcs7050tx_legacy")
    assert facts["mgmt"]["telnet_enabled"] is True
    assert facts["mgmt"]["http_enabled"] is True
    assert facts["config"]["unsaved"] is True
    assert facts["accounts"]["default_admin"] is True
    assert facts["snmp"]["default_community"] is True


def test_compliant_eos_banner_ends_at_eof() -> None:
    facts = _facts("eos4_32_dcs7050sx3")
    assert facts["mgmt"]["login_banner"] is True
    assert facts["hostname"] == "leaf-07"  # defined after the banner body
    assert facts["mgmt"]["idle_timeout_minutes"] == 15
    assert facts["config"]["unsaved"] is False


@pytest.mark.parametrize(
    ("diffs", "unsaved"), [("", False), ("  \n\n", False), ("--- a\n+++ b\n+x\n", True)]
)
def test_diffs(diffs: str, unsaved: bool) -> None:
    outputs = {**load_outputs(PLATFORM, "eos4_32_dcs7050sx3"), "show running-config diffs": diffs}
    facts, errors = arista_eos.parse(outputs, TODAY)
    assert errors == {}
    assert facts["config"]["unsaved"] is unsaved


def test_diffs_garbage() -> None:
    with pytest.raises(ParseError, match="not a configuration diff"):
        arista_eos.parse_diffs("hello\n")


def _mgmt(body: str) -> dict[str, Any]:
    config = parse_config(f"hostname s1\n{body}\nend\n", eos_style=True)
    return arista_eos.management(config)


def test_eapi_shut_down_by_default() -> None:
    mgmt = _mgmt("management api http-commands\n   protocol http")
    assert (mgmt["http_enabled"], mgmt["https_enabled"]) == (False, False)


def test_eapi_protocols() -> None:
    mgmt = _mgmt("management api http-commands\n   no protocol https\n   no shutdown")
    assert (mgmt["http_enabled"], mgmt["https_enabled"]) == (False, False)
    mgmt = _mgmt(
        "management http-server\n   protocol http\n!\nmanagement api http-commands\n   no shutdown"
    )
    assert (mgmt["http_enabled"], mgmt["https_enabled"]) == (True, True)


def test_ssh_shutdown_and_telnet_default() -> None:
    mgmt = _mgmt("management ssh\n   shutdown")
    assert mgmt["ssh_enabled"] is False
    assert mgmt["telnet_enabled"] is False
    assert mgmt["idle_timeout_minutes"] == 0
