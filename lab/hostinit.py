"""Init process of one simulated host (runs as PID 1 inside its own namespaces).

Started by ``lab.up`` as::

    unshare --mount --uts --pid --net --fork --mount-proc --propagation private -- \
        PYTHON lab/hostinit.py SPEC.json

Standard library only, self-contained: it must not import the ``lab`` package (it runs with
whatever ``sys.path`` the interpreter gives a plain script).

It mounts a tmpfs scratch area, overlays (upper on that tmpfs) over the directories the host
owns, a private ``/run``, a fresh ``/sys`` for its network namespace with fake DMI files, then
writes the profile's files, gives apt-based hosts their own apt lists/cache (tmpfs) filled by
``apt-get update`` from the lab's file: repositories, sets the hostname, brings up ``lo``, loads
the nftables ruleset (if any), starts the simulated daemons, writes the ready file and reaps
children forever.
Every write goes through :func:`safe_path`, which refuses anything that would land outside the
overlays (``/etc/os-release`` is a symlink into ``/usr/lib`` on Debian: it is unlinked, never
followed).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable

MS_RDONLY = 1
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]

WRITABLE_ROOTS: list[str] = ["/run"]


def mount(
    src: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None
) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    if _libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {src} on {target} ({fstype}, {data}): {os.strerror(err)}")


def safe_path(path: str) -> str:
    """Absolute path whose parent directory resolves inside one of our overlays (or /run)."""
    if not os.path.isabs(path):
        raise ValueError(f"not absolute: {path}")
    parent = os.path.realpath(os.path.dirname(path))
    if not any(parent == r or parent.startswith(r + "/") for r in WRITABLE_ROOTS):
        raise ValueError(f"refusing to write outside the host overlays: {path} ({parent})")
    return os.path.join(parent, os.path.basename(path))


def remove(path: str) -> None:
    p = safe_path(path)
    if os.path.islink(p) or os.path.isfile(p):
        os.unlink(p)
    elif os.path.isdir(p):
        shutil.rmtree(p)


def write_file(path: str, content: str, mode: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    p = safe_path(path)
    if os.path.lexists(p):
        remove(p)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    os.chmod(p, mode)


def copy_file(src: str, dst: str, mode: int) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    p = safe_path(dst)
    if os.path.lexists(p):
        remove(p)
    shutil.copyfile(src, p)
    os.chmod(p, mode)


def setup_overlays(scratch: str, dirs: list[str]) -> None:
    for d in dirs:
        slug = d.strip("/").replace("/", "_")
        upper = os.path.join(scratch, slug, "upper")
        work = os.path.join(scratch, slug, "work")
        os.makedirs(upper)
        os.makedirs(work)
        mount("overlay", d, "overlay", 0, f"lowerdir={d},upperdir={upper},workdir={work}")
        WRITABLE_ROOTS.append(d)


def graft_dir(parent: str, name: str, stash: str, make: Callable[[str], None]) -> None:
    """Make ``parent/name`` exist (created by ``make(path)``) on a read-only filesystem such as
    sysfs: if it already exists, bind our version over it; otherwise cover ``parent`` with a
    tmpfs that re-exposes every original entry (bind mounts / symlinks) plus the new one."""
    target = os.path.join(parent, name)
    if os.path.exists(target):
        staged = os.path.join(stash, "graft-" + name)
        make(staged)
        mount(staged, target, None, MS_BIND)
        return
    orig = os.path.join(stash, "orig" + parent.replace("/", "_"))
    os.makedirs(orig)
    mount(parent, orig, None, MS_BIND | MS_REC)
    entries = sorted(os.listdir(orig))
    mount("tmpfs", parent, "tmpfs", 0, "mode=0755,size=1m")
    for entry in entries:
        src = os.path.join(orig, entry)
        dst = os.path.join(parent, entry)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isdir(src):
            os.mkdir(dst)
            mount(src, dst, None, MS_BIND | MS_REC)
        else:
            open(dst, "w").close()
            mount(src, dst, None, MS_BIND)
    make(target)


def setup_sys(scratch: str, dmi: dict[str, str]) -> None:
    # A fresh sysfs shows this network namespace's interfaces only.
    mount("sysfs", "/sys", "sysfs", 0, None)
    if not dmi:
        return
    stash = os.path.join(scratch, "sysstash")
    os.makedirs(stash)

    def make_dmi(path: str) -> None:  # path is .../dmi (the "id" dir goes inside)
        idd = os.path.join(path, "id")
        os.makedirs(idd)
        for key, value in dmi.items():
            fp = os.path.join(idd, key)
            with open(fp, "w") as fh:
                fh.write(value + "\n")
            # Like the kernel: serials and uuid are root-only.
            os.chmod(fp, 0o400 if key.endswith(("_serial", "_uuid")) else 0o444)

    graft_dir("/sys/devices/virtual", "dmi", stash, make_dmi)

    def make_class_dmi(path: str) -> None:
        os.makedirs(path)
        os.symlink("../../devices/virtual/dmi/id", os.path.join(path, "id"))

    if not os.path.exists("/sys/class/dmi/id"):
        graft_dir("/sys/class", "dmi", stash, make_class_dmi)


APT_STATE_DIRS = ["/var/lib/apt/lists", "/var/cache/apt"]

# `apt-get update` must not run this machine's update hooks (appstream would write its cache
# into the real /var/cache, packagekit pokes the real D-Bus).
APT_UPDATE_CONF = """#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
"""


def setup_apt(scratch: str) -> None:
    """Own, empty apt lists and cache (tmpfs), filled by `apt-get update` from the lab's
    file: repositories in /etc/apt/sources.list (no network)."""
    for d in APT_STATE_DIRS:
        if not os.path.isdir(d):
            raise RuntimeError(f"{d} does not exist on this machine (is apt installed?)")
        mount("tmpfs", d, "tmpfs", 0, "mode=0755,size=64m")
    os.makedirs("/var/lib/apt/lists/partial", mode=0o700)
    os.makedirs("/var/cache/apt/archives/partial", mode=0o700)
    conf = os.path.join(scratch, "apt-update.conf")
    with open(conf, "w") as fh:
        fh.write(APT_UPDATE_CONF)
    env = {**os.environ, "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"}
    # Sandbox user root: the state dir may not be readable by _apt (pytest's tmp is 0700).
    cmd = ["apt-get", "-qq", "-c", conf, "-o", "APT::Sandbox::User=root", "update"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    problems = [ln for ln in proc.stderr.splitlines() if ln.startswith(("E:", "W:", "Err:"))]
    if proc.returncode != 0 or problems:
        raise RuntimeError(f"apt-get update failed (rc {proc.returncode}):\n{proc.stderr}")


def main() -> int:
    spec_path = sys.argv[1]
    with open(spec_path) as fh:
        spec = json.load(fh)
    ready = spec["ready_file"]
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    try:
        os.chdir("/")
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        scratch = spec["scratch"]
        mount("tmpfs", scratch, "tmpfs", 0, "mode=0700,size=512m")
        setup_overlays(scratch, spec["overlays"])
        mount("tmpfs", "/run", "tmpfs", 0, "mode=0755,size=64m")
        os.makedirs("/run/sshd", mode=0o755)
        setup_sys(scratch, spec.get("dmi") or {})

        for path in spec.get("deletes", []):
            if os.path.lexists(path):
                remove(path)
        for entry in spec.get("dirs", []):
            # A path (root's, 0755) or {"path", "mode", "uid", "gid"} (an account's home).
            item = entry if isinstance(entry, dict) else {"path": entry}
            path = safe_path(item["path"])
            os.makedirs(path, mode=0o755, exist_ok=True)
            if isinstance(entry, dict):
                os.chmod(path, item.get("mode", 0o755))
                os.lchown(path, item.get("uid", 0), item.get("gid", 0))
        for item in spec.get("files", []):
            write_file(item["path"], item["content"], item.get("mode", 0o644))
            if "uid" in item:
                os.lchown(safe_path(item["path"]), item["uid"], item.get("gid", item["uid"]))
        for item in spec.get("copies", []):
            copy_file(item["src"], item["dst"], item.get("mode", 0o755))
        for path, mtime in spec.get("mtimes", {}).items():
            os.utime(safe_path(path), (mtime, mtime))

        apt_seconds = None
        if spec.get("apt_update"):
            t = time.monotonic()
            setup_apt(scratch)
            apt_seconds = round(time.monotonic() - t, 3)

        name = spec["hostname"].encode()
        if _libc.sethostname(name, len(name)) != 0:
            raise OSError(ctypes.get_errno(), "sethostname")
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        if spec.get("nft"):
            nft_file = os.path.join(scratch, "ruleset.nft")
            with open(nft_file, "w") as fh:
                fh.write(spec["nft"])
            subprocess.run(["nft", "-f", nft_file], check=True, capture_output=True, text=True)

        devnull = os.open(os.devnull, os.O_RDWR)
        for argv in spec.get("daemons", []):
            subprocess.Popen(
                argv, stdin=devnull, stdout=devnull, stderr=devnull, start_new_session=True, cwd="/"
            )
        with open(ready + ".tmp", "w") as fh:
            json.dump({"ok": True, "time": time.time(), "apt_update_seconds": apt_seconds}, fh)
        os.rename(ready + ".tmp", ready)
    except Exception as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        with open(ready + ".tmp", "w") as fh:
            json.dump({"ok": False, "error": traceback.format_exc() + str(detail or "")}, fh)
        os.rename(ready + ".tmp", ready)
        return 1

    # PID 1 of the namespace: reap every orphan forever.
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            time.sleep(1)
        except InterruptedError:
            pass


if __name__ == "__main__":
    sys.exit(main())
