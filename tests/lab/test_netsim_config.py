"""Configuration mode of the IOS and EOS simulators: the running configuration changes the way
the device changes it, every session (and verify's parsers) sees the change, `write memory`
saves it, EOS configuration sessions commit or abort, and every command is journaled.

The first part drives a device's CLI in-process (no SSH); the second logs in over SSH with
netmiko, as verify's collector and Ansible's network_cli do."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from lab.netsim import PROFILES, DeviceState, load_capture, read_journal, sim_device, start
from lab.netsim.config import Config, EosDialect, IosDialect, reverse_patch
from lab.netsim.platforms import CLI_CLASSES, Cli, Login
from verifier.collectors.parsers import arista_eos, cisco_ios

TODAY = dt.date(2026, 11, 23)


def _cli(name: str, journal: Path | None = None) -> tuple[Cli, DeviceState]:
    profile = PROFILES[name]
    cap = load_capture(profile.folder)
    state = DeviceState(cap, name, journal)
    login = Login(profile.username, profile.password, None)  # privilege 15: starts enabled
    return CLI_CLASSES[cap.platform](cap, login, state), state


def _run(cli: Cli, *lines: str) -> list[str]:
    return [cli.handle(line).text for line in lines]


def _facts(state: DeviceState) -> dict[str, Any]:
    parser = cisco_ios if state.capture.platform == "cisco_ios" else arista_eos
    facts, errors = parser.parse({c: state.output(c) or "" for c in parser.COMMANDS}, TODAY)
    assert errors == {}, errors
    return facts


def _fact(facts: dict[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        node = node[part]
    return node


# --- the configuration tree ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["core-sw", "branch-rtr", "dist-eos"])
def test_parse_and_render_keep_the_capture_byte_for_byte(name: str) -> None:
    cap = load_capture(PROFILES[name].folder)
    dialect = IosDialect() if cap.platform == "cisco_ios" else EosDialect()
    text = cap.output("show running-config")
    assert text is not None
    assert Config.parse(text, dialect).render() == text


def test_untouched_device_serves_its_capture_files() -> None:
    for name in ("core-sw", "branch-rtr", "dist-eos"):
        _, state = _cli(name)
        base = load_capture(PROFILES[name].folder)
        for stem, text in base.outputs.items():
            assert state.capture.outputs[stem] == text, (name, stem)


def test_eos_startup_is_rebuilt_from_the_captured_diffs() -> None:
    cap = load_capture(PROFILES["dist-eos"].folder)
    running, diffs = cap.output("show running-config"), cap.output("show running-config diffs")
    assert running and diffs
    startup = reverse_patch(running, diffs)
    assert startup is not None
    assert "   protocol http" in running and "   protocol http" not in startup
    assert "vlan 20" not in startup
    assert reverse_patch(running, diffs.replace("+vlan 20", "+vlan 21")) is None  # misfit


# --- IOS ---------------------------------------------------------------------------------------


def test_ios_commands_change_the_running_configuration(tmp_path: Path) -> None:
    cli, state = _cli("branch-rtr", tmp_path / "j.jsonl")
    before = _facts(state)
    assert _fact(before, "mgmt.telnet_enabled") is True
    assert _fact(before, "config.unsaved") is True
    replies = _run(
        cli,
        "configure terminal",
        "line vty 0 4",
        "transport input ssh",
        "exec-timeout 10 0",
        "no ip http server",  # a global command typed in line mode leaves it, as on IOS
        "ip ssh version 2",
        "no snmp-server community public",
        "ntp server 192.0.2.123",
        "logging host 192.0.2.50",
        "banner login @",
        "Authorised access only.",
        "@",
        "end",
    )
    assert replies[0] == "Enter configuration commands, one per line.  End with CNTL/Z.\n"
    assert replies[9] == "Enter TEXT message.  End with the character '@'.\n"
    running = state.output("show running-config") or ""
    assert "line vty 0 4\n exec-timeout 10 0\n login local\n transport input ssh\n" in running
    assert "\nno ip http server\nno ip http secure-server\n" in running  # in place, negated
    assert "snmp-server community public" not in running
    assert "snmp-server community CANARY-snmp-branch-rtr RW" in running  # untouched
    assert "\nbanner login ^C\nAuthorised access only.\n^C\n" in running
    assert "\nip ssh version 2\n" in running and "\nntp server 192.0.2.123\n" in running
    assert (state.output("show ip ssh") or "").startswith("SSH Enabled - version 2.0\n")
    after = _facts(state)
    expected = {
        "mgmt.telnet_enabled": False,
        "mgmt.http_enabled": False,
        "mgmt.ssh_version": "2",
        "mgmt.idle_timeout_minutes": 10,
        "mgmt.login_banner": True,
        "snmp.default_community": False,
        "ntp.servers": ["192.0.2.123"],
        "logging.syslog_servers": ["192.0.2.50"],
        "config.unsaved": True,  # changed now, NVRAM from 2023
    }
    assert {k: _fact(after, k) for k in expected} == expected
    # The saved configuration is still the 2023 one until `write memory`.
    startup = state.output("show startup-config") or ""
    assert startup.startswith("Using ") and "ip ssh version 2" not in startup
    assert _run(cli, "write memory") == ["Building configuration...\n[OK]\n"]
    assert _fact(_facts(state), "config.unsaved") is False
    assert "ip ssh version 2" in (state.output("show startup-config") or "")
    journal = read_journal(tmp_path / "j.jsonl")
    commands = [(e["mode"], e.get("context"), e["command"]) for e in journal]
    assert commands[:4] == [
        ("exec", None, "configure terminal"),
        ("config", [], "line vty 0 4"),
        ("config", ["line vty 0 4"], "transport input ssh"),
        ("config", ["line vty 0 4"], "exec-timeout 10 0"),
    ]
    assert ("config", ["line vty 0 4"], "no ip http server") in commands
    assert commands[-1] == ("exec", None, "write memory")


def test_ios_journal_entries_name_device_connection_and_user(tmp_path: Path) -> None:
    cli, _ = _cli("branch-rtr", tmp_path / "j.jsonl")
    _run(cli, "configure terminal", "hostname branch-rtr", "end")
    entries = read_journal(tmp_path / "j.jsonl")
    assert [e["command"] for e in entries] == ["configure terminal", "hostname branch-rtr", "end"]
    assert {e["device"] for e in entries} == {"branch-rtr"}
    assert {e["user"] for e in entries} == {"admin"}
    assert all(e["time"].endswith("+00:00") for e in entries)


def test_ios_same_setting_replaces_in_place_and_no_is_idempotent() -> None:
    cli, state = _cli("core-sw")
    _run(cli, "configure terminal", "ntp server 10.10.50.1", "no ntp server 10.10.50.9", "end")
    running = state.output("show running-config") or ""
    assert "ntp server 10.10.50.1\nntp server 10.10.50.2\n" in running  # `prefer` replaced
    _run(cli, "configure terminal", "ip http server", "end")
    assert "\nip http server\nno ip http secure-server\n" in (
        state.output("show running-config") or ""
    )


def test_ios_copy_running_config_asks_for_the_destination() -> None:
    cli, state = _cli("branch-rtr")
    first = cli.handle("copy running-config startup-config")
    assert first.ask == "Destination filename [startup-config]? "
    assert cli.handle("").text == "Building configuration...\n[OK]\n"
    assert _fact(_facts(state), "config.unsaved") is False


def test_ios_section_filter_and_running_config_all() -> None:
    cli, _ = _cli("core-sw")
    section = cli.handle("show running-config | section ^line vty").text
    assert section.startswith("line vty 0 4\n exec-timeout 10 0\n") and "line con" not in section
    assert cli.handle("show running-config all").text == cli.handle("show running-config").text
    banner = cli.handle("show running-config | begin banner login").text
    assert banner.startswith("banner login ^C\nAuthorized access only.")


# --- EOS ---------------------------------------------------------------------------------------


def test_eos_session_commit_and_abort(tmp_path: Path) -> None:
    cli, state = _cli("dist-eos", tmp_path / "j.jsonl")
    captured = state.output("show running-config")
    assert cli.handle("show configuration sessions").text.startswith("Maximum number")
    _run(cli, "configure session s1", "management api http-commands", "no protocol http")
    assert cli.prompt() == "dist-eos(config-s-s1-mgmt-api-http-cmds)#"
    diff = cli.handle("show session-config diffs").text
    assert "-   protocol http\n" in diff and diff.startswith("--- system:/running-config\n")
    assert state.output("show running-config") == captured  # nothing committed yet
    _run(cli, "end", "configure session s1", "abort")  # Ansible's check mode
    assert state.output("show running-config") == captured and state.sessions == {}
    _run(cli, "configure session s2", "management api http-commands", "no protocol http", "commit")
    assert cli.prompt() == "dist-eos#"
    assert "   protocol http" not in (state.output("show running-config") or "")
    assert _fact(_facts(state), "mgmt.http_enabled") is False
    assert _fact(_facts(state), "config.unsaved") is True  # vlan 20 and the change
    assert _run(cli, "copy running-config startup-config") == ["Copy completed successfully.\n"]
    assert state.output("show running-config diffs") == ""
    assert _fact(_facts(state), "config.unsaved") is False
    sessions = [e.get("session") for e in read_journal(tmp_path / "j.jsonl")]
    assert "s1" in sessions and "s2" in sessions


def test_eos_banner_ntp_and_what_ansible_asks_for() -> None:
    cli, state = _cli("dist-eos")
    replies = _run(
        cli,
        "configure",
        "banner motd",
        "Maintenance on Saturday",
        "EOF",
        "no snmp-server community CANARY-snmp-dist-eos",
        "ntp server 192.0.2.1",
        "end",
    )
    assert replies[1] == "Enter TEXT message. Type 'EOF' on its own line to end.\n"
    assert cli.handle("show banner motd").text == "Maintenance on Saturday\n"
    running = state.output("show running-config") or ""
    assert "\nbanner motd\nMaintenance on Saturday\nEOF\n" in running
    assert "snmp-server community" not in running
    assert "ntp server 10.10.50.2\nntp server 192.0.2.1\n" in running
    version = json.loads(cli.handle("show version | json").text)
    assert (version["modelName"], version["version"]) == ("DCS-7050SX3-48YC8-R", "4.30.4M")
    assert json.loads(cli.handle("show hostname | json").text)["hostname"] == "dist-eos"
    boot = cli.handle("bash timeout 5 cat /mnt/flash/boot-config").text
    assert boot == "SWI=flash:/EOS-4.30.4M.swi\n"
    section = cli.handle("show running-config section management ssh").text
    assert section == "management ssh\n   idle-timeout 15\n"


# --- over SSH: netmiko, new sessions, the SSH banner ------------------------------------------


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[dict[str, Any]]:
    handle = start([sim_device("branch-rtr"), sim_device("dist-eos")], journal_dir=tmp_path)
    try:
        yield {rd.name: rd for rd in handle.devices}
    finally:
        handle.stop()


def _netmiko(rd: Any) -> Any:
    return ConnectHandler(
        device_type=rd.platform,
        host=rd.host,
        port=rd.port,
        username=rd.device.username,
        password=rd.device.password,
        secret=rd.device.enable_password,
        conn_timeout=5,
    )


@pytest.mark.integration
def test_changes_made_in_one_session_show_in_the_next(sims: dict[str, Any], tmp_path: Path) -> None:
    rd = sims["branch-rtr"]
    with socket.create_connection((rd.host, rd.port), timeout=5) as s:
        assert s.recv(64).startswith(b"SSH-1.99-Cisco-1.25")
    conn = _netmiko(rd)
    try:
        conn.enable()
        conn.send_config_set(["ip ssh version 2", "line vty 0 4", "transport input ssh"])
        conn.save_config()
    finally:
        conn.disconnect()
    with socket.create_connection((rd.host, rd.port), timeout=5) as s:
        assert s.recv(64).startswith(b"SSH-2.0-Cisco-1.25")  # as configured now
    conn = _netmiko(rd)
    try:
        conn.enable()
        running = conn.send_command("show running-config")
        assert "ip ssh version 2" in running and " transport input ssh" in running
        assert conn.send_command("show ip ssh").startswith("SSH Enabled - version 2.0")
    finally:
        conn.disconnect()
    journal = [e["command"] for e in read_journal(tmp_path / "branch-rtr.jsonl")]
    start = journal.index("ip ssh version 2")
    assert journal[start - 1] == "configure terminal"
    assert journal[start : start + 4] == [
        "ip ssh version 2",
        "line vty 0 4",
        "transport input ssh",
        "end",
    ]
    assert "write mem" in journal  # netmiko's save_config on IOS


@pytest.mark.integration
def test_eos_changes_over_ssh_and_unsaved_diffs(sims: dict[str, Any]) -> None:
    rd = sims["dist-eos"]
    conn = _netmiko(rd)
    try:
        conn.enable()
        conn.send_config_set(["management ssh", "idle-timeout 10"])
        assert "+   idle-timeout 10" in conn.send_command("show running-config diffs")
        conn.save_config()
        assert conn.send_command("show running-config diffs").strip() == ""
    finally:
        conn.disconnect()
    assert "   idle-timeout 10\n" in (rd.running_config() or "")
