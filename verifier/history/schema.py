"""The history database's schema, as numbered migrations (PRAGMA user_version = last applied).

Migrations only ever append: a database written by any earlier release is brought forward one
step at a time, each step in its own transaction, so a crash mid-upgrade leaves a database at a
known version. Never edit a migration that has shipped; add the next one.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: runs, with each host's redacted facts and each check's result.
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        baseline_name TEXT NOT NULL,
        baseline_version TEXT NOT NULL,
        baseline_sha256 TEXT NOT NULL,
        inventory_path TEXT NOT NULL,
        inventory_key TEXT NOT NULL,
        inventory_sha256 TEXT NOT NULL,
        limit_pattern TEXT,
        interrupted INTEGER NOT NULL,
        exit_code INTEGER NOT NULL,
        summary_json TEXT NOT NULL
    );
    CREATE INDEX runs_by_inventory ON runs (inventory_key, started_at);
    CREATE TABLE hosts (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        address TEXT NOT NULL,
        platform TEXT NOT NULL,
        device_class TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        collected_at TEXT,
        facts_json TEXT,
        probe_errors_json TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
    );
    CREATE INDEX hosts_by_name ON hosts (name);
    CREATE TABLE check_results (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        expected_json TEXT NOT NULL,
        actual_json TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (run_id, host, check_id)
    );
    """,
    # 2: accepted snapshots (every acceptance is kept; the newest per inventory is current),
    # and the drift found by `verify drift` runs.
    """
    CREATE TABLE acceptances (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        inventory_key TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        accepted_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX acceptances_by_inventory ON acceptances (inventory_key, id);
    CREATE TABLE drift_reports (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        base_run_id INTEGER NOT NULL,
        change_count INTEGER NOT NULL,
        document_json TEXT NOT NULL
    );
    """,
)

LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply the migrations after the database's version up to `target`; returns the version.

    A database newer than this release is refused by the caller (see db.open_db)."""
    current = version(conn)
    while current < target:
        number = current + 1
        try:
            # executescript commits first; BEGIN/COMMIT around it keeps each step atomic.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n"
                f"PRAGMA user_version = {number};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            # Another run may have applied this step since the version was read: go on from
            # the version it left; otherwise the step itself failed.
            if version(conn) <= current:
                raise
        current = version(conn)
    return current
