"""What history and drift cost: `verify drift` vs `verify baseline --no-history`, same hosts.

    python bench/bench_drift.py --hosts 10 50 [--forks 10] [--repeat 3] [--profile debian12]

For each N, starts N lab hosts, accepts one snapshot, then alternately times a plain
verification that stores nothing (the reference) and `verify drift` (the same verification,
plus storing the run with its facts, loading the snapshot, comparing and writing the drift
document) --repeat times. Prints the medians, the ratio, peak RSS and the database size per
stored run. Needs root (the lab).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lab  # noqa: E402
from bench.bench_linux import BIN, Sample, measure  # noqa: E402


def _median(samples: list[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def bench(count: int, forks: int, repeat: int, profile: str, work: Path) -> str:
    state = work / f"lab-{count}"
    the_lab = lab.up(state, hosts=lab.copies(profile, count))
    try:
        env = lab.ansible_env(work / f"ansible-{count}", BIN)
        db = work / f"history-{count}.sqlite3"
        common = ["-i", str(the_lab.inventory_path), "-f", str(forks), "--format", "json"]
        verify = str(BIN / "verify")
        plain = [verify, "baseline", *common, "--no-history", "-o", str(work / "plain.json")]
        accept = [verify, "baseline", *common, "--db", str(db), "--accept", "-o", "-"]
        drift = [verify, "drift", *common, "--db", str(db), "-o", str(work / "drift.json")]
        first = measure(accept, env, work)
        if first.returncode not in (0, 1):
            raise SystemExit(f"bench invalid: accepting the snapshot exited {first.returncode}")
        plains, drifts = [], []
        for _ in range(repeat):
            plains.append(measure(plain, env, work))
            drifts.append(measure(drift, env, work))
        if any(s.returncode != 0 for s in drifts):
            codes = [s.returncode for s in drifts]
            raise SystemExit(f"bench invalid: drift on an unchanged lab exited {codes}")
        per_run_kb = db.stat().st_size / 1024 / (1 + repeat)
    finally:
        lab.down(state)
    reference, measured = _median(plains), _median(drifts)
    return (
        f"{count:>6} {reference:>24.2f}s {measured:>12.2f}s {measured / reference:>5.2f}x "
        f"{max(s.peak_rss_mb for s in plains):>11.0f} {max(s.peak_rss_mb for s in drifts):>13.0f}"
        f" {per_run_kb:>14.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="debian12", choices=sorted(lab.PROFILES))
    args = parser.parse_args()
    print(
        f"{'hosts':>6} {'baseline --no-history':>25} {'verify drift':>13} {'ratio':>6} "
        f"{'peak MB ref':>11} {'peak MB drift':>13} {'DB KB per run':>14}"
    )
    with tempfile.TemporaryDirectory(prefix="verify-bench-drift-") as tmp:
        for count in args.hosts:
            print(bench(count, args.forks, args.repeat, args.profile, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
