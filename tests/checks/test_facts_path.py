from verifier.checks.facts_path import lookup
from verifier.checks.operators import MISSING


def test_lookup_paths() -> None:
    facts = {"ssh": {"ciphers": ["a"], "x11": False, "none": None}, "flat": 0}
    assert lookup(facts, "ssh.ciphers") == ["a"]
    assert lookup(facts, "ssh.x11") is False  # false is a value, not a missing fact
    assert lookup(facts, "flat") == 0
    assert lookup(facts, "ssh.none") is MISSING
    assert lookup(facts, "ssh.absent") is MISSING
    assert lookup(facts, "flat.deeper") is MISSING
