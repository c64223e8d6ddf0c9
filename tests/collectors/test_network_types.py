"""ansible_network_os / verify_netmiko_device_type -> netmiko device type."""

from __future__ import annotations

import pytest

from verifier.collectors.network_types import (
    DEVICE_TYPE_ALIASES,
    NETWORK_OS,
    UnknownNetworkOs,
    device_type_for,
    facts_supported,
)
from verifier.collectors.parsers import COMMANDS
from verifier.errors import InventoryError


@pytest.mark.parametrize(
    ("network_os", "device_type"),
    [
        ("cisco.ios.ios", "cisco_ios"),
        ("ios", "cisco_ios"),
        ("cisco.asa.asa", "cisco_asa"),
        ("asa", "cisco_asa"),
        ("fortinet.fortios.fortios", "fortinet"),
        ("fortios", "fortinet"),
        ("junipernetworks.junos.junos", "juniper_junos"),
        ("junos", "juniper_junos"),
        ("arista.eos.eos", "arista_eos"),
        ("eos", "arista_eos"),
        ("community.routeros.routeros", "mikrotik_routeros"),
        ("routeros", "mikrotik_routeros"),
        ("paloaltonetworks.panos", "paloalto_panos"),
        ("paloaltonetworks.panos.panos", "paloalto_panos"),
        ("sonicwall", "generic"),
        ("  Cisco.IOS.ios ", "cisco_ios"),
    ],
)
def test_mapping(network_os: str, device_type: str) -> None:
    assert device_type_for(network_os, None) == device_type


@pytest.mark.parametrize(
    ("device_type", "supported"),
    [
        ("cisco_ios", True),
        ("cisco_asa", True),
        ("fortinet", True),
        ("juniper_junos", True),
        ("arista_eos", True),
        ("mikrotik_routeros", True),
        ("paloalto_panos", False),
        ("generic", False),
        ("cisco_nxos", False),
    ],
)
def test_facts_supported(device_type: str, supported: bool) -> None:
    assert facts_supported(device_type) is supported


def test_every_facts_driver_is_reachable_from_the_table() -> None:
    assert set(COMMANDS) <= {p.device_type for p in NETWORK_OS.values()}


def test_override_wins() -> None:
    assert device_type_for("cisco.ios.ios", "arista_eos") == "arista_eos"
    assert device_type_for(None, "cisco_xe") == "cisco_ios"
    assert device_type_for("whatever.unknown", "juniper") == "juniper_junos"


def test_aliases_point_at_drivers() -> None:
    assert set(DEVICE_TYPE_ALIASES.values()) <= set(COMMANDS)


def test_blank_override_is_ignored() -> None:
    assert device_type_for("eos", "  ") == "arista_eos"


@pytest.mark.parametrize(
    ("network_os", "override", "message"),
    [
        ("hp.procurve", None, "ansible_network_os 'hp.procurve' is not supported"),
        (None, None, "no ansible_network_os and no verify_netmiko_device_type"),
        ("", None, "no ansible_network_os"),
        ("cisco.ios.ios", "cisco_iox", "verify_netmiko_device_type 'cisco_iox' is not a device"),
    ],
)
def test_unknown_values(network_os: str | None, override: str | None, message: str) -> None:
    with pytest.raises(UnknownNetworkOs, match=message) as info:
        device_type_for(network_os, override)
    # An inventory problem (exit 2) that callers catching ValueError also handle.
    assert isinstance(info.value, InventoryError)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
