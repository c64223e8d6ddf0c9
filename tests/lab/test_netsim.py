"""Network device simulators (lab/netsim): real netmiko device classes against them.

Every session runs on 127.0.0.1 only. Timings are printed (terminal summary), never asserted.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from lab.netsim import (
    PLATFORM_COMMANDS,
    PROFILES,
    Behaviour,
    NetSim,
    RunningDevice,
    SimDevice,
    command_file_name,
    lab_devices,
    load_capture,
    sim_device,
    start,
)

pytestmark = pytest.mark.integration

HOST = "127.0.0.1"
# One profile per platform for the behaviour tests.
BY_PLATFORM = {
    "cisco_ios": "core-sw",
    "cisco_asa": "dc-asa",
    "fortinet": "edge-fw",
    "juniper_junos": "wan-junos",
    "arista_eos": "dist-eos",
    "mikrotik_routeros": "office-mikrotik",
}
# A command each platform rejects, and the error text the real device prints for it.
UNKNOWN = {
    "cisco_ios": ("show bogus", "% Invalid input detected at '^' marker."),
    "cisco_asa": ("show bogus", "ERROR: % Invalid input detected at '^' marker."),
    "fortinet": ("show bogus", "command parse error before 'bogus'\nCommand fail. Return code -61"),
    "juniper_junos": ("show bogus", "syntax error, expecting <command>."),
    "arista_eos": ("show bogus", "% Invalid input (at token 1: 'bogus')"),
    "mikrotik_routeros": ("/bogus print", "bad command name bogus (line 1 column 2)"),
}
TIMINGS: dict[str, float] = {}


def _label(kind: str, name: str) -> str:
    return f"{kind}:{name}"


@pytest.fixture(scope="module")
def sim(request: pytest.FixtureRequest) -> Iterator[dict[str, RunningDevice]]:
    devices = lab_devices(extras=True)
    for name in PROFILES:
        devices.append(
            sim_device(name, behaviour=Behaviour(hang_after_login=True), label=_label("hang", name))
        )
    devices += [
        sim_device("core-sw", behaviour=Behaviour(response_delay=0.3), label="slow-sw"),
        sim_device("dc-asa", behaviour=Behaviour(no_ssh_banner=True), label="silent-fw"),
        SimDevice(PROFILES["wan-junos"].folder, "root", "CANARY-pw-root", name="junos-root"),
        SimDevice(PROFILES["dc-asa"].folder, "netops", "CANARY-pw-dc-asa", name="asa-no-secret"),
        SimDevice(PROFILES["core-sw"].folder, "netops", "CANARY-pw-core-sw", name="ios-priv15"),
        SimDevice(PROFILES["dist-eos"].folder, "netops", "CANARY-pw-dist-eos", name="eos-priv15"),
    ]
    handle: NetSim = start(devices)
    yield {rd.name: rd for rd in handle.devices}
    handle.stop()
    _print_timings(request.config)


def _print_timings(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not TIMINGS:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line("netsim timings (login, enable, every contract command; not asserted):")
        for name, secs in sorted(TIMINGS.items()):
            reporter.write_line(f"  {name:<36} {secs:6.2f} s")


def _connect(rd: RunningDevice, **kw: Any) -> Any:
    params: dict[str, Any] = {
        "device_type": rd.platform,
        "host": HOST,
        "port": rd.port,
        "username": rd.device.username,
        "password": rd.device.password,
        "secret": rd.device.enable_password or "",
        "conn_timeout": 5,
        "auth_timeout": 5,
        "banner_timeout": 5,
    }
    params.update(kw)
    return ConnectHandler(**params)


def _norm(platform: str, text: str) -> str:
    text = text.replace("\r\n", "\n").rstrip("\n")
    # netmiko's MikroTik class strips surrounding whitespace of every output.
    return text.strip() if platform == "mikrotik_routeros" else text


def _bounded(fn: Callable[[], None], seconds: float) -> BaseException | None:
    """Run ``fn`` in a thread; the test fails instead of hanging if it takes longer."""
    box: list[BaseException | None] = [None]

    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            box[0] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds}s"
    return box[0]


# --- capture layout and profiles ---------------------------------------------------------------


def test_command_file_names_follow_the_contract() -> None:
    assert command_file_name("show running-config") == "show_running_config.txt"
    assert command_file_name("/ip service print") == "ip_service_print.txt"
    assert (
        command_file_name("show configuration | display set")
        == "show_configuration_display_set.txt"
    )
    assert command_file_name("show") == "show.txt"


# Outputs a lab device may carry beyond the collection contract: what its simulator serves to
# configuration tools (the saved configuration, which `write memory` replaces).
SIMULATOR_ONLY = {"cisco_ios": {"show_startup_config"}}


@pytest.mark.parametrize("name", list(PROFILES))
def test_profile_folders_are_complete(name: str) -> None:
    profile = PROFILES[name]
    cap = load_capture(profile.folder)
    assert (cap.platform, cap.hostname) == (profile.platform, name)
    assert cap.missing() == []
    contract = {command_file_name(c)[:-4] for c in PLATFORM_COMMANDS[profile.platform]}
    assert contract <= set(cap.outputs) <= contract | SIMULATOR_ONLY.get(profile.platform, set())
    everything = "\n".join(cap.outputs.values())
    for secret in profile.secrets:  # the canary list matches the data
        assert secret in everything, secret
    for path in Path(profile.folder).glob("*.txt"):
        assert b"\r" not in path.read_bytes(), "store LF; the simulator sends CRLF"


# --- full sessions ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROFILES))
def test_netmiko_session_returns_every_output(sim: dict[str, RunningDevice], name: str) -> None:
    rd = sim[name]
    cap = load_capture(rd.device.folder)
    t0 = time.monotonic()
    conn = _connect(rd)
    try:
        if rd.device.enable_password:
            conn.enable()
            assert conn.check_enable_mode()
        for command in PLATFORM_COMMANDS[rd.platform]:
            out = conn.send_command(command, read_timeout=20)
            expected = cap.output(command)
            assert expected is not None
            assert _norm(rd.platform, out) == _norm(rd.platform, expected), command
    finally:
        conn.disconnect()
    TIMINGS[f"{rd.platform} ({name})"] = time.monotonic() - t0
    assert rd.stats["logins"] >= 1


@pytest.mark.parametrize("platform", list(BY_PLATFORM))
def test_unknown_command_gets_the_platform_error(
    sim: dict[str, RunningDevice], platform: str
) -> None:
    rd = sim[BY_PLATFORM[platform]]
    command, error = UNKNOWN[platform]
    conn = _connect(rd)
    try:
        if rd.device.enable_password:
            conn.enable()
        out = conn.send_command(command)
    finally:
        conn.disconnect()
    assert error in out.replace("\r\n", "\n")


@pytest.mark.parametrize("platform", list(BY_PLATFORM))
def test_wrong_password_is_rejected(sim: dict[str, RunningDevice], platform: str) -> None:
    rd = sim[BY_PLATFORM[platform]]
    with pytest.raises(NetmikoAuthenticationException):
        _connect(rd, password="not-the-password")
    assert rd.stats["auth_failures"] >= 1


def test_wrong_password_profile_rejects_the_profile_password(
    sim: dict[str, RunningDevice],
) -> None:
    rd = sim["wrong-pw-rtr"]
    with pytest.raises(NetmikoAuthenticationException):
        _connect(rd, password=PROFILES["branch-rtr"].password)


@pytest.mark.parametrize("name", list(PROFILES))
def test_hang_after_login_times_out(sim: dict[str, RunningDevice], name: str) -> None:
    rd = sim[_label("hang", name)]
    t0 = time.monotonic()
    error = _bounded(lambda: _connect(rd, read_timeout_override=1, conn_timeout=3), 60)
    TIMINGS[f"hang -> timeout ({name})"] = time.monotonic() - t0
    assert isinstance(error, NetmikoTimeoutException | ReadTimeout), repr(error)
    assert rd.stats["logins"] >= 1  # the password was accepted


def test_device_that_never_sends_a_banner(sim: dict[str, RunningDevice]) -> None:
    rd = sim["silent-fw"]
    error = _bounded(lambda: _connect(rd, banner_timeout=2, conn_timeout=2, auth_timeout=2), 30)
    assert isinstance(error, NetmikoTimeoutException), repr(error)


def test_slow_device_still_answers(sim: dict[str, RunningDevice]) -> None:
    rd = sim["slow-sw"]
    conn = _connect(rd)
    try:
        conn.enable()
        t0 = time.monotonic()
        out = conn.send_command("show ip ssh", read_timeout=20)
        elapsed = time.monotonic() - t0
    finally:
        conn.disconnect()
    assert out.startswith("SSH Enabled - version 2.0")
    assert elapsed >= 0.3


# --- platform behaviour netmiko depends on ----------------------------------------------------


def test_junos_root_starts_in_the_shell(sim: dict[str, RunningDevice]) -> None:
    rd = sim["junos-root"]
    conn = _connect(rd)
    try:
        assert conn.base_prompt == "root@wan-junos"
        assert "Junos: 23.4R2-S3.9" in conn.send_command("show version")
    finally:
        conn.disconnect()


def test_asa_without_enable_secret_uses_login(sim: dict[str, RunningDevice]) -> None:
    rd = sim["asa-no-secret"]
    conn = _connect(rd)  # netmiko's CiscoAsaSSH runs `login` when no secret is given
    try:
        assert conn.check_enable_mode()
        assert "Current privilege level : 15" in conn.send_command("show curpriv")
        assert conn.send_command("show startup-config").startswith(": Saved")
    finally:
        conn.disconnect()


@pytest.mark.parametrize("name", ["ios-priv15", "eos-priv15"])
def test_privilege_15_user_starts_enabled(sim: dict[str, RunningDevice], name: str) -> None:
    conn = _connect(sim[name])
    try:
        assert conn.check_enable_mode()
        assert conn.send_command("show running-config").startswith(("Building", "! Command"))
    finally:
        conn.disconnect()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("core-sw", "% Invalid input detected at '^' marker."),
        ("dist-eos", "% Invalid input (privileged mode required)"),
    ],
)
def test_privileged_commands_need_enable(
    sim: dict[str, RunningDevice], name: str, error: str
) -> None:
    conn = _connect(sim[name], secret="")
    try:
        assert not conn.check_enable_mode()
        assert error in conn.send_command("show running-config")
    finally:
        conn.disconnect()


def _raw_shell(rd: RunningDevice) -> tuple[paramiko.SSHClient, Any]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        HOST,
        port=rd.port,
        username=rd.device.username,
        password=rd.device.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    chan = client.invoke_shell(width=80, height=24)
    chan.settimeout(5)
    return client, chan


def _read_until(chan: Any, pattern: str, seconds: float = 5) -> str:
    buf, deadline = "", time.monotonic() + seconds
    while not re.search(pattern, buf):
        assert time.monotonic() < deadline, f"{pattern!r} not seen in {buf[-300:]!r}"
        buf += chan.recv(65536).decode()
    return buf


def test_ios_pages_until_terminal_length_0(sim: dict[str, RunningDevice]) -> None:
    rd = sim["ios-priv15"]
    client, chan = _raw_shell(rd)
    try:
        _read_until(chan, r"core-sw#$")
        chan.send("show running-config\n")
        first = _read_until(chan, r" --More-- $")
        assert "\r\n" in first and "Building configuration..." in first
        chan.send(" ")
        _read_until(chan, r" --More-- $")
        chan.send("q")
        _read_until(chan, r"core-sw#$")
        chan.send("terminal length 0\n")
        _read_until(chan, r"core-sw#$")
        chan.send("show running-config\n")
        full = _read_until(chan, r"\nend\r\ncore-sw#$", seconds=10)
        assert "--More--" not in full
    finally:
        client.close()


def test_asa_starts_unprivileged(sim: dict[str, RunningDevice]) -> None:
    client, chan = _raw_shell(sim["dc-asa"])
    try:
        assert "Type help or '?' for a list of available commands." in _read_until(
            chan, r"dc-asa> $"
        )
        chan.send("show running-config\n")
        out = _read_until(chan, r"dc-asa> $")
        assert "ERROR: % Invalid input detected at '^' marker." in out
        chan.send("enable\n")
        _read_until(chan, r"Password: $")
        chan.send("wrong\n")
        _read_until(chan, r"Invalid password\r\nPassword: $")
        chan.send(PROFILES["dc-asa"].enable_password + "\n")
        _read_until(chan, r"dc-asa# $")
    finally:
        client.close()


def test_fortios_pages_until_output_standard(sim: dict[str, RunningDevice]) -> None:
    client, chan = _raw_shell(sim["old-fw"])
    try:
        _read_until(chan, r"old-fw # $")
        chan.send("show\n")
        _read_until(chan, r"--More-- $")
        chan.send("q")
        _read_until(chan, r"old-fw # $")
        for line, prompt in [
            ("config system console", r"old-fw \(console\) # $"),
            ("set output standard", r"old-fw \(console\) # $"),
            ("end", r"old-fw # $"),
        ]:
            chan.send(line + "\n")
            _read_until(chan, prompt)
        chan.send("show\n")
        assert "--More--" not in _read_until(chan, r"\nend\r\nold-fw # $", seconds=10)
    finally:
        client.close()


def test_exec_channel_runs_one_command(sim: dict[str, RunningDevice]) -> None:
    rd = sim["office-mikrotik"]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        HOST,
        port=rd.port,
        username=rd.device.username + "+ct511w4098h",
        password=rd.device.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    try:
        _, stdout, _ = client.exec_command("/system identity print", timeout=5)
        assert stdout.read().decode() == "  name: office-mikrotik\r\n"
        assert stdout.channel.recv_exit_status() == 0
    finally:
        client.close()


def test_only_loopback_is_bound(sim: dict[str, RunningDevice]) -> None:
    for rd in sim.values():
        assert rd.host == HOST
    with socket.create_connection((HOST, sim["core-sw"].port), timeout=5) as s:
        assert s.recv(64).startswith(b"SSH-2.0-Cisco-1.25")
    with socket.create_connection((HOST, sim["branch-rtr"].port), timeout=5) as s:
        assert s.recv(64).startswith(b"SSH-1.99-Cisco-1.25")


def test_concurrent_sessions(sim: dict[str, RunningDevice]) -> None:
    """Every profile at once, as the collector's thread pool does."""
    errors: list[BaseException] = []

    def session(name: str) -> None:
        rd = sim[name]
        try:
            conn = _connect(rd)
            try:
                if rd.device.enable_password:
                    conn.enable()
                assert conn.send_command(PLATFORM_COMMANDS[rd.platform][0])
            finally:
                conn.disconnect()
        except BaseException as exc:
            errors.append(exc)

    t0 = time.monotonic()
    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in PROFILES]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    TIMINGS[f"{len(threads)} devices concurrently"] = time.monotonic() - t0
    assert not any(t.is_alive() for t in threads)
    assert errors == []
