"""Which client an inventory is (its absolute path) and which revision of it (a content hash)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from verifier.history.inventory_id import inventory_key, inventory_sha256


def test_key_is_the_same_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = tmp_path / "clients" / "acme.yml"
    inv.parent.mkdir()
    inv.write_text("all: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    relative = inventory_key(Path("clients/acme.yml"))
    monkeypatch.chdir(inv.parent)
    assert relative == inventory_key(Path("acme.yml")) == inventory_key(Path("./acme.yml"))
    assert relative == str(inv.resolve())


def test_key_resolves_symlinks_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = tmp_path / "acme.yml"
    inv.write_text("all: {}\n", encoding="utf-8")
    (tmp_path / "link.yml").symlink_to(inv)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert inventory_key(tmp_path / "link.yml") == str(inv.resolve())
    assert inventory_key(Path("~/acme.yml")) == str(inv.resolve())


def test_file_hash_is_sha256_of_its_bytes(tmp_path: Path) -> None:
    inv = tmp_path / "acme.yml"
    inv.write_bytes(b"all:\n  hosts:\n    web1: {}\n")
    assert inventory_sha256(inv) == hashlib.sha256(b"all:\n  hosts:\n    web1: {}\n").hexdigest()
    inv.write_bytes(b"all:\n  hosts:\n    web2: {}\n")
    assert inventory_sha256(inv) == hashlib.sha256(b"all:\n  hosts:\n    web2: {}\n").hexdigest()


def _inventory_dir(root: Path) -> Path:
    (root / "group_vars").mkdir(parents=True)
    (root / "hosts.yml").write_text("all:\n  hosts:\n    web1: {}\n", encoding="utf-8")
    (root / "group_vars" / "all.yml").write_text("verify_class: server\n", encoding="utf-8")
    return root


def test_directory_hash_covers_every_file_and_its_name(tmp_path: Path) -> None:
    inv = _inventory_dir(tmp_path / "inv")
    first = inventory_sha256(inv)
    assert len(first) == 64
    assert inventory_sha256(_inventory_dir(tmp_path / "copy")) == first  # location-independent

    (inv / "group_vars" / "all.yml").write_text("verify_class: workstation\n", encoding="utf-8")
    changed_content = inventory_sha256(inv)
    assert changed_content != first

    (inv / "group_vars" / "all.yml").rename(inv / "group_vars" / "web.yml")
    assert inventory_sha256(inv) not in (first, changed_content)


def test_unreadable_inventory_hashes_to_empty(tmp_path: Path) -> None:
    assert inventory_sha256(tmp_path / "gone.yml") == ""
