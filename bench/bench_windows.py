"""Wall time and peak memory over WinRM: `verify baseline` vs `ansible -m ansible.windows.setup`.

    python bench/bench_windows.py --hosts 10 30 [--forks 10] [--repeat 3] [--profile win10-22h2]

For each N, starts N copies of one Windows profile on the lab's WS-Management endpoint (NTLM
with message encryption, one server process), then times both commands alternately --repeat
times over the same hosts and prints the medians and the ratio verify / setup.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lab  # noqa: E402
from bench.bench_linux import BIN, Row, measure, print_header, print_row, summarize  # noqa: E402


def bench(count: int, forks: int, repeat: int, profile: str, work: Path) -> Row:
    state = work / f"lab-{count}"
    the_lab = lab.up(state, hosts=lab.copies(profile, count))
    try:
        env = lab.ansible_env(work / f"ansible-{count}", BIN)
        inventory = str(the_lab.inventory_path)
        report = work / f"report-{count}.json"
        setup_cmd = [
            str(BIN / "ansible"),
            "all",
            "-i",
            inventory,
            "-m",
            "ansible.windows.setup",
            "-f",
            str(forks),
        ]
        verify_cmd = [
            str(BIN / "verify"),
            "baseline",
            "-i",
            inventory,
            "-f",
            str(forks),
            "--format",
            "json",
            "-o",
            str(report),
        ]
        setups, verifies = [], []
        for _ in range(repeat):
            setups.append(measure(setup_cmd, env, work))
            verifies.append(measure(verify_cmd, env, work))
        reachable = json.loads(report.read_text(encoding="utf-8"))["summary"]["hosts_reachable"]
        if reachable != count or any(s.returncode != 0 for s in setups):
            raise SystemExit(f"bench invalid: {reachable}/{count} hosts reachable by verify")
    finally:
        lab.down(state)
    return summarize(count, setups, verifies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    # A PowerShell 5.1 profile: ansible.windows.setup cannot run on PowerShell 2.0 hosts at all.
    parser.add_argument("--profile", default="win10-22h2")
    args = parser.parse_args()
    print_header("hosts", "ansible.windows.setup")
    with tempfile.TemporaryDirectory(prefix="verify-bench-win-") as tmp:
        for count in args.hosts:
            row = bench(count, args.forks, args.repeat, args.profile, Path(tmp))
            print_row(row)


if __name__ == "__main__":
    main()
