"""Where the files shipped beside the package live (baselines, playbooks)."""

from __future__ import annotations

import os
from pathlib import Path

# The package runs from a checkout (editable install): the shipped content sits beside it.
# VERIFY_HOME points elsewhere for a relocated install.
PROJECT_ROOT = Path(os.environ.get("VERIFY_HOME") or Path(__file__).resolve().parents[1])


def bundled_baselines_dir() -> Path:
    return PROJECT_ROOT / "baselines"


def playbooks_dir() -> Path:
    return PROJECT_ROOT / "playbooks"


def roles_dir() -> Path:
    return PROJECT_ROOT / "roles"
