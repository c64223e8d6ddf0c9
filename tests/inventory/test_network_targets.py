import subprocess
import sys
from pathlib import Path

import pytest

from verifier.errors import InventoryError
from verifier.inventory.loader import load_hosts
from verifier.inventory.network_targets import load_network_targets

ANSIBLE_VAULT = Path(sys.executable).parent / "ansible-vault"


def _vaulted(tmp_path: Path, secret: str) -> tuple[Path, str]:
    password_file = tmp_path / "vault-pass"
    password_file.write_text("vault-pw\n", encoding="utf-8")
    out = subprocess.run(
        [str(ANSIBLE_VAULT), "encrypt_string", "--vault-password-file", str(password_file), secret],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = "\n".join("            " + line.strip() for line in out.splitlines()[1:])
    return password_file, "!vault |\n" + body


def test_group_vars_templates_and_vault(tmp_path: Path) -> None:
    password_file, vaulted = _vaulted(tmp_path, "CANARY-net-pw")
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        "all:\n  children:\n    routers:\n      vars:\n        ansible_user: netops\n"
        "        ansible_network_os: cisco.ios.ios\n      hosts:\n        r1:\n"
        "          ansible_host: 127.0.0.1\n          ansible_port: 2201\n"
        f"          ansible_password: {vaulted}\n"
        "          ansible_become_password: \"{{ 'en' ~ 'able' }}\"\n"
        "          verify_netmiko_device_type: cisco_xe\n",
        encoding="utf-8",
    )
    hosts = load_hosts(inventory, vault_password_file=password_file)
    target = load_network_targets(inventory, hosts, password_file)["r1"]
    assert (target.address, target.port, target.username) == ("127.0.0.1", 2201, "netops")
    assert target.network_os == "cisco.ios.ios" and target.device_type_override == "cisco_xe"
    assert target.password == "CANARY-net-pw" and target.enable_password == "enable"
    assert "CANARY" not in repr(target) and "enable'" not in repr(target)


def test_undefined_variable_names_the_host(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        "all:\n  hosts:\n    sw9:\n      ansible_network_os: eos\n      ansible_password: '{{ nope }}'\n",
        encoding="utf-8",
    )
    with pytest.raises(InventoryError, match=r"host sw9: ansible_password"):
        load_network_targets(inventory, load_hosts(inventory))
