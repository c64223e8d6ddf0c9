"""Load an inventory with Ansible's InventoryManager and turn it into Hosts.

Anything Ansible accepts works (YAML, INI, directories with group_vars/host_vars, ranges such as
web[01:03], inventory scripts). Secrets stay in Ansible's variables: Hosts carry no credentials,
and collectors hand the inventory path itself to ansible-runner.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.errors import InventoryError
from verifier.inventory.classify import device_class_of, platform_of
from verifier.models import Host

_YAML_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class ParseFailure:
    plugin: str
    error: BaseException


@contextlib.contextmanager
def _captured_failures() -> Iterator[list[ParseFailure]]:
    """Collect the per-plugin parse failures Ansible would print as warnings."""
    from ansible.inventory import manager

    failures: list[ParseFailure] = []
    display = manager.display

    def on_failure(msg: str, exception: BaseException, **_: Any) -> None:
        plugin = msg.split("'")[1] if msg.count("'") >= 2 else "?"
        failures.append(ParseFailure(plugin, exception))

    saved = display.error_as_warning, display.warning
    display.error_as_warning = on_failure
    display.warning = lambda *_a, **_k: None
    try:
        yield failures
    finally:
        display.error_as_warning, display.warning = saved


def _describe(path: Path, failures: list[ParseFailure]) -> str:
    """One line: the most relevant plugin's deepest cause, with file:line when Ansible knows it."""
    wanted = ("yaml", "auto") if path.suffix in _YAML_SUFFIXES else ("ini", "script", "toml")
    ranked = sorted(failures, key=lambda f: wanted.index(f.plugin) if f.plugin in wanted else 99)
    if not ranked:
        return f"{path}: not a valid inventory"
    error = ranked[0].error
    message = str(getattr(error, "message", error))
    # Any plugin that got as far as the YAML parser knows the line; the message is the best one.
    line = next(filter(None, (_line_in(f.error, path) for f in ranked)), None)
    message = message.splitlines()[0].removeprefix("Failed to parse inventory: ")
    return f"{path}{f':{line}' if line else ''}: invalid inventory: {message}"


def _line_in(error: BaseException | None, path: Path) -> int | None:
    while error is not None:
        origin = getattr(error, "obj", None)
        line = getattr(origin, "line_num", None)
        if line and Path(str(getattr(origin, "path", ""))).resolve() == path.resolve():
            return int(line)
        error = error.__cause__
    return None


def _vault_secrets(vault_password_file: Path | None, loader: Any) -> list[Any]:
    if vault_password_file is None:
        return []
    from ansible.parsing.vault import get_file_vault_secret

    if not vault_password_file.is_file():
        raise InventoryError(f"{vault_password_file}: vault password file not found")
    secret = get_file_vault_secret(filename=str(vault_password_file), loader=loader)
    secret.load()
    return [("default", secret)]


def _activate_vault(secrets: list[Any]) -> None:
    """ansible-core 2.19 decrypts vaulted values lazily, through a process-wide context that
    its CLI sets up; do the same so templated host vars can be decrypted."""
    if not secrets:
        return
    from ansible.parsing.vault import VaultSecretsContext

    current = VaultSecretsContext.current(optional=True)
    if current is None:
        VaultSecretsContext.initialize(VaultSecretsContext(list(secrets)))
    else:
        current.secrets.extend(s for s in secrets if s not in current.secrets)


def open_inventory(
    path: Path, limit: str | None = None, vault_password_file: Path | None = None
) -> tuple[Any, Any, Any]:
    """(InventoryManager, VariableManager, DataLoader) for `path`, with `--limit` applied.
    Raises InventoryError with one line naming the file (and line) for anything unparsable."""
    if not path.exists():
        raise InventoryError(f"{path}: inventory not found")
    os.environ.setdefault("ANSIBLE_LOCALHOST_WARNING", "False")
    from ansible import constants
    from ansible.errors import AnsibleError
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    constants.INVENTORY_ANY_UNPARSED_IS_FAILED = True
    loader = DataLoader()
    try:
        secrets = _vault_secrets(vault_password_file, loader)
        loader.set_vault_secrets(secrets)
        _activate_vault(secrets)
        with _captured_failures() as failures:
            try:
                inventory = InventoryManager(loader=loader, sources=[str(path)])
            except AnsibleError as exc:
                raise InventoryError(_describe(path, failures)) from exc
        if limit:
            inventory.subset(limit)
        return inventory, VariableManager(loader=loader, inventory=inventory), loader
    except AnsibleError as exc:
        first = str(getattr(exc, "message", exc)).splitlines()[0]
        raise InventoryError(f"{path}: {first}") from exc


def load_hosts(
    path: Path, limit: str | None = None, vault_password_file: Path | None = None
) -> list[Host]:
    """Hosts of the inventory at `path`, restricted to Ansible's `--limit` pattern."""
    from ansible.errors import AnsibleError

    inventory, variables, _loader = open_inventory(path, limit, vault_password_file)
    try:
        hosts = []
        for host in inventory.get_hosts():
            host_vars = variables.get_vars(host=host)
            groups = tuple(sorted(str(g.name) for g in host.get_groups() if g.name != "all"))
            platform = platform_of(host_vars)
            hosts.append(
                Host(
                    # str(): Ansible 2.19 hands out tagged str subclasses that yaml/json
                    # serializers outside Ansible do not know.
                    name=str(host.name),
                    address=str(host_vars.get("ansible_host") or host.name),
                    platform=platform,
                    device_class=device_class_of(host.name, host_vars, groups, platform),
                    connection=str(host_vars.get("ansible_connection") or "ssh"),
                    groups=groups,
                )
            )
    except AnsibleError as exc:
        first = str(getattr(exc, "message", exc)).splitlines()[0]
        raise InventoryError(f"{path}: {first}") from exc
    if not hosts:
        scope = f" matching --limit {limit!r}" if limit else ""
        raise InventoryError(f"{path}: no hosts{scope}")
    return hosts
