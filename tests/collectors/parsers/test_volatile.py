"""Lines that change without a configuration change stay out of the drift hash."""

from __future__ import annotations

import pytest

from verifier.collectors.parsers.volatile import strip_volatile


@pytest.mark.parametrize(
    ("platform", "line"),
    [
        ("cisco_ios", "Building configuration..."),
        ("cisco_ios", "Current configuration : 3187 bytes"),
        ("cisco_ios", "! Last configuration change at 14:22:31 UTC Fri Oct 30 2026 by admin"),
        ("cisco_ios", "! NVRAM config last updated at 09:12:01 UTC Mon Oct 12 2026 by admin"),
        ("cisco_ios", "ntp clock-period 17208943"),
        ("arista_eos", "! Command: show running-config"),
        ("arista_eos", "! device: leaf-07 (DCS-7050SX3-48YC8, EOS-4.32.2F)"),
        ("cisco_asa", "Cryptochecksum:2f8a3c6d1e9b04f75a6c3e2d1b0a9f8e"),
        ("cisco_asa", ": Written by admin at 09:31:42.517 UTC Mon Oct 12 2026"),
        (
            "fortinet",
            "#config-version=FG100F-7.4.9-FW-build2829-250924:opmode=0:vdom=0:user=netops",
        ),
        ("fortinet", "#conf_file_ver=98127364501238845"),
        ("juniper_junos", "## Last commit: 2026-10-30 14:02:11 UTC by admin"),
        ("mikrotik_routeros", "# 2026-11-01 09:41:07 by RouterOS 7.15.3"),
        ("mikrotik_routeros", "# nov/01/2026 09:40:12 by RouterOS 6.49.10"),
    ],
)
def test_volatile_lines_are_dropped(platform: str, line: str) -> None:
    assert strip_volatile(platform, f"{line}\nhostname r1\n") == "hostname r1\n"


@pytest.mark.parametrize(
    ("platform", "line"),
    [
        ("cisco_ios", "ntp server 10.0.0.1"),
        ("cisco_ios", "version 15.2"),
        ("mikrotik_routeros", "# software id = Q2WE-R4TY"),
        ("fortinet", "config system global"),
    ],
)
def test_configuration_is_kept(platform: str, line: str) -> None:
    assert strip_volatile(platform, f"{line}\n") == f"{line}\n"


def test_line_endings_are_normalised() -> None:
    assert strip_volatile("cisco_ios", "a\r\nb\r\n\r\n") == "a\nb\n"
