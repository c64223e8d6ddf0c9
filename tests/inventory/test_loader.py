from pathlib import Path

import pytest

from verifier.errors import InventoryError
from verifier.inventory.loader import load_hosts
from verifier.models import Platform


def test_ini_ranges_groups_and_group_vars(tmp_path: Path) -> None:
    inv = tmp_path / "hosts.ini"
    inv.write_text(
        "[web]\nweb[01:03] ansible_host=10.0.0.1\n[win]\npc1 ansible_connection=winrm\n",
        encoding="utf-8",
    )
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "web.yml").write_text(
        "verify_class: workstation\n", encoding="utf-8"
    )
    hosts = {h.name: h for h in load_hosts(inv)}
    assert sorted(hosts) == ["pc1", "web01", "web02", "web03"]
    assert hosts["web02"].device_class == "workstation"
    assert hosts["web02"].address == "10.0.0.1"
    assert hosts["pc1"].platform is Platform.WINDOWS


def test_yaml_inventory_with_limit(tmp_path: Path) -> None:
    inv = tmp_path / "client.yml"
    inv.write_text(
        "all:\n  children:\n    servers:\n      hosts:\n        a: {ansible_host: 1.2.3.4}\n"
        "        b: {}\n",
        encoding="utf-8",
    )
    hosts = load_hosts(inv, limit="a")
    assert [(h.name, h.device_class) for h in hosts] == [("a", "server")]
    with pytest.raises(InventoryError, match="no hosts matching --limit 'zzz'"):
        load_hosts(inv, limit="zzz")


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    inv = tmp_path / "bad.yml"
    inv.write_text("all:\n  hosts:\n    a:\n      ansible_port: [1,\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=rf"^{inv}:5: invalid inventory: YAML parsing failed"):
        load_hosts(inv)


def test_missing_inventory(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="inventory not found"):
        load_hosts(tmp_path / "nope.yml")


def test_bad_verify_class(tmp_path: Path) -> None:
    inv = tmp_path / "i.yml"
    inv.write_text("all:\n  hosts:\n    a: {verify_class: toaster}\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="host a: verify_class 'toaster'"):
        load_hosts(inv)


def test_vaulted_variables_need_the_password(tmp_path: Path) -> None:
    secret = "$ANSIBLE_VAULT;1.1;AES256\n" + "\n".join(["3" * 64] * 3)
    inv = tmp_path / "i.yml"
    indented = "\n".join("          " + line for line in secret.splitlines())
    inv.write_text(
        f"all:\n  hosts:\n    a:\n      ansible_password: !vault |\n{indented}\n",
        encoding="utf-8",
    )
    # Hosts load without decrypting: the password is Ansible's business at connection time.
    assert [h.name for h in load_hosts(inv)] == ["a"]
