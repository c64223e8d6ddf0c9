"""The history database with real processes: two runs writing at once, and a run killed in the
middle of storing its result (the earlier history stays intact, nothing of the killed run)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verifier.history import store
from verifier.history.db import open_db

REPO = Path(__file__).resolve().parents[2]

PRELUDE = textwrap.dedent(
    f"""
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, {str(REPO)!r})
    from tests.helpers import baseline, check, reachable
    from verifier.history.db import open_db
    from verifier.history.store import RunContext, save_run
    from verifier.pipeline import evaluate_run

    CHECKS = [check(id=f"linux.c{{i}}", fact=f"f.c{{i}}", expected=True) for i in range(20)]

    def make_run(inventory, prefix, hosts, minute, pad=0):
        facts = {{"f": {{f"c{{i}}": i % 3 != 0 for i in range(20)}}, "pad": "x" * pad}}
        collections = [reachable(facts, name=f"{{prefix}}-{{h}}") for h in range(hosts)]
        started = f"2026-11-05T10:{{minute:02d}}:00+00:00"
        return evaluate_run(baseline(*CHECKS), inventory, collections, started)
    """
)

WRITER = PRELUDE + textwrap.dedent(
    """
    db, tag, count, inventory = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    print("ready", flush=True)
    sys.stdin.readline()  # both writers start together
    ids = []
    for n in range(count):
        run = make_run(inventory, tag, 5, n % 60)
        conn = open_db(db)  # a separate verify run each time, as from cron and a shell
        ids.append(save_run(conn, run, RunContext("baseline", inventory, tag, 1)))
        conn.close()
    print(json.dumps(ids), flush=True)
    """
)

KILLED = PRELUDE + textwrap.dedent(
    """
    db, inventory = Path(sys.argv[1]), Path(sys.argv[2])
    conn = open_db(db)
    for n in range(2):
        save_run(conn, make_run(inventory, f"early{n}", 3, n), RunContext("baseline", inventory, None, 1))
    # A small page cache makes SQLite write the uncommitted pages of the big run into the WAL
    # before its COMMIT, as a large fleet's run does: recovery has to discard them.
    conn.execute("PRAGMA cache_size = 16")
    big = make_run(inventory, "big", 400, 30, pad=3000)
    hosts_inserted = 0

    def pause_mid_run(sql):
        global hosts_inserted
        if sql.startswith("INSERT INTO hosts"):
            hosts_inserted += 1
            if hosts_inserted == 300:  # deep inside save_run's transaction
                print("ready", flush=True)
                time.sleep(3600)

    conn.set_trace_callback(pause_mid_run)
    save_run(conn, big, RunContext("baseline", inventory, None, 1))
    print("committed", flush=True)
    """
)


def _python(script: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yml"
    path.write_text("all:\n  hosts:\n    web1: {}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fresh", [True, False], ids=["new-database", "existing-database"])
def test_two_processes_store_runs_at_once(tmp_path: Path, inventory: Path, fresh: bool) -> None:
    path = tmp_path / "history.sqlite3"
    if not fresh:
        open_db(path).close()
    count = 25
    writers = {tag: _python(WRITER, path, tag, count, inventory) for tag in ("alpha", "beta")}
    for proc in writers.values():
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in writers.values():
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    ids: dict[str, list[int]] = {}
    for tag, proc in writers.items():
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        ids[tag] = json.loads(out)

    assert len(ids["alpha"]) == len(ids["beta"]) == count
    assert not set(ids["alpha"]) & set(ids["beta"])
    assert _integrity(path) == "ok"
    conn = open_db(path)
    records = store.list_runs(conn)
    assert (
        sorted(r.id for r in records)
        == sorted(ids["alpha"] + ids["beta"])
        == list(range(1, 2 * count + 1))
    )
    for tag, run_ids in ids.items():
        for run_id in run_ids:
            stored = store.load_run(conn, run_id)
            assert stored.run.limit_pattern == tag  # each run is whole and its writer's
            assert [h.name for h in stored.hosts] == [f"{tag}-{h}" for h in range(5)]
            assert all(len(h.checks) == 20 for h in stored.hosts)
            assert dict(stored.run.summary)["fail"] == 5 * 7
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_run_killed_while_storing_leaves_earlier_history_intact(
    tmp_path: Path, inventory: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    wal = path.with_name(path.name + "-wal")
    proc = _python(KILLED, path, inventory)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == "ready\n", proc.stderr.read() if proc.stderr else ""

        # The child is inside save_run's transaction: it holds the write lock, nothing of the
        # third run is visible, and part of it already sits uncommitted in the WAL.
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            probe.execute("BEGIN IMMEDIATE")
        assert probe.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        probe.close()
        assert wal.stat().st_size > 400 * 3000 / 2

        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        out, _err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert "committed" not in out

    conn = open_db(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r.id for r in store.list_runs(conn)] == [2, 1]
    for run_id in (1, 2):
        stored = store.load_run(conn, run_id)
        assert [h.name for h in stored.hosts] == [f"early{run_id - 1}-{h}" for h in range(3)]
        assert all(len(h.checks) == 20 for h in stored.hosts)
        assert stored.run.summary["hosts"] == 3
    assert conn.execute("SELECT count(*) FROM hosts").fetchone()[0] == 6
    assert conn.execute("SELECT count(*) FROM check_results").fetchone()[0] == 6 * 20
    assert conn.execute("SELECT count(*) FROM hosts WHERE name LIKE 'big-%'").fetchone()[0] == 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    # The database takes the next run as if nothing had happened.
    conn.execute(
        "INSERT INTO runs (command, started_at, finished_at, tool_version, baseline_name,"
        " baseline_version, baseline_sha256, inventory_path, inventory_key, inventory_sha256,"
        " interrupted, exit_code, summary_json)"
        " VALUES ('baseline', 's', 'f', '0', 'b', '1', '', 'i', 'k', '', 0, 0, '{}')"
    )
    assert [r.id for r in store.list_runs(conn)] == [3, 2, 1]
