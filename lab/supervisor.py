"""The lab's listener process: one loopback TCP port per inventory host.

Run as ``PYTHON lab/supervisor.py CONFIG.json`` (standard library only, no ``lab`` import).

CONFIG: ``{"ports_file": PATH, "log_dir": DIR, "listeners": [{"name", "kind", "init_pid",
"sshd_config"}]}`` with kind one of

- ``sshd``: per accepted connection fork ``nsenter -t INIT -m -u -p -n -- sshd -i -e -f CFG``
  with the socket as stdin/stdout (inetd mode), so the session lives in the host's namespaces;
- ``blackhole``: accept and never send a byte (the client times out waiting for the banner);
- ``refused``: bind the port but never listen (connections are refused; nobody else can take
  the port while the lab runs).

Every socket binds 127.0.0.1 port 0; the chosen ports are written to ``ports_file`` (JSON
name -> port) once all are bound. Children are reaped by the kernel (SIGCHLD ignored).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
from typing import Any

NSENTER = "/usr/bin/nsenter"
SSHD = "/usr/sbin/sshd"


def spawn_sshd(conn: socket.socket, listener: dict[str, Any], log_dir: str) -> None:
    pid = os.fork()
    if pid:
        return
    try:  # child
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        log = os.open(
            os.path.join(log_dir, f"{listener['name']}.sshd.log"),
            os.O_WRONLY | os.O_CREAT | os.O_APPEND,
            0o600,
        )
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        os.dup2(log, 2)
        os.execve(
            NSENTER,
            [
                NSENTER,
                "-t",
                str(listener["init_pid"]),
                "-m",
                "-u",
                "-p",
                "-n",
                "--",
                SSHD,
                "-i",
                "-e",
                "-f",
                listener["sshd_config"],
            ],
            {
                "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG": "C.UTF-8",
            },
        )
    finally:
        os._exit(127)


def main() -> int:
    with open(sys.argv[1]) as fh:
        config = json.load(fh)
    os.chdir("/")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    sel = selectors.DefaultSelector()
    ports: dict[str, int] = {}
    keep: list[socket.socket] = []
    for listener in config["listeners"]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", int(listener.get("port") or 0)))
        ports[listener["name"]] = sock.getsockname()[1]
        keep.append(sock)
        if listener["kind"] == "refused":
            continue
        sock.listen(128)
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, ("listen", listener))
    tmp = config["ports_file"] + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(ports, fh)
    os.rename(tmp, config["ports_file"])

    while True:
        for key, _ in sel.select():
            role, data = key.data
            obj = key.fileobj
            if not isinstance(obj, socket.socket):
                continue
            sock = obj
            if role == "listen":
                try:
                    conn, _addr = sock.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                if data["kind"] == "sshd":
                    conn.setblocking(True)
                    spawn_sshd(conn, data, config["log_dir"])
                    conn.close()
                else:  # blackhole: hold it open, read and drop whatever the client sends
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, ("hole", data))
            else:
                try:
                    chunk = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(sock)
                    sock.close()


if __name__ == "__main__":
    sys.exit(main())
