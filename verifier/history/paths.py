"""Where the history database lives: --db, else $VERIFY_DB, else the XDG data directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from verifier.xdg import base_dir

DB_ENV = "VERIFY_DB"
DB_FILENAME = "history.sqlite3"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME/verify, or ~/.local/share/verify (the XDG Base Directory default)."""
    return base_dir("XDG_DATA_HOME", ".local/share", environ) / "verify"


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get(DB_ENV)
    return Path(explicit) if explicit else data_dir(env) / DB_FILENAME


def resolve_db_path(option: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The database a command uses: the --db option wins over the environment."""
    return (option if option is not None else default_db_path(environ)).expanduser().absolute()
