"""Open the history database: create it private, migrate it, and refuse what is not ours."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from verifier.errors import InputError
from verifier.history import schema


class HistoryError(InputError):
    """The history database cannot be opened, read or written. Exit 2."""


# Another run may be writing (nightly drift plus an engineer's run): wait rather than fail.
BUSY_TIMEOUT_SECONDS = 60.0


def open_db(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # Facts describe a client's network: readable by the owner only.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{path}: cannot open the history database: {exc}") from exc
    try:
        # Checked before anything is changed (even the journal mode), and in one statement: a
        # run creating this database at the same moment is seen either not at all or whole.
        found, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
        ).fetchone()
        if found > schema.LATEST:
            raise HistoryError(
                f"{path}: history database schema {found} is newer than this verify "
                f"understands ({schema.LATEST}); upgrade verify"
            )
        if found == 0 and tables > 0:
            raise HistoryError(f"{path}: not a verify history database")
        _use_wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        schema.migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(f"{path}: not a usable history database: {exc}") from exc
    except HistoryError:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. When two runs create the database at once, SQLite refuses the second
    switch with SQLITE_BUSY without calling the busy handler: wait here instead."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_BUSY" or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
