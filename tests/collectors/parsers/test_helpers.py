"""Shared parser helpers: probes, value parsers, SNMP and account facts."""

from __future__ import annotations

import pytest

from verifier.collectors.parsers.build import Community, put, snmp_facts
from verifier.collectors.parsers.markers import REDACTED, REDACTED_DEFAULT
from verifier.collectors.parsers.probes import ParseError, Probes, check_output
from verifier.collectors.parsers.values import looks_like_address, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (
            "2 years, 31 weeks, 6 days, 9 hours, 55 minutes",
            2 * 31536000 + 31 * 604800 + 6 * 86400 + 9 * 3600 + 55 * 60,
        ),
        ("1 year 97 days", 31536000 + 97 * 86400),
        ("3 weeks, 0 days, 20 hours and 45 minutes", 3 * 604800 + 20 * 3600 + 45 * 60),
        ("14 mins 13 secs", 14 * 60 + 13),
        ("1 hour and 5 minutes", 3900),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_parse_duration_garbage() -> None:
    with pytest.raises(ParseError):
        parse_duration("a while")


@pytest.mark.parametrize(
    ("communities", "default", "entries"),
    [
        ([], False, []),
        ([Community("public", "ro")], True, [{"index": 1, "access": "ro", "default_name": True}]),
        ([Community("PRIVATE", "rw")], True, [{"index": 1, "access": "rw", "default_name": True}]),
        (
            [Community(REDACTED_DEFAULT, "ro")],
            True,
            [{"index": 1, "access": "ro", "default_name": True}],
        ),
        ([Community(REDACTED, "ro")], False, [{"index": 1, "access": "ro", "default_name": False}]),
        ([Community(None, "ro")], None, [{"index": 1, "access": "ro"}]),
        ([Community(None, "ro"), Community("public", "ro")], True, None),
    ],
)
def test_snmp_facts(communities: list[Community], default: bool | None, entries: object) -> None:
    facts = snmp_facts(True, communities)
    assert facts.get("default_community") is default
    if entries is not None:
        assert facts["communities"] == entries
    assert facts["v3_only"] is (not communities)


def test_snmp_off_is_not_v3_only_and_unknown_stays_unknown() -> None:
    assert snmp_facts(False, [])["v3_only"] is False
    assert "v3_only" not in snmp_facts(None, [])
    assert "enabled" not in snmp_facts(None, [])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  \n\n",
        "% Invalid input detected at '^' marker.",
        "ERROR: % Invalid input detected at '^' marker.",
        "error: syntax error, expecting <command>: versoin",
        "Command fail. Return code -61",
        "bad command name resource (line 1 column 9)",
        "syntax error (line 1 column 5)",
    ],
)
def test_device_errors_are_rejected(text: str) -> None:
    with pytest.raises(ParseError):
        check_output(text)


def test_probes_record_one_line_reasons() -> None:
    def boom(text: str) -> int:
        raise KeyError("missing\nkey")

    probes = Probes({"show version": "something", "show clock": "% Invalid input"})
    assert probes.run("show version", boom) is None
    assert probes.run("show clock", len) is None
    assert probes.run("show ip ssh", len) is None
    assert probes.run("show running-config diffs", len, empty_ok=True) is None
    assert probes.errors == {
        "show_version": "KeyError: 'missing\\nkey'",
        "show_clock": "device answered with an error: % Invalid input",
        "show_ip_ssh": "no output captured for this command",
        "show_running_config_diffs": "no output captured for this command",
    }
    assert Probes({"x": ""}).run("x", len, empty_ok=True) == 0


def test_put_skips_none_and_nests() -> None:
    facts: dict[str, object] = {}
    put(facts, "a.b.c", 1)
    put(facts, "a.b.d", None)
    put(facts, "e", False)
    assert facts == {"a": {"b": {"c": 1}}, "e": False}


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("10.0.0.5", True),
        ("2001:db8::5", True),
        ("syslog.example.net", True),
        ("buffered", False),
        ("trap", False),
        ("51200", False),
    ],
)
def test_looks_like_address(token: str, expected: bool) -> None:
    assert looks_like_address(token) is expected
