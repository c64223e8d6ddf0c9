"""Serve simulated network devices over SSH on 127.0.0.1 until SIGTERM/SIGINT.

    python -m lab.netsim --device FOLDER:PORT:USER:PASSWORD[:OPTIONS] [--device ...]
    python -m lab.netsim --profile core-sw:2201 --profile edge-fw     # lab profiles
    python -m lab.netsim --all-profiles [--extras]                     # every profile, free ports

OPTIONS (comma-separated): enable=SECRET (IOS/ASA/EOS enable secret), hang (accept the login,
never print a prompt), slow=SECONDS (delay before each command output), no-banner (accept TCP,
never speak SSH), name=LABEL. PORT 0 picks a free port. One JSON line per device is printed
once every listener accepts connections.

IOS and EOS devices keep configuration changes (configuration mode, ``write memory``) in memory
while the process runs; every configuration command is journaled to ``--journal-dir`` (default
``STATE_DIR/journal``) as ``<name>.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from lab.netsim.profiles import PROFILES, lab_devices, sim_device
from lab.netsim.server import SimDevice, start
from lab.netsim.session import Behaviour

_OPTION_KEYS = {"enable", "hang", "slow", "no-banner", "name"}


def _parse_options(text: str) -> dict[str, str] | None:
    """``enable=x,hang`` -> {"enable": "x", "hang": ""}; None if it is not an option list."""
    opts: dict[str, str] = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        if key not in _OPTION_KEYS:
            return None
        opts[key] = value
    return opts


def parse_device(spec: str) -> SimDevice:
    """``FOLDER:PORT:USER:PASSWORD[:OPTIONS]``; the password may contain ':' unless what follows
    its last ':' reads as an option list."""
    parts = spec.split(":", 3)
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2]:
        raise argparse.ArgumentTypeError(
            f"expected FOLDER:PORT:USER:PASSWORD[:OPTIONS], got {spec!r}"
        )
    folder, port, user, rest = parts
    password, opts = rest, {}
    if ":" in rest:
        head, _, tail = rest.rpartition(":")
        parsed = _parse_options(tail)
        if parsed is not None:
            password, opts = head, parsed
    try:
        delay = float(opts.get("slow") or 0.0)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"slow= needs seconds, got {opts['slow']!r}") from exc
    behaviour = Behaviour(
        hang_after_login="hang" in opts, response_delay=delay, no_ssh_banner="no-banner" in opts
    )
    return SimDevice(
        Path(folder),
        user,
        password,
        enable_password=opts.get("enable") or None,
        port=int(port),
        behaviour=behaviour,
        name=opts.get("name") or None,
    )


def parse_profile(spec: str) -> SimDevice:
    name, _, port = spec.partition(":")
    if name not in PROFILES or (port and not port.isdigit()):
        known = ", ".join(PROFILES)
        raise argparse.ArgumentTypeError(f"expected NAME[:PORT] with NAME one of {known}")
    return sim_device(name, port=int(port or 0))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m lab.netsim",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--device", action="append", default=[], metavar="FOLDER:PORT:USER:PW[:OPT]")
    ap.add_argument("--profile", action="append", default=[], metavar="NAME[:PORT]")
    ap.add_argument("--all-profiles", action="store_true", help="serve every lab profile")
    ap.add_argument(
        "--extras", action="store_true", help="with --all-profiles: hang-sw, wrong-pw-rtr"
    )
    ap.add_argument(
        "--state-dir", type=Path, help="cache the SSH host key here; journals in DIR/journal"
    )
    ap.add_argument(
        "--journal-dir",
        type=Path,
        help="append each device's configuration commands to DIR/<name>.jsonl",
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="log SSH protocol errors")
    args = ap.parse_args(argv)
    try:
        devices = [parse_device(s) for s in args.device]
        devices += [parse_profile(s) for s in args.profile]
    except argparse.ArgumentTypeError as exc:
        ap.error(str(exc))
    if args.all_profiles:
        devices += lab_devices(extras=args.extras)
    if not devices:
        ap.error("nothing to serve: give --device, --profile or --all-profiles")
    sim = start(
        devices, state_dir=args.state_dir, verbose=args.verbose, journal_dir=args.journal_dir
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    for rd in sim.devices:
        line = {
            "name": rd.name,
            "platform": rd.platform,
            "hostname": rd.hostname,
            "host": rd.host,
            "port": rd.port,
            "username": rd.device.username,
        }
        print(json.dumps(line), flush=True)
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
