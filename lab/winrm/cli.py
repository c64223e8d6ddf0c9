"""``python -m lab.winrm.server``: one process serving WinRM listeners until SIGINT/SIGTERM.

    python -m lab.winrm.server --listen 127.0.0.1:0:alice:pw1:win10-22h2 \\
                               --listen 127.0.0.1:0:bob:pw2:xp --listen 127.0.0.1:0:carol:pw3

``--listen HOST:PORT:USER:PASSWORD[:PROFILE]`` (repeatable). PROFILE is a profile name under
``lab/winrm/profiles/`` or a profile directory; without it the listener uses the default
handler. The password may contain ':'; only a last ':'-part that names a profile is read as
PROFILE. ``--config FILE`` reads listeners from JSON instead (how the lab starts it: no
password on a command line)::

    {"endpoints": [{"name": "win-10", "username": "verify", "password": "...",
                    "profile": "win10-22h2", "hostname": null, "auth": ["ntlm"],
                    "host": "127.0.0.1", "port": 0, "journal": "/path/win-10.jsonl"}],
     "today": "2026-11-23", "ports_file": "/path/ports.json"}

Once every listener is bound it prints one JSON line per listener (name, url, port, user,
profile) and, with a ports file, writes ``{name: port}`` there (atomically). ``journal``
(optional, per profile endpoint) is the JSON-lines file its module calls are recorded in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lab.winrm.hostprofile import PROFILES_DIR, profile_names
from lab.winrm.server import AUTH_SCHEMES, Endpoint, profile_endpoint, start
from lab.winrm.tls import TlsFiles


def _is_profile(text: str) -> bool:
    if not text:
        return False
    return text in profile_names() or (Path(text) / "profile.yml").is_file()


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    return dt.date.today() if value == "today" else dt.date.fromisoformat(value)


def parse_listen(spec: str, hostname: str = "WIN-LAB", today: dt.date | None = None) -> Endpoint:
    """``HOST:PORT:USER:PASSWORD[:PROFILE]``."""
    parts = spec.split(":", 3)
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2]:
        raise argparse.ArgumentTypeError(
            f"expected HOST:PORT:USER:PASSWORD[:PROFILE], got {spec!r}"
        )
    host, port, user, password = parts
    head, sep, tail = password.rpartition(":")
    if sep and _is_profile(tail):
        return profile_endpoint(tail, user, head, port=int(port), host=host, today=today)
    return Endpoint(username=user, password=password, port=int(port), host=host, hostname=hostname)


def endpoint_from_config(entry: dict[str, Any], today: dt.date | None) -> Endpoint:
    auth = frozenset(entry.get("auth") or AUTH_SCHEMES)
    common: dict[str, Any] = {
        "port": int(entry.get("port") or 0),
        "host": str(entry.get("host") or "127.0.0.1"),
        "auth": auth,
    }
    tls = entry.get("tls")
    if isinstance(tls, dict):
        common["tls"] = TlsFiles(Path(str(tls["cert"])), Path(str(tls["key"])))
    if entry.get("profile"):
        return profile_endpoint(
            str(entry["profile"]),
            str(entry["username"]),
            str(entry["password"]),
            hostname=entry.get("hostname"),
            today=today,
            name=str(entry.get("name") or ""),
            journal=entry.get("journal"),
            **common,
        )
    return Endpoint(
        username=str(entry["username"]),
        password=str(entry["password"]),
        hostname=str(entry.get("hostname") or "WIN-LAB"),
        name=str(entry.get("name") or ""),
        **common,
    )


def _write_ports(path: str, ports: dict[str, int]) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as fh:
        json.dump(ports, fh)
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m lab.winrm.server",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--listen", action="append", default=[], metavar="HOST:PORT:USER:PW[:PROFILE]")
    ap.add_argument("--config", type=Path, help="listeners as JSON (see above)")
    ap.add_argument("--hostname", default="WIN-LAB", help="computer name without a profile")
    ap.add_argument(
        "--today",
        help="YYYY-MM-DD or 'today': shift the profiles' recorded dates to that day",
    )
    ap.add_argument("--ports-file", help="write {name: port} here once all listen")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    config: dict[str, Any] = {}
    if args.config:
        config = json.loads(args.config.read_text())
    try:
        today = _today(args.today or config.get("today"))
        endpoints = [parse_listen(s, args.hostname, today) for s in args.listen]
        endpoints += [endpoint_from_config(e, today) for e in config.get("endpoints") or []]
    except (argparse.ArgumentTypeError, ValueError, KeyError) as exc:
        ap.error(str(exc))
    if not endpoints:
        ap.error(f"nothing to serve: give --listen or --config (profiles: {PROFILES_DIR})")
    handle = start(endpoints, verbose=args.verbose)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    lines: list[dict[str, Any]] = []
    for i, r in enumerate(handle.endpoints):
        name = r.endpoint.name or f"listener-{i}"
        if any(ln["name"] == name for ln in lines):  # two listeners of one profile
            name = f"{name}-{i}"
        lines.append({"name": name, "url": r.url, "port": r.port, "user": r.endpoint.username})
        lines[-1]["profile"] = r.endpoint.profile
    ports_file = args.ports_file or config.get("ports_file")
    if ports_file:  # first, so whoever has read the lines finds the file
        _write_ports(str(ports_file), {ln["name"]: ln["port"] for ln in lines})
    for line in lines:
        print(json.dumps(line), flush=True)
    stop.wait()
    handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
