"""XDG Base Directory lookups shared by the history database, alert config and user units."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def base_dir(variable: str, default: str, environ: Mapping[str, str] | None = None) -> Path:
    """$variable (e.g. XDG_DATA_HOME), else ~/<default> (e.g. .local/share), as the spec says."""
    env = os.environ if environ is None else environ
    return Path(env.get(variable) or Path(env.get("HOME") or Path.home()) / default)
