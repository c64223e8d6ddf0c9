"""Network fact parsers: the read-only commands each platform runs, and their outputs -> facts.

Pure and offline: nothing here opens a connection. `COMMANDS` is the contract with the
collector and the capture folders (docs/network-collection.md lists it for client approval).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from verifier.collectors.parsers import (
    arista_eos,
    cisco_asa,
    cisco_ios,
    fortinet,
    juniper_junos,
    mikrotik_routeros,
)
from verifier.collectors.parsers.build import Facts
from verifier.collectors.parsers.probes import command_file

__all__ = [
    "COMMANDS",
    "arista_eos",
    "cisco_asa",
    "cisco_ios",
    "command_file",
    "fortinet",
    "juniper_junos",
    "mikrotik_routeros",
    "parse_device",
]


Parser = Callable[[Mapping[str, str], date], tuple[Facts, dict[str, str]]]

_DRIVERS: dict[str, tuple[tuple[str, ...], Parser]] = {
    "cisco_ios": (cisco_ios.COMMANDS, cisco_ios.parse),
    "cisco_asa": (cisco_asa.COMMANDS, cisco_asa.parse),
    "fortinet": (fortinet.COMMANDS, fortinet.parse),
    "juniper_junos": (juniper_junos.COMMANDS, juniper_junos.parse),
    "arista_eos": (arista_eos.COMMANDS, arista_eos.parse),
    "mikrotik_routeros": (mikrotik_routeros.COMMANDS, mikrotik_routeros.parse),
}

# netmiko device_type -> the read-only commands its facts driver runs, in order.
COMMANDS: dict[str, tuple[str, ...]] = {platform: d[0] for platform, d in _DRIVERS.items()}


def parse_device(
    platform: str, outputs: Mapping[str, str], today: date
) -> tuple[Facts, dict[str, str]]:
    """Raw outputs (command -> text) of one device -> (facts, probe_errors).

    A command missing from `outputs` or whose output cannot be parsed is a probe error, keyed by
    its capture file stem (`show_ip_ssh`), and the facts it feeds stay absent.
    """
    try:
        _, parser = _DRIVERS[platform]
    except KeyError:
        known = ", ".join(sorted(_DRIVERS))
        raise ValueError(f"no facts driver for platform {platform!r} (known: {known})") from None
    return parser(outputs, today)
