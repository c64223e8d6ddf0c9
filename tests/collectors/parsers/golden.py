"""Recorded network device outputs (tests/fixtures/network) and their golden parsed facts.

A case folder is in capture layout: one file per command (named by `command_file`) plus
device.yml, and expected.json holds the whole expected document {facts, probe_errors}.
Regenerate goldens with `VERIFY_REGEN_GOLDENS=1 pytest tests/collectors/parsers`, then read the
diff by eye before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from verifier.collectors.parsers import COMMANDS, command_file, parse_device

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "network"
# Fixed "today" so EOL statuses in goldens do not move with the calendar.
TODAY = date(2026, 11, 1)
REGEN = os.environ.get("VERIFY_REGEN_GOLDENS") == "1"


def cases(platform: str) -> list[str]:
    return sorted(p.name for p in (FIXTURES / platform).iterdir() if p.is_dir())


def case_dir(platform: str, case: str) -> Path:
    return FIXTURES / platform / case


def load_outputs(platform: str, case: str) -> dict[str, str]:
    """command -> raw text for every command of the platform that has a capture file."""
    folder = case_dir(platform, case)
    outputs = {}
    for command in COMMANDS[platform]:
        path = folder / command_file(command)
        if path.exists():
            outputs[command] = path.read_text(encoding="utf-8")
    return outputs


def parsed(platform: str, case: str) -> dict[str, Any]:
    device = yaml.safe_load((case_dir(platform, case) / "device.yml").read_text(encoding="utf-8"))
    assert device["platform"] == platform, "device.yml platform must match the folder"
    facts, errors = parse_device(platform, load_outputs(platform, case), TODAY)
    return {"facts": facts, "probe_errors": errors}


def assert_golden(platform: str, case: str) -> dict[str, Any]:
    """Compare the whole parsed document with expected.json (or rewrite it under REGEN)."""
    # Round-trip: the facts must be plain JSON.
    document: dict[str, Any] = json.loads(json.dumps(parsed(platform, case)))
    path = case_dir(platform, case) / "expected.json"
    if REGEN:
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert document == expected
    return document
