"""Wall time and peak memory: `verify baseline` vs a bare `ansible -m setup` on the same hosts.

    python bench/bench_linux.py --hosts 10 50 [--forks 10] [--repeat 3]

For each N, starts N lab sshd hosts (one profile), then times both commands alternately
--repeat times and prints the medians and the ratio verify / setup. Both use the same
environment (pipelining on, same forks). Needs root (the lab).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lab  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_rss_mb: float
    returncode: int


@dataclass(frozen=True)
class Row:
    """One line of a benchmark table: medians of the reference and of verify, peak RSS."""

    count: int
    reference_s: float
    verify_s: float
    reference_rss_mb: float
    verify_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.verify_s / self.reference_s


def summarize(count: int, references: list[Sample], verifies: list[Sample]) -> Row:
    return Row(
        count=count,
        reference_s=statistics.median(s.seconds for s in references),
        verify_s=statistics.median(s.seconds for s in verifies),
        reference_rss_mb=max(s.peak_rss_mb for s in references),
        verify_rss_mb=max(s.peak_rss_mb for s in verifies),
    )


def print_header(count_label: str, reference_label: str) -> None:
    print(
        f"{count_label:>7} {reference_label:>22} {'verify baseline':>16} {'ratio':>6} "
        f"{'reference peak MB':>18} {'verify peak MB':>15}"
    )


def print_row(row: Row) -> None:
    print(
        f"{row.count:>7} {row.reference_s:>21.2f}s {row.verify_s:>15.2f}s {row.ratio:>5.2f}x "
        f"{row.reference_rss_mb:>18.0f} {row.verify_rss_mb:>15.0f}",
        flush=True,
    )


def close_masters(control_dir: Path) -> None:
    for socket in control_dir.glob("*"):
        subprocess.run(
            ["ssh", "-o", f"ControlPath={socket}", "-O", "exit", "x"],
            capture_output=True,
            check=False,
        )


def measure(cmd: list[str], base_env: dict[str, str], work: Path) -> Sample:
    """Wall time, and the peak RSS of the largest process in the command's tree (wait4).

    Every command starts cold: its own empty SSH ControlPath dir, and its masters closed
    afterwards, so no run reuses connections another run opened.
    """
    control_dir = Path(tempfile.mkdtemp(prefix="cp-", dir=work))
    env = {**base_env, "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control_dir)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    close_masters(control_dir)
    return Sample(elapsed, usage.ru_maxrss / 1024, proc.returncode)


def bench(
    count: int, forks: int, repeat: int, profile: str, work: Path, module: str = "setup"
) -> Row:
    """N copies of a lab profile; `ansible -m MODULE` vs `verify baseline`, alternately."""
    state = work / f"lab-{count}"
    the_lab = lab.up(state, hosts=lab.copies(profile, count))
    try:
        env = lab.ansible_env(work / f"ansible-{count}", BIN)
        inventory = str(the_lab.inventory_path)
        report = work / f"report-{count}.json"
        setup_cmd = [str(BIN / "ansible"), "all", "-i", inventory, "-m", module, "-f", str(forks)]
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
        document = json.loads(report.read_text(encoding="utf-8"))
        reachable = document["summary"]["hosts_reachable"]
        if reachable != count or any(s.returncode != 0 for s in setups):
            raise SystemExit(f"bench invalid: {reachable}/{count} hosts reachable by verify")
    finally:
        lab.down(state)
    return summarize(count, setups, verifies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="debian12", choices=sorted(lab.PROFILES))
    args = parser.parse_args()
    print_header("hosts", "ansible -m setup")
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        for count in args.hosts:
            row = bench(count, args.forks, args.repeat, args.profile, Path(tmp))
            print_row(row)


if __name__ == "__main__":
    main()
