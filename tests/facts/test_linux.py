"""Linux normalizer: golden recorded hosts plus per-parser unit tests."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from verifier.facts import linux

RECORDED = Path(__file__).parent / "recorded"
# Fixed "today" for the goldens: Debian 12 standard support still runs, Ubuntu 16.04 is over.
TODAY = datetime.date(2026, 5, 1)
HOSTS = ["ubuntu-16.04", "debian-12", "rocky-9", "ubuntu-22.04-partial"]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return data


def _get(facts: dict[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def _absent(facts: dict[str, Any], path: str) -> bool:
    try:
        _get(facts, path)
    except KeyError:
        return True
    return False


@pytest.mark.parametrize("host", HOSTS)
def test_golden(host: str) -> None:
    facts, errors = linux.normalize(_load(f"{host}.json"), today=TODAY)
    golden = _load(f"{host}.facts.json")
    assert facts == golden["facts"]
    assert errors == golden["probe_errors"]
    json.dumps(facts)  # plain JSON


def test_ubuntu_1604_is_insecure() -> None:
    facts, _ = linux.normalize(_load("ubuntu-16.04.json"), today=TODAY)
    assert _get(facts, "os.eol.status") == "eol"
    assert _get(facts, "ssh.permit_root_login") == "yes"
    assert _get(facts, "ssh.password_authentication") is True
    assert "3des-cbc" in _get(facts, "ssh.ciphers")
    assert "hmac-md5" in _get(facts, "ssh.macs")
    assert "diffie-hellman-group1-sha1" in _get(facts, "ssh.kex_algorithms")
    assert _get(facts, "accounts.uid0_non_root") == ["toor"]
    assert _get(facts, "accounts.empty_password") == ["guest"]
    assert len(_get(facts, "accounts.nopasswd_sudo")) == 2
    assert _get(facts, "updates.pending_security") == 4
    assert _get(facts, "updates.auto_updates") is False
    assert _get(facts, "firewall.active") is False
    assert _get(facts, "firewall.product") == "none"
    assert _get(facts, "security_agents.installed") == []
    assert _absent(facts, "time.synchronized")  # timedatectl too old, no chrony


def test_debian_12_is_compliant() -> None:
    facts, errors = linux.normalize(_load("debian-12.json"), today=TODAY)
    assert errors == {}
    assert _get(facts, "firewall.product") == "nftables"
    assert _get(facts, "firewall.rule_count") == 5
    assert _get(facts, "disks.encryption.root_encrypted") is True
    assert _get(facts, "security_agents.running") == ["clamav"]
    assert _get(facts, "backup.running") == ["veeam"]
    assert _get(facts, "backup.last_success") == "2026-11-01T01:10:00"
    assert _get(facts, "updates.auto_updates") is True
    assert _get(facts, "time.ntp_service") == "chrony"


def test_rocky_9() -> None:
    facts, _ = linux.normalize(_load("rocky-9.json"), today=TODAY)
    assert _get(facts, "updates.pending") == 7
    assert _get(facts, "updates.pending_security") == 5
    assert _get(facts, "firewall.product") == "firewalld"
    assert _get(facts, "security_agents.installed") == ["crowdstrike"]
    assert _get(facts, "accounts.admins") == ["ops", "rocky"]
    assert _absent(facts, "hardware.serial")  # 'NA' without root


@pytest.mark.parametrize("path", [
    "ssh", "ssh.permit_root_login", "accounts.empty_password", "accounts.nopasswd_sudo",
    "updates", "updates.pending", "updates.auto_updates", "firewall", "firewall.active",
    "security_agents.installed", "backup.agents", "hardware.serial",
])
def test_failed_probes_leave_facts_absent(path: str) -> None:
    facts, errors = linux.normalize(_load("ubuntu-22.04-partial.json"), today=TODAY)
    assert _absent(facts, path)
    assert {"sshd", "updates", "accounts_shadow", "packages"} <= set(errors)


def test_partial_keeps_what_worked() -> None:
    facts, _ = linux.normalize(_load("ubuntu-22.04-partial.json"), today=TODAY)
    assert _get(facts, "accounts.admins") == ["azureuser"]
    assert _get(facts, "time.synchronized") is False
    assert _get(facts, "security_agents.running") == []
    assert _get(facts, "disks.encryption.root_encrypted") is False  # lsblk MOUNTPOINTS form


def test_empty_raw_gives_only_family() -> None:
    facts, errors = linux.normalize({}, today=TODAY)
    assert facts == {"os": {"family": "linux"}}
    assert errors == {}


def test_parser_crash_is_reported_not_raised() -> None:
    facts, errors = linux.normalize({"lsblk_json": "{not json", "probe_errors": {}},
                                    today=TODAY)
    assert "disks" not in facts
    assert errors["normalize_disks"].startswith("JSONDecodeError")


# ---------------------------------------------------------------- parser units

def test_parse_sshd_t_normalizes() -> None:
    ssh = linux.parse_sshd_T("permitrootlogin without-password\nmaxauthtries 3\n"
                             "passwordauthentication no\nciphers aes256-ctr\n")
    assert ssh == {"permit_root_login": "prohibit-password", "max_auth_tries": 3,
                   "password_authentication": False, "protocol": "2",
                   "ciphers": ["aes256-ctr"]}


def test_parse_sshd_config_first_wins_and_match_ignored() -> None:
    text = (
        "# verify: file /etc/ssh/sshd_config\n"
        "# verify: file /etc/ssh/sshd_config.d/50-cloud-init.conf\n"
        "PasswordAuthentication yes\n"
        "PasswordAuthentication no\n"
        "PermitRootLogin=no  # comment\n"
        "Ciphers +aes128-cbc\n"
        "Match User backup\n"
        "  PermitRootLogin yes\n"
        "  MaxAuthTries 10\n"
    )
    ssh = linux.parse_sshd_config(text)
    assert ssh == {"password_authentication": True, "permit_root_login": "no"}


@pytest.mark.parametrize(("lines", "expected"), [
    ([], (0, 0)),
    (["Inst a [1] (2 Debian-Security:12/stable-security [amd64])",
      "Inst b [1] (2 Debian:12.5/stable [amd64]) []",
      "Conf a (2 Debian-Security:12/stable-security [amd64])",
      "Inst c (1 Debian:12.5/stable [all])"], (3, 1)),
    (["Inst libssl1.0.0 [1.0.2g-1ubuntu4.15] (1.0.2g-1ubuntu4.20 Ubuntu:16.04/xenial-updates, "
      "Ubuntu:16.04/xenial-security [amd64]) []"], (1, 1)),
])
def test_parse_apt_simulation(lines: list[str], expected: tuple[int, int]) -> None:
    assert linux.parse_apt_simulation(lines) == expected


def test_parse_dnf_check_update() -> None:
    text = ("\nfoo.x86_64  1.0-1.el9  baseos\nvery-long-package-name.noarch\n"
            "      2.0-1.el9  appstream\nObsoleting Packages\nold.x86_64 1-1 baseos\n")
    assert linux.parse_dnf_check_update(100, text) == 2
    assert linux.parse_dnf_check_update(0, "") == 0
    with pytest.raises(ValueError):
        linux.parse_dnf_check_update(1, "Error: Failed to download metadata")


def test_parse_dnf_updateinfo() -> None:
    text = ("RLSA-2023:7877 Low/Sec.  openssl-1:3.0.7-25.el9_3.x86_64\n"
            "RLSA-2023:7877 Low/Sec.  openssl-1:3.0.7-25.el9_3.i686\n"
            "RLSA-2023:7549 Important/Sec. kernel-5.14.0-362.13.1.el9_3.x86_64\n")
    assert linux.parse_dnf_updateinfo(text) == 2


def test_parse_nft_json_and_ufw() -> None:
    doc: dict[str, Any] = {"nftables": [{"metainfo": {}}, {"table": {}}, {"chain": {}},
                                 {"rule": {}}, {"rule": {}}]}
    assert linux.parse_nft_json(json.dumps(doc)) == 2
    assert linux.parse_nft_json('{"nftables": [{"metainfo": {}}]}') == 0
    assert linux.parse_ufw_status("Status: active\n\nTo Action From\n") is True
    assert linux.parse_ufw_status("Status: inactive\n") is False
    assert linux.parse_ufw_status("") is None


def test_firewall_unknown_vs_none() -> None:
    denied = {"firewall_tools": ["nft"], "probe_errors": {"firewall_nft": "denied"}}
    facts, _ = linux.normalize(denied, today=TODAY)
    assert "firewall" not in facts
    facts, _ = linux.normalize({"firewall_tools": []}, today=TODAY)
    assert facts["firewall"] == {"product": "none", "rule_count": 0, "active": False}
    facts, _ = linux.normalize({"firewall_tools": ["ufw"], "ufw_status": "Status: active"},
                               today=TODAY)
    assert facts["firewall"] == {"product": "ufw", "active": True}


def test_parse_lsblk_mountpoints_and_unknown_root() -> None:
    doc = {"blockdevices": [{"name": "nvme0n1", "type": "disk", "children": [
        {"name": "nvme0n1p3", "type": "part", "fstype": "crypto_LUKS", "children": [
            {"name": "luks-3f2a", "type": "crypt", "mountpoints": ["/", "/home"]}]}]}]}
    assert linux.parse_lsblk(json.dumps(doc)) == (True, ["luks-3f2a"])
    assert linux.parse_lsblk('{"blockdevices": []}') == (None, [])


def test_time_parsers() -> None:
    assert linux.parse_timedatectl("NTP=yes\nNTPSynchronized=no\n") is False
    assert linux.parse_timedatectl("") is None
    assert linux.parse_chronyc_tracking("Leap status     : Not synchronised\n") is False
    assert linux.parse_chronyc_tracking("Leap status     : Normal\n") is True


def test_openntpd_is_told_apart_from_ntpd() -> None:
    raw = {"processes": ["ntpd"], "packages": {"openntpd": "6.8p1-4"}}
    facts, _ = linux.normalize(raw, today=TODAY)
    assert facts["time"] == {"ntp_service": "openntpd", "ntp_active": True}


def test_detect_agents_paths_binaries_and_truncated_comm() -> None:
    raw = {"packages": {"eset-efs": "9.0"}, "agent_paths": ["/usr/lib/Acronis"],
           "binaries": {"restic": "/usr/bin/restic"}, "processes": ["sentinelone-age"]}
    assert linux.detect_agents(linux.SECURITY_AGENTS, raw) == (
        ["eset", "sentinelone"], ["sentinelone"])
    assert linux.detect_agents(linux.BACKUP_AGENTS, raw) == (["acronis", "restic"], [])


def test_veeam_sessions_and_bios_date() -> None:
    text = ("Job name Type ID State Started at Finished at\n"
            "j Backup {1} Failed 2026-01-02 01:00 2026-01-02 01:05\n"
            "j Backup {2} Success 2026-01-01 01:00 2026-01-01 01:30:15\n")
    assert linux.parse_veeam_sessions(text) == "2026-01-01T01:30:15"
    assert linux.parse_veeam_sessions("Total amount: 0\n") is None
    assert linux.parse_bios_date("12/06/2019") == "2019-12-06"
    assert linux.parse_bios_date("13/45/2019") is None


def test_os_release_and_centos_stream_eol() -> None:
    raw = {"os_release": 'NAME="CentOS Stream"\nID="centos"\nVERSION_ID="8"\n'}
    facts, _ = linux.normalize(raw, today=TODAY)
    assert facts["os"]["eol"]["status"] == "eol"
    assert facts["os"]["eol"]["date"] == "2024-05-31"
    raw = {"os_release": 'NAME="Gentoo"\nID=gentoo\nVERSION_ID="2.15"\n'}
    facts, _ = linux.normalize(raw, today=TODAY)
    # Not in the dataset: absent, so the supported-OS check is unknown rather than failed.
    assert "eol" not in facts["os"]
