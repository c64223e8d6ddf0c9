"""Connection settings for network devices, read from the inventory with Ansible's own loader.

Linux and Windows hosts are reached by ansible-playbook, which reads their credentials itself.
Network devices are reached by netmiko inside this process, so their settings are resolved here
with Ansible's VariableManager and templating (group_vars, host_vars, vault, lookups all work).
The password fields are excluded from repr() so a stray log line or traceback cannot show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import InventoryError
from verifier.inventory.loader import open_inventory
from verifier.models import Host


@dataclass(frozen=True)
class NetworkTarget:
    name: str
    address: str
    port: int
    username: str
    network_os: str | None
    device_type_override: str | None
    password: str | None = field(default=None, repr=False)
    enable_password: str | None = field(default=None, repr=False)
    key_file: str | None = None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


@dataclass(frozen=True)
class _Vars:
    """One host's variables, templated on access (so only what is used gets decrypted)."""

    path: Path
    host: str
    values: dict[str, Any]
    templar: Any

    def get(self, *names: str) -> str | None:
        from ansible.errors import AnsibleError

        for name in names:
            if name in self.values:
                try:
                    return _text(self.templar.template(self.values[name]))
                except AnsibleError as exc:
                    first = str(getattr(exc, "message", exc)).splitlines()[0]
                    raise InventoryError(
                        f"{self.path}: host {self.host}: {name}: {first}"
                    ) from None
        return None


def load_network_targets(
    path: Path, hosts: Sequence[Host], vault_password_file: Path | None = None
) -> dict[str, NetworkTarget]:
    """name -> NetworkTarget for `hosts`. Raises InventoryError naming the host for a value
    that cannot be templated (an undefined variable, a vault value without its password)."""
    from ansible.template import Templar

    inventory, variables, loader = open_inventory(path, None, vault_password_file)
    targets: dict[str, NetworkTarget] = {}
    for wanted in hosts:
        host = inventory.get_host(wanted.name)
        if host is None:
            continue
        values = variables.get_vars(host=host)
        var = _Vars(path, host.name, values, Templar(loader=loader, variables=values))
        port = var.get("ansible_port", "ansible_ssh_port")
        try:
            port_number = int(port) if port else 22
        except ValueError:
            raise InventoryError(f"{path}: host {host.name}: ansible_port: not a number") from None
        targets[host.name] = NetworkTarget(
            name=host.name,
            address=var.get("ansible_host", "ansible_ssh_host") or host.name,
            port=port_number,
            username=var.get("ansible_user", "ansible_ssh_user", "remote_user") or "",
            network_os=var.get("ansible_network_os"),
            device_type_override=var.get("verify_netmiko_device_type"),
            password=var.get("ansible_password", "ansible_ssh_pass", "ansible_ssh_password"),
            enable_password=var.get("ansible_become_password", "ansible_become_pass"),
            key_file=var.get("ansible_ssh_private_key_file", "ansible_private_key_file"),
        )
    return targets
