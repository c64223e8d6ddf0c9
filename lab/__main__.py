"""``python -m lab up|down|status`` -- the simulated client network (needs root)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import lab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="start the hosts and write an Ansible inventory")
    p_up.add_argument(
        "--inventory", type=Path, help="inventory file to write (default: STATE_DIR/inventory.yml)"
    )
    p_up.add_argument(
        "--profile",
        choices=(*lab.PROFILES, *lab.WINDOWS_PROFILES),
        help="start --count copies of this profile (Linux or Windows) instead of the default set",
    )
    p_up.add_argument("--count", type=int, default=None, help="number of copies (with --profile)")
    p_up.add_argument(
        "--login",
        choices=("root", "admin"),
        default="root",
        help=f"Linux copies: the inventory logs in as root (default) or as {lab.ADMIN_USER} "
        "with sudo (ansible_become; root cannot log in over SSH)",
    )
    p_up.add_argument("--timeout", type=float, default=180.0)
    p_down = sub.add_parser("down", help="stop every lab process and remove the state dir")
    p_status = sub.add_parser("status", help="show what is running (JSON)")
    for p in (p_up, p_down, p_status):
        p.add_argument("--state-dir", type=Path, default=lab.DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            if (args.profile is None) != (args.count is None):
                parser.error("--profile and --count go together")
            if args.count is not None and args.count < 1:
                parser.error("--count must be at least 1")
            if args.login != "root" and args.profile not in lab.PROFILES:
                parser.error("--login admin goes with --profile of a Linux profile")
            hosts = lab.copies(args.profile, args.count, args.login) if args.profile else None
            result = lab.up(args.state_dir, hosts, args.inventory, timeout=args.timeout)
            print(
                f"lab up: {len(result.hosts)} hosts in {result.up_seconds:.1f}s; "
                f"inventory {result.inventory_path}"
            )
            for h in result.hosts.values():
                print(
                    f"  {h.name:<24} 127.0.0.1:{h.port:<6} {h.kind:<9} {h.connection:<6}"
                    f"{h.profile or '-':<13} {'reachable' if h.reachable else 'unreachable'}"
                    + (f" (login {lab.ADMIN_USER} + sudo)" if h.login == "admin" else "")
                )
        elif args.command == "down":
            lab.down(args.state_dir)
            print(f"lab down: {args.state_dir.resolve()} stopped and removed")
        else:
            info = lab.status(args.state_dir)
            print(json.dumps(info, indent=2))
            return 0 if info["up"] else 3
    except lab.LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head`
        sys.exit(0)
