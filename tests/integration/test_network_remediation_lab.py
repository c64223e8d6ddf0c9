"""Issue 6 for network devices, end to end with the real CLI: `verify baseline --remediation`
on the lab's old IOS router (branch-rtr), EOS switch (dist-eos) and old FortiGate (old-fw) ->
`verify remediate apply --check` (nothing changes on the devices) -> `verify remediate apply`
(before/after table) -> `verify baseline` again: every automated network check passes; what
stays manual is listed in the playbook header; a second ansible-playbook run changes nothing.

The devices are the lab's SSH simulators, started here (their configuration changes live in
this test's process); every configuration command they receive is journaled."""

from __future__ import annotations

import json
import re
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
from tests.integration.verify_run import VERIFY

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
NETWORK_OS = {
    "cisco_ios": "cisco.ios.ios",
    "arista_eos": "arista.eos.eos",
    "fortinet": "fortinet.fortios.fortios",
}
SECRETS = sorted({s for p in PROFILES.values() for s in p.canaries})
AUTOMATED = {
    "branch-rtr": {
        "net.config.saved",
        "net.mgmt.telnet_disabled",
        "net.mgmt.http_disabled",
        "net.mgmt.ssh_v2",
        "net.mgmt.idle_timeout",
        "net.mgmt.login_banner",
        "net.snmp.no_default_community",
        "net.ntp.configured",
        "net.logging.syslog",
    },
    "dist-eos": {"net.config.saved", "net.mgmt.http_disabled"},
}
# Failing checks whose fix stays manual: by design (firmware, SNMPv3 keys, passwords, accounts)
# or because the device's platform has no automated fix (FortiOS).
MANUAL = {
    "branch-rtr": {
        "net.os.supported",
        "net.snmp.v3_only",
        "net.accounts.password_encryption",
        "net.accounts.no_default_admin",
    },
    "dist-eos": {"net.os.supported", "net.snmp.v3_only", "net.accounts.no_default_admin"},
}
RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)\s+", re.MULTILINE)


@dataclass
class Site:
    sims: dict[str, RunningDevice]
    inventory: Path
    journals: Path
    workdir: Path

    def journal(self, name: str) -> list[dict[str, Any]]:
        return read_journal(self.journals / f"{name}.jsonl")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    journals = tmp_path / "journal"
    handle = start(
        [sim_device("branch-rtr"), sim_device("dist-eos"), sim_device("old-fw")],
        journal_dir=journals,
    )
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
        hosts["old-fw"]["verify_class"] = "firewall"
        inventory = {
            "network": {
                "hosts": hosts,
                # msp-standard ships documentation addresses for NTP and syslog; a lab may use
                # them (a client network gets its own in an overlay baseline).
                "vars": {"network_ntp_syslog_allow_documentation_addresses": True},
            }
        }
        path = tmp_path / "inventory.yml"
        path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
        yield Site(sims, path, journals, tmp_path)
    finally:
        handle.stop()


def _run(site: Site, argv: list[str], label: str) -> subprocess.CompletedProcess[str]:
    env = lab.ansible_env(site.workdir / label, BIN)
    env["COLUMNS"] = "200"  # the before/after table on one line per check
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=site.workdir, timeout=900, check=False
    )
    for secret in SECRETS:
        assert secret not in proc.stdout + proc.stderr, (label, secret[:14])
    return proc


def _statuses(report: Path) -> dict[str, dict[str, str]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        h["name"]: {c["id"]: c["status"] for c in h["checks"] if c["id"].startswith("net.")}
        for h in document["hosts"]
    }


def _failing(statuses: dict[str, dict[str, str]], host: str) -> set[str]:
    return {c for c, s in statuses[host].items() if s == "fail"}


def test_network_verify_fix_reverify(site: Site) -> None:
    playbook = site.workdir / "remediation.yml"
    inventory = str(site.inventory)

    # 1. verify, and write the playbook for the failed checks.
    first = _run(
        site,
        [
            *VERIFY,
            "baseline",
            "-i",
            inventory,
            "--timeout",
            "5",
            "-o",
            "before.json",
            "--remediation",
            str(playbook),
        ],
        "v1",
    )
    assert first.returncode == 1, first.stdout + first.stderr
    before = _statuses(site.workdir / "before.json")
    for host in AUTOMATED:
        assert _failing(before, host) == AUTOMATED[host] | MANUAL[host], host
    assert "net.mgmt.telnet_disabled" in _failing(before, "old-fw")

    text = playbook.read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    [play] = yaml.safe_load(body.replace("!unsafe ", ""))
    assert play["name"] == "Remediate network devices"
    assert play["hosts"] == ["branch-rtr", "dist-eos"]  # not old-fw: nothing automated there
    assert play["connection"] == "ansible.netcommon.network_cli"
    assert (play["become"], play["become_method"]) == (True, "ansible.netcommon.enable")
    planned = {t["tags"][0] for t in play["tasks"]}
    assert planned == AUTOMATED["branch-rtr"] | AUTOMATED["dist-eos"]
    assert all("manual" not in t["tags"] for t in play["tasks"])
    flat = " ".join(line.lstrip("#").strip() for line in header.splitlines())
    for check in MANUAL["branch-rtr"]:
        assert f"{check} on branch-rtr" in flat, check
    assert "net.mgmt.telnet_disabled on old-fw" in flat
    assert "on FortiOS FortiOS is configured through its REST API" in flat

    # The playbook is valid for Ansible and passes ansible-lint's production profile.
    syntax = _run(
        site,
        [str(BIN / "ansible-playbook"), "-i", inventory, str(playbook), "--syntax-check"],
        "syntax",
    )
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    lint = _run(
        site,
        [str(BIN / "ansible-lint"), "-c", str(REPO / ".ansible-lint"), "--nocolor", str(playbook)],
        "lint",
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr

    # 2. Check mode: Ansible reports what it would change; the devices keep their configuration.
    running = {n: site.sims[n].running_config() for n in AUTOMATED}
    startup = {n: site.sims[n].state.output("show startup-config") for n in AUTOMATED}
    check = _run(
        site,
        [
            *VERIFY,
            "remediate",
            "apply",
            str(playbook),
            "-i",
            inventory,
            "--timeout",
            "5",
            "--check",
        ],
        "check",
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Check mode: nothing was changed" in check.stdout
    for name in AUTOMATED:
        assert site.sims[name].running_config() == running[name], name
        assert site.sims[name].state.output("show startup-config") == startup[name], name
    assert site.journal("branch-rtr") == []  # ios_config compares only, in check mode
    eos = [e["command"] for e in site.journal("dist-eos") if e["mode"] == "config"]
    assert "abort" in eos and "commit" not in eos  # a configuration session, thrown away

    # 3. Apply, with the before/after table of every automated check.
    seen = len(site.journal("dist-eos"))
    applied = _run(
        site,
        [*VERIFY, "remediate", "apply", str(playbook), "-i", inventory, "--timeout", "5"],
        "apply",
    )
    output = applied.stdout + applied.stderr
    assert applied.returncode == 0, output
    assert "ansible-playbook: successful" in applied.stdout
    for host, checks in AUTOMATED.items():
        for check_id in checks:
            row = next(
                (ln for ln in applied.stdout.splitlines() if host in ln and check_id in ln), None
            )
            assert row is not None, (host, check_id, applied.stdout)
            assert re.search(r"\bfail\b.*\bpass\b", row), row
    assert "11 of 11 failed checks now pass." in applied.stdout

    # What the devices received (their journals): the exact configuration lines.
    ios = [
        (tuple(e.get("context") or ()), e["command"])
        for e in site.journal("branch-rtr")
        if e["mode"] == "config" and e["command"] != "end"
    ]
    for expected in [
        (("line vty 0 4",), "transport input ssh"),
        ((), "no ip http server"),
        ((), "ip ssh version 2"),
        (("line vty 0 4",), "exec-timeout 10 0"),
        ((), "no snmp-server community public"),
        ((), "ntp server 192.0.2.123"),
        ((), "ntp server 192.0.2.124"),
        ((), "logging host 192.0.2.50"),
        ((), "banner login @"),
    ]:
        assert expected in ios, expected
    assert not any("CANARY" in command for _, command in ios)  # other secrets left alone
    eos = [e["command"] for e in site.journal("dist-eos")[seen:]]
    assert "no protocol http" in eos and "commit" in eos
    assert eos[-1] == "copy running-config startup-config"
    # old-fw got only what netmiko's FortiOS class sends when verify collects (the console output
    # mode, set back at logout; docs/network-collection.md), nothing from Ansible.
    netmiko_console = {"config system console", "set output standard", "set output more", "end"}
    assert {e["command"] for e in site.journal("old-fw")} <= netmiko_console

    # 4. An independent re-verify agrees; the manual ones still fail, as listed.
    again = _run(
        site, [*VERIFY, "baseline", "-i", inventory, "--timeout", "5", "-o", "after.json"], "v2"
    )
    assert again.returncode == 1  # the manual findings remain
    after = _statuses(site.workdir / "after.json")
    for host in AUTOMATED:
        assert {c: after[host][c] for c in AUTOMATED[host]} == dict.fromkeys(
            AUTOMATED[host], "pass"
        ), host
        assert _failing(after, host) == MANUAL[host], host

    # 5. Idempotence: a second run changes nothing and sends no configuration command.
    counts = {n: len(site.journal(n)) for n in AUTOMATED}
    second = _run(site, [str(BIN / "ansible-playbook"), "-i", inventory, str(playbook)], "a2")
    assert second.returncode == 0, second.stdout + second.stderr
    recap = {m["host"]: int(m["changed"]) for m in RECAP.finditer(second.stdout)}
    assert recap == {"branch-rtr": 0, "dist-eos": 0}, second.stdout
    for name, count in counts.items():
        assert site.journal(name)[count:] == [], name
