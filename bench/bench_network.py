"""Wall time and peak memory for network devices: `verify baseline` vs bare netmiko.

    python bench/bench_network.py --devices 20 50 [--forks 10] [--repeat 3]

For each N, serves N simulated devices (the lab's profiles round-robin, one `lab.netsim`
process), then times, alternately and --repeat times: `verify baseline` over them, and the
reference: this script's `--bare` mode, which runs the very same show commands with plain
netmiko in a thread pool of --forks and does nothing else. Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lab  # noqa: E402
import lab.netsim as netsim  # noqa: E402
from bench.bench_linux import BIN, Row, measure, print_header, print_row, summarize  # noqa: E402

PLATFORM_OS = lab.NETWORK_OS


def start_devices(count: int, work: Path) -> tuple[subprocess.Popen[bytes], list[dict[str, Any]]]:
    names = sorted(netsim.PROFILES)
    specs = []
    for i in range(count):
        profile = netsim.PROFILES[names[i % len(names)]]
        options = f"name=dev-{i:03d}"
        if profile.enable_password:
            options += f",enable={profile.enable_password}"
        specs += ["--device", f"{profile.folder}:0:{profile.username}:{profile.password}:{options}"]
    out = work / f"netsim-{count}.out"
    with open(out, "wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lab.netsim", *specs, "--state-dir", str(work)],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
        )
    while True:
        lines = [ln for ln in out.read_text().splitlines() if ln.strip()]
        if len(lines) >= count:
            return proc, [json.loads(ln) for ln in lines]
        if proc.poll() is not None:
            raise SystemExit("network simulator died")
        time.sleep(0.05)


def write_inventory(devices: list[dict[str, Any]], path: Path) -> None:
    names = sorted(netsim.PROFILES)
    hosts = {}
    for i, device in enumerate(devices):
        profile = netsim.PROFILES[names[i % len(names)]]
        hosts[device["name"]] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": device["port"],
            "ansible_user": profile.username,
            "ansible_password": profile.password,
            "ansible_network_os": PLATFORM_OS[device["platform"]],
            **(
                {"ansible_become_password": profile.enable_password}
                if profile.enable_password
                else {}
            ),
        }
    path.write_text(json.dumps({"all": {"hosts": hosts}}), encoding="utf-8")


def bare(inventory: Path, forks: int) -> int:
    """The reference: the same commands with plain netmiko, nothing else."""
    from netmiko import ConnectHandler

    from verifier.collectors.network_types import device_type_for
    from verifier.collectors.parsers import COMMANDS

    hosts = json.loads(inventory.read_text(encoding="utf-8"))["all"]["hosts"]

    def one(item: tuple[str, dict[str, Any]]) -> int:
        _name, v = item
        platform = device_type_for(v["ansible_network_os"], None)
        conn = ConnectHandler(
            device_type=platform,
            host=v["ansible_host"],
            port=v["ansible_port"],
            username=v["ansible_user"],
            password=v["ansible_password"],
            secret=v.get("ansible_become_password", ""),
        )
        if v.get("ansible_become_password") and platform in (
            "cisco_ios",
            "cisco_asa",
            "arista_eos",
        ):
            conn.enable()
        size = sum(len(conn.send_command(cmd)) for cmd in COMMANDS[platform])
        conn.disconnect()
        return size

    with ThreadPoolExecutor(forks) as pool:
        list(pool.map(one, hosts.items()))
    return 0


def bench(count: int, forks: int, repeat: int, work: Path) -> Row:
    proc, devices = start_devices(count, work)
    try:
        inventory = work / f"inventory-{count}.json"
        write_inventory(devices, inventory)
        report = work / f"report-{count}.json"
        bare_cmd = [sys.executable, __file__, "--bare", str(inventory), "--forks", str(forks)]
        verify_cmd = [
            str(BIN / "verify"),
            "baseline",
            "-i",
            str(inventory),
            "-f",
            str(forks),
            "--format",
            "json",
            "-o",
            str(report),
        ]
        env = dict(os.environ)
        bares, verifies = [], []
        for _ in range(repeat):
            bares.append(measure(bare_cmd, env, work))
            verifies.append(measure(verify_cmd, env, work))
        reachable = json.loads(report.read_text(encoding="utf-8"))["summary"]["hosts_reachable"]
        if reachable != count or any(s.returncode != 0 for s in bares):
            raise SystemExit(f"bench invalid: {reachable}/{count} devices reachable by verify")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return summarize(count, bares, verifies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        sys.exit(bare(args.bare, args.forks))
    print_header("devices", "bare netmiko")
    with tempfile.TemporaryDirectory(prefix="verify-bench-net-") as tmp:
        for count in args.devices:
            row = bench(count, args.forks, args.repeat, Path(tmp))
            print_row(row)


if __name__ == "__main__":
    main()
