"""The network roles applied with the real ansible-playbook (ansible.netcommon.network_cli,
cisco.ios / arista.eos modules) to the lab's SSH device simulators: the configuration commands
each device received (its journal), verify's own CLI before and after (fail -> pass), and a
second run that changes nothing and sends no configuration command.

Devices: branch-rtr (IOS 15.2, fails every management check), dist-eos (EOS 4.30, plain-HTTP
eAPI and unsaved), core-sw (IOS XE, compliant), wan-junos and old-fw (Junos and FortiOS, which
these roles do not configure)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import lab
from lab.netsim import PROFILES, RunningDevice, read_journal, sim_device, start
from tests.integration.verify_run import Run, run_verify
from tests.roles.role_helpers import RECAP

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "roles"
BIN = Path(sys.executable).parent
NETWORK_OS = {
    "cisco_ios": "cisco.ios.ios",
    "arista_eos": "arista.eos.eos",
    "fortinet": "fortinet.fortios.fortios",
    "juniper_junos": "junipernetworks.junos.junos",
}
SECRETS = sorted({s for p in PROFILES.values() for s in p.canaries})
BANNER = "Authorised access only.\nActivity on this device is logged."


@dataclass
class Devices:
    sims: dict[str, RunningDevice]
    journals: Path
    inventory: Path
    workdir: Path

    def config_lines(self, name: str, since: int = 0) -> list[tuple[tuple[str, ...], str]]:
        """(context, command) of every configuration-mode line `name` received, without the
        `end` that closes each change and without EOS session bookkeeping."""
        out = []
        for entry in self.journal(name)[since:]:
            command = entry["command"]
            if entry["mode"] != "config" or command in ("end", "commit", "abort"):
                continue
            if command.startswith("show "):
                continue
            out.append((tuple(entry.get("context") or ()), command))
        return out

    def saves(self, name: str, since: int = 0) -> list[str]:
        return [
            e["command"]
            for e in self.journal(name)[since:]
            if e["mode"] == "exec" and e["command"].startswith(("copy", "write"))
        ]

    def journal(self, name: str) -> list[dict[str, Any]]:
        return read_journal(self.journals / f"{name}.jsonl")


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[Devices]:
    """Fresh simulators (their configuration changes live in this process) and an inventory."""
    names = ["branch-rtr", "dist-eos", "core-sw", "wan-junos", "old-fw"]
    journals = tmp_path / "journal"
    handle = start([sim_device(n) for n in names], journal_dir=journals)
    try:
        sims = {rd.name: rd for rd in handle.devices}
        hosts: dict[str, Any] = {}
        for name, rd in sims.items():
            profile = PROFILES[name]
            hosts[name] = {
                "ansible_host": rd.host,
                "ansible_port": rd.port,
                "ansible_user": profile.username,
                "ansible_password": profile.password,
                "ansible_network_os": NETWORK_OS[rd.platform],
            }
            if profile.enable_password:
                hosts[name]["ansible_become_password"] = profile.enable_password
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(yaml.safe_dump({"network": {"hosts": hosts}}), encoding="utf-8")
        yield Devices(sims, journals, inventory, tmp_path)
    finally:
        handle.stop()


@dataclass(frozen=True)
class Applied:
    returncode: int
    output: str
    recap: dict[str, dict[str, int]]


def apply(
    devices: Devices, role: str, role_vars: dict[str, Any], hosts: str, *args: str
) -> Applied:
    playbook = devices.workdir / f"apply-{role}.yml"
    play = {
        "name": f"Apply {role}",
        "hosts": hosts,
        "gather_facts": False,
        "connection": "ansible.netcommon.network_cli",
        "become": True,
        "become_method": "ansible.netcommon.enable",
        "roles": [{"role": str(ROLES / role), "vars": role_vars}],
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(devices.inventory), str(playbook), *args],
        capture_output=True,
        text=True,
        env=lab.ansible_env(devices.workdir / "ansible", BIN),
        cwd=devices.workdir,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    recap = {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
        for m in RECAP.finditer(output)
    }
    for secret in SECRETS:
        assert secret not in output, secret[:14]
    return Applied(proc.returncode, output, recap)


def verify(devices: Devices, label: str, hosts: str) -> Run:
    return run_verify(devices.inventory, devices.workdir / label, "-l", hosts, "--format", "json")


# --- network_management_plane ----------------------------------------------------------------

MGMT_VARS = {
    "network_telnet_enabled": False,
    "network_http_enabled": False,
    "network_ssh_version": "2",
    "network_idle_timeout_minutes": 10,
    "network_login_banner": BANNER,
}
MGMT_CHECKS = (
    "net.mgmt.telnet_disabled",
    "net.mgmt.http_disabled",
    "net.mgmt.ssh_v2",
    "net.mgmt.idle_timeout",
    "net.mgmt.login_banner",
)


def test_management_plane_on_ios_and_eos(devices: Devices) -> None:
    before = verify(devices, "before", "branch-rtr,dist-eos")
    assert {c: before.status("branch-rtr", c) for c in MGMT_CHECKS} == dict.fromkeys(
        MGMT_CHECKS, "fail"
    )
    assert before.status("dist-eos", "net.mgmt.http_disabled") == "fail"

    first = apply(devices, "network_management_plane", MGMT_VARS, "branch-rtr,dist-eos")
    assert first.returncode == 0, first.output
    assert first.recap["branch-rtr"]["changed"] == 6  # five settings and the save
    assert devices.config_lines("branch-rtr") == [
        ((), "line vty 0 4"),
        (("line vty 0 4",), "transport input ssh"),
        ((), "no ip http server"),
        ((), "ip ssh version 2"),
        ((), "line vty 0 4"),
        (("line vty 0 4",), "exec-timeout 10 0"),
        ((), "banner login @"),
        ((), "Authorised access only."),
        ((), "Activity on this device is logged."),
        ((), "@"),
    ]
    assert devices.saves("branch-rtr") == ["copy running-config startup-config"]
    # EOS: one configuration session per change; telnet is already shut down there.
    assert devices.config_lines("dist-eos") == [
        ((), "management api http-commands"),
        (("management api http-commands",), "no protocol http"),
        ((), "management ssh"),
        (("management ssh",), "idle-timeout 10"),
        ((), "banner login"),
        ((), "Authorised access only."),
        ((), "Activity on this device is logged."),
        ((), "EOF"),
    ]
    assert [e["command"] for e in devices.journal("dist-eos") if e["mode"] == "exec"][-1] == (
        "copy running-config startup-config"
    )

    after = verify(devices, "after", "branch-rtr,dist-eos")
    assert {c: after.status("branch-rtr", c) for c in MGMT_CHECKS} == dict.fromkeys(
        MGMT_CHECKS, "pass"
    )
    assert after.status("dist-eos", "net.mgmt.http_disabled") == "pass"
    for host in ("branch-rtr", "dist-eos"):  # the role saved what it changed
        assert after.status(host, "net.config.saved") == "pass", host

    seen = {n: len(devices.journal(n)) for n in ("branch-rtr", "dist-eos")}
    second = apply(devices, "network_management_plane", MGMT_VARS, "branch-rtr,dist-eos")
    assert second.returncode == 0, second.output
    assert {h: r["changed"] for h, r in second.recap.items()} == {"branch-rtr": 0, "dist-eos": 0}
    for name, count in seen.items():
        assert devices.journal(name)[count:] == [], name  # not even `configure terminal`


def test_a_compliant_device_receives_no_configuration(devices: Devices) -> None:
    # core-sw has its own banner text: the banner variable would replace it, so it is left out.
    compliant = {k: v for k, v in MGMT_VARS.items() if k != "network_login_banner"}
    result = apply(devices, "network_management_plane", compliant, "core-sw")
    assert result.returncode == 0, result.output
    assert result.recap["core-sw"]["changed"] == 0
    assert devices.journal("core-sw") == []


def test_check_mode_changes_nothing(devices: Devices) -> None:
    captured = {n: devices.sims[n].running_config() for n in ("branch-rtr", "dist-eos")}
    result = apply(
        devices, "network_management_plane", MGMT_VARS, "branch-rtr,dist-eos", "--check", "--diff"
    )
    assert result.returncode == 0, result.output
    assert result.recap["branch-rtr"]["changed"] >= 5
    assert devices.journal("branch-rtr") == []  # ios_config only compares in check mode
    # EOS checks in a configuration session and aborts it.
    exec_lines = [e["command"] for e in devices.journal("dist-eos") if e["mode"] == "config"]
    assert "abort" in exec_lines and "commit" not in exec_lines
    for name, text in captured.items():
        assert devices.sims[name].running_config() == text, name


# --- network_snmp ----------------------------------------------------------------------------


def test_snmp_removes_only_the_default_community(devices: Devices) -> None:
    before = verify(devices, "before", "branch-rtr")
    assert before.status("branch-rtr", "net.snmp.no_default_community") == "fail"
    variables = {"network_snmp_remove_default_communities": True}
    first = apply(devices, "network_snmp", variables, "branch-rtr,dist-eos")
    assert first.returncode == 0, first.output
    assert devices.config_lines("branch-rtr") == [((), "no snmp-server community public")]
    assert devices.journal("dist-eos") == []  # its only community is not a default one
    running = devices.sims["branch-rtr"].running_config() or ""
    assert "snmp-server community CANARY-snmp-branch-rtr RW" in running  # left alone
    after = verify(devices, "after", "branch-rtr")
    assert after.status("branch-rtr", "net.snmp.no_default_community") == "pass"
    assert after.status("branch-rtr", "net.snmp.v3_only") == "fail"  # manual by design
    seen = len(devices.journal("branch-rtr"))
    second = apply(devices, "network_snmp", variables, "branch-rtr,dist-eos")
    assert second.recap["branch-rtr"]["changed"] == 0, second.output
    assert devices.journal("branch-rtr")[seen:] == []


# --- network_ntp_syslog -----------------------------------------------------------------------


def test_ntp_and_syslog_servers_are_added_once(devices: Devices) -> None:
    variables = {
        "network_ntp_servers": ["10.20.0.10", "10.10.50.1"],
        "network_syslog_hosts": ["10.20.0.30"],
    }
    before = verify(devices, "before", "branch-rtr")
    assert before.status("branch-rtr", "net.ntp.configured") == "fail"
    assert before.status("branch-rtr", "net.logging.syslog") == "fail"
    first = apply(devices, "network_ntp_syslog", variables, "branch-rtr,dist-eos")
    assert first.returncode == 0, first.output
    assert devices.config_lines("branch-rtr") == [
        ((), "ntp server 10.20.0.10"),
        ((), "ntp server 10.10.50.1"),
        ((), "logging host 10.20.0.30"),
    ]
    # dist-eos already has 10.10.50.1 (with `prefer`): only the missing ones, in one session.
    assert devices.config_lines("dist-eos") == [
        ((), "ntp server 10.20.0.10"),
        ((), "logging host 10.20.0.30"),
    ]
    assert "ntp server 10.10.50.1 prefer" in (devices.sims["dist-eos"].running_config() or "")
    after = verify(devices, "after", "branch-rtr,dist-eos")
    assert after.status("branch-rtr", "net.ntp.configured") == "pass"
    assert after.status("branch-rtr", "net.logging.syslog") == "pass"
    assert after.status("branch-rtr", "net.config.saved") == "pass"
    assert after.status("dist-eos", "net.config.saved") == "pass"
    second = apply(devices, "network_ntp_syslog", variables, "branch-rtr,dist-eos")
    assert {h: r["changed"] for h, r in second.recap.items()} == {"branch-rtr": 0, "dist-eos": 0}


def test_placeholder_addresses_are_refused(devices: Devices) -> None:
    variables = {"network_ntp_servers": ["192.0.2.123"], "network_syslog_hosts": ["192.0.2.50"]}
    refused = apply(devices, "network_ntp_syslog", variables, "branch-rtr")
    assert refused.returncode != 0 and refused.recap["branch-rtr"]["failed"] == 1
    assert "refuses documentation addresses" in refused.output
    assert devices.journal("branch-rtr") == []
    allowed = apply(
        devices,
        "network_ntp_syslog",
        {**variables, "network_ntp_syslog_allow_documentation_addresses": True},
        "branch-rtr",
    )
    assert allowed.returncode == 0, allowed.output
    assert devices.config_lines("branch-rtr") == [
        ((), "ntp server 192.0.2.123"),
        ((), "logging host 192.0.2.50"),
    ]


# --- network_config_save -----------------------------------------------------------------------


def test_config_save_saves_only_unsaved_devices(devices: Devices) -> None:
    before = verify(devices, "before", "branch-rtr,dist-eos,core-sw")
    assert before.status("branch-rtr", "net.config.saved") == "fail"
    assert before.status("dist-eos", "net.config.saved") == "fail"
    assert before.status("core-sw", "net.config.saved") == "pass"
    first = apply(devices, "network_config_save", {}, "branch-rtr,dist-eos,core-sw")
    assert first.returncode == 0, first.output
    assert {h: r["changed"] for h, r in first.recap.items()} == {
        "branch-rtr": 1,
        "dist-eos": 1,
        "core-sw": 0,
    }
    ios = [(e["command"], e.get("answer_to")) for e in devices.journal("branch-rtr")]
    assert ios == [
        ("copy running-config startup-config", None),
        ("", "Destination filename [startup-config]? "),
    ]
    assert devices.saves("dist-eos") == ["copy running-config startup-config"]
    assert devices.journal("core-sw") == []
    after = verify(devices, "after", "branch-rtr,dist-eos")
    assert after.status("branch-rtr", "net.config.saved") == "pass"
    assert after.status("dist-eos", "net.config.saved") == "pass"
    second = apply(devices, "network_config_save", {}, "branch-rtr,dist-eos")
    assert {h: r["changed"] for h, r in second.recap.items()} == {"branch-rtr": 0, "dist-eos": 0}


# --- platforms the roles do not configure -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "variables"),
    [
        ("network_management_plane", {"network_telnet_enabled": False}),
        ("network_snmp", {"network_snmp_remove_default_communities": True}),
        ("network_ntp_syslog", {"network_ntp_servers": ["10.20.0.10"]}),
        ("network_config_save", {}),
    ],
)
def test_an_unsupported_platform_fails_clearly(
    devices: Devices, role: str, variables: dict[str, Any]
) -> None:
    result = apply(devices, role, variables, "wan-junos")
    assert result.returncode != 0
    assert result.recap["wan-junos"]["failed"] == 1 and result.recap["wan-junos"]["changed"] == 0
    assert "Arista EOS (arista.eos.eos) only; wan-junos has ansible_network_os" in result.output
    assert "junipernetworks.junos.junos. Fix this device by hand" in result.output
    assert devices.journal("wan-junos") == []
    vars_file = yaml.safe_load((ROLES / role / "vars" / "main.yml").read_text(encoding="utf-8"))
    assert vars_file[f"{role}_platforms"] == ["ios", "eos"]  # what the planner reads


def test_fortios_over_network_cli_is_refused_by_ansible(devices: Devices) -> None:
    """netcommon has no FortiOS CLI plugin: the connection fails before any task (the planner
    lists such devices as manual actions when it knows their platform)."""
    result = apply(
        devices, "network_snmp", {"network_snmp_remove_default_communities": True}, "old-fw"
    )
    assert result.returncode != 0 and result.recap["old-fw"]["unreachable"] == 1
    assert "network os fortinet.fortios.fortios is not supported" in result.output
    assert devices.journal("old-fw") == []


def test_role_outputs_never_show_device_secrets(devices: Devices) -> None:
    """apply() checks every run's output; this one adds -v, where results are printed whole."""
    result = apply(
        devices,
        "network_snmp",
        {"network_snmp_remove_default_communities": True},
        "branch-rtr,dist-eos",
        "-v",
    )
    assert result.returncode == 0, result.output
    assert "censored due to no_log" in result.output or "has been hidden" in result.output
    assert len(SECRETS) > 10
