"""Which client an inventory is (its absolute path) and which revision of it (a content hash)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def inventory_key(path: Path) -> str:
    """Snapshots are accepted per inventory file: the same client.yml from any working dir."""
    return str(path.expanduser().resolve())


def inventory_sha256(path: Path) -> str:
    """sha256 over the inventory's bytes (a directory: every file, by relative path).

    Recorded so a report can tell the inventory changed between two runs; an unreadable
    inventory hashes to the empty string rather than failing a run that already finished."""
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(str(item.relative_to(path)).encode() + b"\0")
                digest.update(item.read_bytes() + b"\0")
        else:
            digest.update(path.read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()
