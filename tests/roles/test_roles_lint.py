"""Every shipped role passes ansible-lint's strictest (production) profile, offline."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_roles_pass_ansible_lint() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-lint"), "-c", str(REPO / ".ansible-lint"),
         "--nocolor", "roles/"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "criteria was 'production'" in result.stdout + result.stderr
