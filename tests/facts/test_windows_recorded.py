"""The Windows normalizer over every lab profile's recorded script output (the same files the
lab's WinRM endpoint answers with), against golden fact documents.

Regenerate the goldens after a deliberate normalizer change with
`VERIFY_REGEN_GOLDENS=1 pytest tests/facts/test_windows_recorded.py`, then read the diff.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

from verifier.facts.windows import UnreadableOutput, normalize

PROFILES = Path(__file__).parents[2] / "lab" / "winrm" / "profiles"
GOLDENS = Path(__file__).parent / "recorded" / "windows"
TODAY = datetime.date(2026, 11, 23)  # the day the profiles were recorded for
NAMES = sorted(p.name for p in PROFILES.iterdir() if (p / "collect.jsonl").is_file() and p.name != "garbage")


def _normalized(name: str) -> dict[str, object]:
    facts, errors = normalize((PROFILES / name / "collect.jsonl").read_text(encoding="utf-8"), TODAY)
    return {"facts": facts, "probe_errors": errors}


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str) -> None:
    golden = GOLDENS / f"{name}.facts.json"
    document = _normalized(name)
    if os.environ.get("VERIFY_REGEN_GOLDENS") == "1":
        golden.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert document == json.loads(golden.read_text(encoding="utf-8"))


def test_every_profile_has_a_golden() -> None:
    assert {p.name.removesuffix(".facts.json") for p in GOLDENS.glob("*.facts.json")} == set(NAMES)
    assert {"xp", "win7", "win10-22h2", "win11-23h2", "win11-25h2", "server2008r2", "server2022"} <= set(NAMES)


def test_powershell_2_hosts_give_facts_not_a_failure() -> None:
    for name in ("xp", "win7", "server2008r2"):
        facts = _normalized(name)["facts"]
        assert isinstance(facts, dict) and facts["os"]["powershell_version"].startswith("2.")
        assert facts["os"]["eol"]["status"] == "eol"


def test_half_way_host_keeps_its_first_sections() -> None:
    document = _normalized("halfway")
    facts, errors = document["facts"], document["probe_errors"]
    assert isinstance(facts, dict) and isinstance(errors, dict)
    assert "os" in facts and "license" in facts and "firewall" not in facts
    assert "stopped before the end" in errors["incomplete"]


def test_garbage_host_is_unreadable() -> None:
    with pytest.raises(UnreadableOutput):
        normalize((PROFILES / "garbage" / "collect.jsonl").read_text(encoding="utf-8"), TODAY)
