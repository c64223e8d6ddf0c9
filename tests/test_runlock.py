"""The run lock: real processes, real flock. A second run is refused with exit 5 naming the
holder; a killed holder (SIGKILL, no cleanup) releases the lock."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.errors import EXIT_LOCKED, InputError
from verifier.runlock import LockError, RunLocked, hold, lock_path_for

# Holds the lock until its stdin closes; a refused run prints the one-line error and exits
# with the error's own exit code, as verify's main() does.
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from verifier.runlock import RunLocked, hold
    try:
        with hold(Path(sys.argv[1])):
            print("held", flush=True)
            sys.stdin.read()
    except RunLocked as exc:
        print(f"verify: error: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    """
)


def _start_holder(lock: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the child holds the lock
    assert line.strip() == "held", proc.stderr.read() if proc.stderr else ""
    return proc


def _second_run(lock: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(lock)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    lock = tmp_path / "db" / "locks" / "x.lock"
    proc = _start_holder(lock)
    try:
        yield lock, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_second_process_is_refused_with_exit_5_naming_the_holder(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    lock, proc = holder
    second = _second_run(lock)
    assert second.returncode == EXIT_LOCKED == 5
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert lines[0].startswith(
        f"verify: error: another verify run holds {lock} (pid {proc.pid}, since "
    )
    assert "held" not in second.stdout
    # The holder finishes normally: the lock is free for the next run.
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    third = _second_run(lock)
    assert third.returncode == 0 and third.stdout.strip() == "held", third.stderr


def test_sigkilled_holder_releases_the_lock(holder: tuple[Path, subprocess.Popen[str]]) -> None:
    lock, proc = holder
    assert _second_run(lock).returncode == EXIT_LOCKED
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    # No cleanup ran in the child, the file is still there with its pid, yet the lock is free.
    assert json.loads(lock.read_text())["pid"] == proc.pid
    after = _second_run(lock)
    assert after.returncode == 0 and after.stdout.strip() == "held", after.stderr
    with hold(lock):
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_hold_records_pid_and_start_and_empties_on_release(tmp_path: Path) -> None:
    lock = tmp_path / "locks" / "a.lock"
    with hold(lock):
        data = json.loads(lock.read_text())
        assert data["pid"] == os.getpid()
        assert data["started"][:2] == "20" and "T" in data["started"]
    assert lock.exists() and lock.read_text() == ""
    assert oct(lock.stat().st_mode & 0o777) == oct(0o600)
    with hold(lock):  # released: can be taken again
        pass


def test_same_process_twice_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "a.lock"
    with hold(lock), pytest.raises(RunLocked) as info, hold(lock):
        pass
    assert str(info.value).startswith(f"another verify run holds {lock} (pid {os.getpid()}, since ")
    assert info.value.exit_code == 5


def test_lock_released_when_the_block_raises(tmp_path: Path) -> None:
    lock = tmp_path / "a.lock"
    with pytest.raises(ZeroDivisionError), hold(lock):
        1 / 0  # noqa: B018
    with hold(lock):
        pass


def test_holder_without_a_record_is_reported_as_unknown(tmp_path: Path) -> None:
    lock = tmp_path / "a.lock"
    lock.write_text("not json")
    with open(lock, "rb") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunLocked, match=r"\(pid \?, since \?\)$"), hold(lock):
            pass


def test_lock_that_cannot_be_created_is_an_input_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with (
        pytest.raises(LockError, match="cannot create run lock") as info,
        hold(not_a_dir / "locks" / "a.lock"),
    ):
        pass
    assert isinstance(info.value, InputError) and info.value.exit_code == 2


def test_lock_path_for_is_per_inventory_next_to_the_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = tmp_path / "client.yml"
    inv.write_text("all: {}\n")
    (tmp_path / "link.yml").symlink_to(inv)
    db = tmp_path / "data" / "history.sqlite3"
    path = lock_path_for(db, inv)
    assert path.parent == tmp_path / "data" / "locks"
    assert len(path.stem) == 16 and int(path.stem, 16) >= 0 and path.suffix == ".lock"
    monkeypatch.chdir(tmp_path)
    # Relative, absolute and symlinked spellings of one inventory share one lock.
    assert lock_path_for(Path("data/history.sqlite3"), Path("client.yml")) == path
    assert lock_path_for(db, tmp_path / "link.yml") == path
    assert lock_path_for(db, tmp_path / "other.yml") != path
    assert lock_path_for(tmp_path / "elsewhere.db", inv).parent == tmp_path / "locks"
