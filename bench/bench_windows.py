"""Wall time and peak memory over WinRM: `verify baseline` vs `ansible -m ansible.windows.setup`.

    python bench/bench_windows.py --hosts 10 30 [--forks 10] [--repeat 3] [--profile win10-22h2]

For each N, starts N copies of one Windows profile on the lab's WS-Management endpoint (NTLM
with message encryption, one server process), then times both commands alternately --repeat
times over the same hosts and prints the medians and the ratio verify / setup.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lab  # noqa: E402
from bench.bench_linux import BIN, measure  # noqa: E402


def bench(count: int, forks: int, repeat: int, profile: str, work: Path) -> dict[str, float]:
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
    setup_s = statistics.median(s.seconds for s in setups)
    verify_s = statistics.median(s.seconds for s in verifies)
    return {
        "hosts": count,
        "setup_s": setup_s,
        "verify_s": verify_s,
        "ratio": verify_s / setup_s,
        "setup_rss_mb": max(s.peak_rss_mb for s in setups),
        "verify_rss_mb": max(s.peak_rss_mb for s in verifies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    # A PowerShell 5.1 profile: ansible.windows.setup cannot run on PowerShell 2.0 hosts at all.
    parser.add_argument("--profile", default="win10-22h2")
    args = parser.parse_args()
    print(
        f"{'hosts':>5} {'ansible.windows.setup':>22} {'verify baseline':>16} {'ratio':>6} "
        f"{'setup peak MB':>14} {'verify peak MB':>15}"
    )
    with tempfile.TemporaryDirectory(prefix="verify-bench-win-") as tmp:
        for count in args.hosts:
            row = bench(count, args.forks, args.repeat, args.profile, Path(tmp))
            print(
                f"{row['hosts']:>5} {row['setup_s']:>21.2f}s {row['verify_s']:>15.2f}s "
                f"{row['ratio']:>5.2f}x {row['setup_rss_mb']:>14.0f} {row['verify_rss_mb']:>15.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
