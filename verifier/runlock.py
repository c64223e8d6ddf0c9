"""One verify run per inventory at a time: an exclusive, non-blocking flock on a lock file.

    with hold(lock_path_for(db_path, inventory)):
        ...  # collect, check, store

The lock belongs to the open file, not to the file's existence: the kernel drops it when the
process exits or is killed (even with SIGKILL), so a crashed run never leaves a stale lock to
clean up. The file itself stays (deleting it would let two runs lock two different inodes); it
holds the holder's pid and start time, only to name them in the error. The descriptor is not
inherited by child processes (PEP 446), so an ansible-playbook left behind by a killed run does
not keep the lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from verifier.errors import EXIT_LOCKED, InputError, VerifierError

LOCK_DIRNAME = "locks"


class RunLocked(VerifierError):
    """Another verify run holds the lock for this inventory. Exit 5."""

    exit_code = EXIT_LOCKED


class LockError(InputError):
    """The lock file cannot be created or locked at all (permissions, a read-only directory)."""


def lock_path_for(db_path: Path, inventory: Path) -> Path:
    """`<db dir>/locks/<first 16 hex of sha256(absolute inventory path)>.lock`.

    The inventory path is resolved (symlinks too), so `client.yml`, `./client.yml` and a link
    to it share one lock; runs against other inventories, even into the same database, do not
    wait for each other.
    """
    key = str(inventory.expanduser().resolve())
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return db_path.expanduser().absolute().parent / LOCK_DIRNAME / f"{digest}.lock"


@contextmanager
def hold(lock_path: Path) -> Iterator[None]:
    """Hold the lock at `lock_path` for the `with` block, or raise `RunLocked` at once.

    Never waits: a second run exits with code 5 and a message naming the holder. The lock is
    per open file, so a second `hold()` of the same path in the same process is refused too.
    """
    fd = _open(lock_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunLocked(_busy_message(lock_path, fd)) from None
            raise LockError(f"cannot lock {lock_path}: {exc.strerror}") from exc
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        record = json.dumps({"pid": os.getpid(), "started": started}) + "\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        try:
            yield
        finally:
            # Empty the file while still holding the lock: a later reader never sees a stale pid.
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def _open(lock_path: Path) -> int:
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise LockError(f"cannot create run lock {lock_path}: {exc.strerror}") from exc


def _busy_message(lock_path: Path, fd: int) -> str:
    pid, since = _holder(fd)
    return f"another verify run holds {lock_path} (pid {pid}, since {since})"


def _holder(fd: int) -> tuple[str, str]:
    """The holder's pid and start time from the lock file; '?' while it has not written them
    yet (it locks first, then writes: retry briefly)."""
    for _ in range(10):
        try:
            data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
            return str(int(data["pid"])), str(data["started"])
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.01)
    return "?", "?"
