"""Wall time and peak memory over WinRM: `verify baseline` vs `ansible -m ansible.windows.setup`.

    python bench/bench_windows.py --hosts 10 30 [--forks 10] [--repeat 3] [--profile win10-22h2]

For each N, starts N copies of one Windows profile on the lab's WS-Management endpoint (NTLM
with message encryption, one server process), then times both commands alternately --repeat
times over the same hosts and prints the medians and the ratio verify / setup.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_linux import bench, print_header, print_row  # noqa: E402


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
            row = bench(
                count, args.forks, args.repeat, args.profile, Path(tmp), "ansible.windows.setup"
            )
            print_row(row)


if __name__ == "__main__":
    main()
