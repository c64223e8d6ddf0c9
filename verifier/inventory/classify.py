"""Decide a host's platform and device class from its Ansible variables and groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verifier.errors import InventoryError
from verifier.models import DEVICE_CLASSES, Platform

WINDOWS_CONNECTIONS = {"winrm", "psrp"}
NETWORK_CONNECTIONS = {
    "network_cli",
    "netconf",
    "httpapi",
    "ansible.netcommon.network_cli",
    "ansible.netcommon.netconf",
    "ansible.netcommon.httpapi",
}

# Without verify_class or a class-named group, a host is what its platform usually is at an MSP.
DEFAULT_CLASS = {
    Platform.LINUX: "server",
    Platform.WINDOWS: "workstation",
    Platform.NETWORK: "network",
}

# Group names that imply a class ("servers", "firewalls", "nas" ...).
GROUP_CLASSES = {
    **{c: c for c in DEVICE_CLASSES},
    **{c + "s": c for c in DEVICE_CLASSES},
    "nas": "storage",
    "routers": "network",
    "switches": "network",
}


def platform_of(variables: Mapping[str, Any]) -> Platform:
    connection = str(variables.get("ansible_connection") or "ssh")
    if connection in WINDOWS_CONNECTIONS or connection.endswith((".winrm", ".psrp")):
        return Platform.WINDOWS
    if connection in NETWORK_CONNECTIONS or variables.get("ansible_network_os"):
        return Platform.NETWORK
    return Platform.LINUX


def device_class_of(
    host: str, variables: Mapping[str, Any], groups: Iterable[str], platform: Platform
) -> str:
    declared = variables.get("verify_class")
    if declared is not None:
        value = str(declared).strip().lower()
        if value not in DEVICE_CLASSES:
            raise InventoryError(
                f"host {host}: verify_class {declared!r} is not one of {', '.join(DEVICE_CLASSES)}"
            )
        return value
    for group in sorted(groups):
        if group.lower() in GROUP_CLASSES:
            return GROUP_CLASSES[group.lower()]
    network_os = str(variables.get("ansible_network_os") or "").lower()
    if platform is Platform.NETWORK and any(f in network_os for f in _FIREWALL_OS):
        return "firewall"
    return DEFAULT_CLASS[platform]


# ansible_network_os values of firewall platforms (substring match covers the FQCN forms).
_FIREWALL_OS = ("asa", "fortios", "panos", "sonicwall", "sonicos")
