"""The command table (the contract with the collector and captures) and the fixture layout."""

from __future__ import annotations

import random
from datetime import date

import pytest

from tests.collectors.parsers.golden import FIXTURES, cases, load_outputs, parsed
from verifier.collectors.parsers import COMMANDS, command_file, parse_device

# docs/network-collection.md and the issue 5 contract list exactly these, in this order.
CONTRACT = {
    "cisco_ios": ("show version", "show running-config", "show ip ssh"),
    "cisco_asa": ("show version", "show running-config", "show startup-config"),
    "fortinet": (
        "get system status",
        "show system global",
        "show system interface",
        "show system admin",
        "show system snmp community",
        "show system ntp",
        "show log syslogd setting",
        "show",
    ),
    "juniper_junos": (
        "show version",
        "show chassis hardware",
        "show system uptime",
        "show configuration | display set",
    ),
    "arista_eos": ("show version", "show running-config", "show running-config diffs"),
    "mikrotik_routeros": (
        "/system resource print",
        "/system routerboard print",
        "/system identity print",
        "/ip service print",
        "/snmp community print",
        "/system ntp client print",
        "/system logging action print",
        "/user print",
        "/system note print",
        "/export hide-sensitive",
    ),
}


def test_commands_match_the_contract() -> None:
    assert COMMANDS == CONTRACT


def test_only_read_only_commands() -> None:
    for platform, commands in COMMANDS.items():
        for command in commands:
            if platform == "mikrotik_routeros":
                assert command.endswith(" print") or command == "/export hide-sensitive"
            else:
                assert command.split()[0] in {"show", "get"}, command


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("show running-config", "show_running_config.txt"),
        ("/ip service print", "ip_service_print.txt"),
        ("show configuration | display set", "show_configuration_display_set.txt"),
        ("/export hide-sensitive", "export_hide_sensitive.txt"),
        ("show", "show.txt"),
        ("Show IP  SSH", "show_ip_ssh.txt"),
    ],
)
def test_command_file(command: str, name: str) -> None:
    assert command_file(command) == name


def test_command_files_are_unique_per_platform() -> None:
    for commands in COMMANDS.values():
        assert len({command_file(c) for c in commands}) == len(commands)


def test_unknown_platform() -> None:
    with pytest.raises(ValueError, match="no facts driver for platform 'hp_procurve'"):
        parse_device("hp_procurve", {}, date(2026, 11, 1))


@pytest.mark.parametrize("platform", sorted(COMMANDS))
def test_every_platform_has_two_versions_and_a_malformed_case(platform: str) -> None:
    names = cases(platform)
    assert "malformed" in names
    versions = {
        parsed(platform, case)["facts"]["os"].get("version")
        for case in names
        if case != "malformed"
    }
    assert len(versions - {None}) >= 2
    malformed = parsed(platform, "malformed")
    assert malformed["probe_errors"], "the malformed case must produce probe errors"


@pytest.mark.parametrize("platform", sorted(COMMANDS))
def test_fixture_folders_hold_only_capture_files(platform: str) -> None:
    allowed = {command_file(c) for c in COMMANDS[platform]} | {"device.yml", "expected.json"}
    for case in cases(platform):
        present = {p.name for p in (FIXTURES / platform / case).iterdir()}
        assert present <= allowed, f"{case}: unexpected {present - allowed}"


@pytest.mark.parametrize("platform", sorted(COMMANDS))
def test_no_output_at_all(platform: str) -> None:
    facts, errors = parse_device(platform, {}, date(2026, 11, 1))
    assert set(errors) == {command_file(c)[:-4] for c in COMMANDS[platform]}
    assert set(errors.values()) == {"no output captured for this command"}
    assert facts["os"]["family"] == "network"
    assert "version" not in facts["os"]


def _mutations(text: str, rng: random.Random) -> list[str]:
    cut = [text[: rng.randrange(len(text) + 1)] for _ in range(6)]
    lines = text.splitlines()
    shuffled = lines[:]
    rng.shuffle(shuffled)
    return [
        *cut,
        "\n".join(shuffled),
        "\n".join(line[::-1] for line in lines),
        "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(300)),
        "\x00\x1b[2J\r\n\r\n",
        "   \n\t\n",
    ]


@pytest.mark.parametrize("platform", sorted(COMMANDS))
def test_parsers_never_raise_on_garbage(platform: str) -> None:
    """Truncated, shuffled, reversed and random outputs become probe errors, not exceptions."""
    rng = random.Random(f"verify-{platform}")
    for case in cases(platform):
        outputs = load_outputs(platform, case)
        for command, text in outputs.items():
            for garbage in _mutations(text, rng):
                facts, errors = parse_device(
                    platform, {**outputs, command: garbage}, date(2026, 11, 1)
                )
                assert isinstance(facts, dict) and isinstance(errors, dict)
                assert all(isinstance(v, str) and "\n" not in v for v in errors.values())
