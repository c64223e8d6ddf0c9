"""Which netmiko device type a network host is, from its Ansible inventory variables.

One table maps `ansible_network_os` (collection-qualified or the legacy short name) to a netmiko
`device_type`; the `verify_netmiko_device_type` host variable overrides it. Platforms without a
facts driver still map to a device type (so a capture or a later release can use it), but
`facts_supported()` is False for them and the collector reports such hosts as unsupported
instead of guessing. docs/network-collection.md carries the same table for users.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.collectors.parsers import COMMANDS
from verifier.errors import InventoryError


class UnknownNetworkOs(InventoryError, ValueError):
    """ansible_network_os / verify_netmiko_device_type names no platform verify knows.
    A ValueError too, so a collector can turn it into one host's error."""


@dataclass(frozen=True)
class NetworkOs:
    device_type: str  # netmiko device_type
    label: str  # what users call the platform, for messages and docs


_IOS = NetworkOs("cisco_ios", "Cisco IOS / IOS XE")
_ASA = NetworkOs("cisco_asa", "Cisco ASA")
_FORTIOS = NetworkOs("fortinet", "Fortinet FortiGate (FortiOS)")
_JUNOS = NetworkOs("juniper_junos", "Juniper Junos")
_EOS = NetworkOs("arista_eos", "Arista EOS")
_ROUTEROS = NetworkOs("mikrotik_routeros", "MikroTik RouterOS")
_NXOS = NetworkOs("cisco_nxos", "Cisco NX-OS")
_IOSXR = NetworkOs("cisco_xr", "Cisco IOS XR")
_PANOS = NetworkOs("paloalto_panos", "Palo Alto PAN-OS")
_VYOS = NetworkOs("vyos", "VyOS")
_AOSCX = NetworkOs("aruba_aoscx", "Aruba AOS-CX")
_EDGEOS = NetworkOs("ubiquiti_edgerouter", "Ubiquiti EdgeOS")
# netmiko 4.6 has no SonicWall driver: only its generic SSH driver could talk to one.
_SONICWALL = NetworkOs("generic", "SonicWall SonicOS")

# ansible_network_os -> platform. Both the collection-qualified names Ansible documents and the
# short names older inventories still use.
NETWORK_OS: dict[str, NetworkOs] = {
    "cisco.ios.ios": _IOS,
    "ios": _IOS,
    "cisco.asa.asa": _ASA,
    "asa": _ASA,
    "fortinet.fortios.fortios": _FORTIOS,
    "fortios": _FORTIOS,
    "junipernetworks.junos.junos": _JUNOS,
    "junos": _JUNOS,
    "arista.eos.eos": _EOS,
    "eos": _EOS,
    "community.routeros.routeros": _ROUTEROS,
    "community.network.routeros": _ROUTEROS,
    "routeros": _ROUTEROS,
    "cisco.nxos.nxos": _NXOS,
    "nxos": _NXOS,
    "cisco.iosxr.iosxr": _IOSXR,
    "iosxr": _IOSXR,
    "paloaltonetworks.panos": _PANOS,
    "paloaltonetworks.panos.panos": _PANOS,
    "panos": _PANOS,
    "vyos.vyos.vyos": _VYOS,
    "vyos": _VYOS,
    "arubanetworks.aoscx.aoscx": _AOSCX,
    "aoscx": _AOSCX,
    "community.network.edgeos": _EDGEOS,
    "edgeos": _EDGEOS,
    "sonicwall": _SONICWALL,
    "sonicos": _SONICWALL,
}

# Other netmiko spellings of a supported device type accepted in verify_netmiko_device_type.
DEVICE_TYPE_ALIASES: dict[str, str] = {
    "cisco_ios_ssh": "cisco_ios",
    "cisco_xe": "cisco_ios",
    "cisco_xe_ssh": "cisco_ios",
    "cisco_asa_ssh": "cisco_asa",
    "fortinet_ssh": "fortinet",
    "juniper": "juniper_junos",
    "juniper_ssh": "juniper_junos",
    "juniper_junos_ssh": "juniper_junos",
    "arista_eos_ssh": "arista_eos",
    "mikrotik_routeros_ssh": "mikrotik_routeros",
}

KNOWN_DEVICE_TYPES = frozenset(p.device_type for p in NETWORK_OS.values())


def device_type_for(network_os: str | None, override: str | None) -> str:
    """netmiko device_type of a host: the override if set, else the ansible_network_os mapping.

    Raises UnknownNetworkOs (a one-line InventoryError) for a value not in the tables.
    """
    if override is not None and str(override).strip():
        wanted = str(override).strip().lower()
        wanted = DEVICE_TYPE_ALIASES.get(wanted, wanted)
        if wanted not in KNOWN_DEVICE_TYPES:
            known = ", ".join(sorted(KNOWN_DEVICE_TYPES | set(DEVICE_TYPE_ALIASES)))
            raise UnknownNetworkOs(
                f"verify_netmiko_device_type {override!r} is not a device type verify knows"
                f" ({known})"
            )
        return wanted
    if network_os is None or not str(network_os).strip():
        raise UnknownNetworkOs(
            "no ansible_network_os and no verify_netmiko_device_type: cannot tell which"
            " network platform this host is"
        )
    found = NETWORK_OS.get(str(network_os).strip().lower())
    if found is None:
        raise UnknownNetworkOs(
            f"ansible_network_os {network_os!r} is not supported; set verify_netmiko_device_type"
            f" or use one of: {', '.join(sorted(NETWORK_OS))}"
        )
    return found.device_type


def facts_supported(device_type: str) -> bool:
    """A facts driver (commands and parsers) exists for this device type."""
    return device_type in COMMANDS
