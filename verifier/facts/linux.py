"""Normalize the raw output of the `verify_linux_facts` module into Linux facts (docs/facts.md).

Every parser is a small pure function over one probe's raw text so it can be tested against
recorded output. A fact whose probe failed or is missing stays ABSENT: nothing here defaults an
unknown to False, 0 or [] (see the "absent means unknown" rule in docs/facts.md).
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from verifier.facts.eol import lookup_os_eol

Facts = dict[str, Any]

# Values Ansible/DMI use for "no data"; they are unknown, not a vendor name.
_DMI_PLACEHOLDERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "none",
        "not specified",
        "to be filled by o.e.m.",
        "default string",
        "system product name",
        "system manufacturer",
        "0",
        "unknown",
    }
)


@dataclass(frozen=True)
class AgentSpec:
    """How one canonical agent shows up on a host (any hit means installed)."""

    packages: tuple[str, ...] = ()  # fnmatch patterns over installed package names
    processes: tuple[str, ...] = ()  # process names (comm or argv0 basename)
    paths: tuple[str, ...] = ()  # install directories
    binaries: tuple[str, ...] = ()  # executables found on PATH


SECURITY_AGENTS: dict[str, AgentSpec] = {
    "clamav": AgentSpec(
        ("clamav", "clamav-daemon", "clamd", "clamav-freshclam", "clamav-server"),
        ("clamd", "freshclam"),
        (),
        ("clamscan",),
    ),
    "defender": AgentSpec(("mdatp",), ("wdavdaemon",), ("/opt/microsoft/mdatp",)),
    "crowdstrike": AgentSpec(
        ("falcon-sensor",), ("falcon-sensor", "falcond"), ("/opt/CrowdStrike",)
    ),
    "sentinelone": AgentSpec(
        ("sentinelagent", "SentinelAgent"),
        ("sentinelone-agent", "s1-agent", "sentinelone-age"),
        ("/opt/sentinelone",),
    ),
    "sophos": AgentSpec(
        ("sophos-spl",),
        ("sophos_threat_detector", "sophos_threat_d", "sophos-spl"),
        ("/opt/sophos-spl",),
    ),
    "eset": AgentSpec(("eset*", "eea", "efs"), ("esets", "oaeventd"), ("/opt/eset",)),
    "bitdefender": AgentSpec(
        ("bitdefender-security-tools",),
        ("bdsecd",),
        ("/opt/BitDefender", "/opt/bitdefender-security-tools"),
    ),
    "trendmicro": AgentSpec(("ds_agent",), ("ds_agent",), ("/opt/ds_agent",)),
}

BACKUP_AGENTS: dict[str, AgentSpec] = {
    "veeam": AgentSpec(
        ("veeam", "veeam-nosnap"), ("veeamservice",), ("/opt/veeam",), ("veeamconfig",)
    ),
    "acronis": AgentSpec(("acronis*",), ("acronis_mms",), ("/usr/lib/Acronis",)),
    "datto": AgentSpec(("datto*",), (), ("/opt/datto",)),
    "bacula": AgentSpec(("bacula-fd", "bacula-client"), ("bacula-fd",)),
    "restic": AgentSpec(("restic",), ("restic",), (), ("restic",)),
    "borg": AgentSpec(("borgbackup", "borg"), ("borg", "borgbackup"), (), ("borg", "borgbackup")),
    "duplicati": AgentSpec(
        ("duplicati",),
        ("duplicati-server", "Duplicati.Server"),
        ("/opt/duplicati", "/usr/lib/duplicati"),
    ),
    "urbackup": AgentSpec(
        ("urbackup-client",),
        ("urbackupclientbackend", "urbackupclientb"),
        ("/opt/urbackup",),
        ("urbackupclientctl",),
    ),
}

# Running daemon -> time service name; first hit wins (chrony is the modern default).
_NTP_DAEMONS = (
    ("chronyd", "chrony"),
    ("systemd-timesyncd", "systemd-timesyncd"),
    ("ntpd", "ntpd"),
    ("openntpd", "openntpd"),
)


# ---------------------------------------------------------------- small value helpers


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _clean(value: Any) -> str | None:
    """A real string value, or None for Ansible/DMI placeholders like 'NA'."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if value.lower() in _DMI_PLACEHOLDERS else value


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _put(target: Facts, key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _epoch_iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


# ---------------------------------------------------------------- parsers (pure)


def parse_os_release(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value.strip("\"'")]
        out[key.strip()] = words[0] if words else ""
    return out


def _bool_word(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value.strip().lower())


def _ssh_from_pairs(pairs: Iterable[tuple[str, str]], *, effective: bool) -> Facts:
    """First occurrence of each keyword wins, as in sshd itself."""
    seen: dict[str, str] = {}
    for key, value in pairs:
        seen.setdefault(key.lower(), value.strip())
    ssh: Facts = {}
    prl = seen.get("permitrootlogin", "").lower()
    if prl:
        ssh["permit_root_login"] = "prohibit-password" if prl == "without-password" else prl
    for key, fact in (
        ("passwordauthentication", "password_authentication"),
        ("permitemptypasswords", "permit_empty_passwords"),
        ("x11forwarding", "x11_forwarding"),
    ):
        if key in seen:
            _put(ssh, fact, _bool_word(seen[key]))
    if "maxauthtries" in seen:
        _put(ssh, "max_auth_tries", _int(seen["maxauthtries"]))
    if "protocol" in seen:
        ssh["protocol"] = seen["protocol"].replace(" ", "")
    elif effective:
        # OpenSSH >= 7.4 dropped protocol 1 and no longer prints the keyword.
        ssh["protocol"] = "2"
    for key, fact in (
        ("ciphers", "ciphers"),
        ("macs", "macs"),
        ("kexalgorithms", "kex_algorithms"),
    ):
        algos = seen.get(key, "")
        # '+x'/'-x'/'^x' modify a version-specific default we cannot see from the file.
        if algos and not (not effective and algos[0] in "+-^"):
            ssh[fact] = [item for item in algos.split(",") if item]
    return ssh


def parse_sshd_T(text: str) -> Facts:
    pairs = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if key:
            pairs.append((key, value))
    return _ssh_from_pairs(pairs, effective=True)


def parse_sshd_config(text: str) -> Facts:
    """Fallback when `sshd -T` failed: only what the files set explicitly (defaults unknown).

    Global settings only: a Match block runs until the next file marker written by the module.
    """
    pairs = []
    in_match = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# verify: file "):
            in_match = False
            continue
        if not stripped or stripped.startswith("#"):
            continue
        key, _, value = stripped.replace("=", " ", 1).partition(" ")
        if key.lower() == "match":
            in_match = True
        if in_match:
            continue
        pairs.append((key, value.split("#", 1)[0]))
    return _ssh_from_pairs(pairs, effective=False)


_APT_INST = re.compile(r"^Inst (\S+)(?: \[[^\]]*\])? \((.*)\)")


def parse_apt_simulation(lines: Iterable[str]) -> tuple[int, int]:
    """`apt-get -s dist-upgrade` Inst lines -> (pending, pending_security).

    "Inst libssl3 [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security
    [amd64])": the parenthesised origin list naming a *-security suite marks a security update.
    """
    pending: set[str] = set()
    security: set[str] = set()
    for line in lines:
        match = _APT_INST.match(line.strip())
        if not match:
            continue
        pending.add(match.group(1))
        if "security" in match.group(2).lower():
            security.add(match.group(1))
    return len(pending), len(security)


def parse_dnf_check_update(rc: int, text: str) -> int:
    """`dnf -q check-update`: exit 0 = none, 100 = 'name.arch version repo' lines follow."""
    if rc == 0:
        return 0
    if rc != 100:
        raise ValueError(f"dnf check-update exited {rc}")
    names: set[str] = set()
    carry: list[str] = []
    for line in text.splitlines():
        if line.strip().lower().startswith(("obsoleting packages", "security:")):
            if line.strip().lower().startswith("obsoleting"):
                break
            continue
        if line.strip().lower().startswith("last metadata expiration"):
            continue
        tokens = carry + line.split()
        carry = []
        if not tokens:
            continue
        if len(tokens) < 3:
            carry = tokens  # dnf wraps a long package name onto its own line
            continue
        if len(tokens) == 3 and "." in tokens[0]:
            names.add(tokens[0])
    return len(names)


_NEVRA = re.compile(
    r"^(?P<name>.+)-[^-]+-[^-]+\.(?:x86_64|noarch|aarch64|i686|ppc64le|s390x|"
    r"armv7hl|src)$"
)


def parse_dnf_updateinfo(text: str) -> int:
    """`dnf updateinfo list --security`: advisory, type, NEVRA per line -> distinct packages."""
    names: set[str] = set()
    for line in text.splitlines():
        for token in line.split()[1:]:
            match = _NEVRA.match(token)
            if match:
                names.add(match.group("name"))
                break
    return len(names)


_APT_PERIODIC = re.compile(r'Unattended-Upgrade\s+"([^"]*)"')


def parse_apt_periodic(lines: Iterable[str]) -> bool | None:
    """Last APT::Periodic::Unattended-Upgrade value wins (files are read in lexical order)."""
    value: str | None = None
    for line in lines:
        if "Periodic" not in line:
            continue
        match = _APT_PERIODIC.search(line)
        if match:
            value = match.group(1).strip().lower()
    if value is None:
        return None
    return value not in ("", "0", "false", "no", "off")


def parse_dnf_automatic(lines: Iterable[str]) -> bool | None:
    value: str | None = None
    for line in lines:
        key, _, val = line.partition("=")
        if key.strip() == "apply_updates":
            value = val.strip().lower()
    if value is None:
        return None
    return value in ("yes", "true", "1", "on")


def parse_nft_json(text: str) -> int:
    data = json.loads(text)
    items = data.get("nftables", []) if isinstance(data, dict) else []
    return sum(1 for item in items if isinstance(item, dict) and "rule" in item)


def parse_ufw_status(text: str) -> bool | None:
    for line in text.splitlines():
        if line.strip().lower().startswith("status:"):
            return line.split(":", 1)[1].strip().lower() == "active"
    return None


def parse_lsblk(text: str) -> tuple[bool | None, list[str]]:
    """`lsblk -J` tree -> (root on a crypt device?, dm-crypt device names).

    Root is encrypted when the node mounted at / or any of its parents is TYPE crypt
    (disk -> part[crypto_LUKS] -> crypt -> lvm[/] is the usual Debian/RHEL layout).
    """
    data = json.loads(text)
    luks: list[str] = []
    root: list[bool] = []

    def walk(nodes: Any, under_crypt: bool) -> None:
        if not isinstance(nodes, list):
            return
        for node in nodes:
            if not isinstance(node, dict):
                continue
            is_crypt = node.get("type") == "crypt"
            if is_crypt and isinstance(node.get("name"), str):
                luks.append(node["name"])
            mounts = node.get("mountpoints", [node.get("mountpoint")])
            if isinstance(mounts, list) and "/" in mounts:
                root.append(under_crypt or is_crypt)
            walk(node.get("children"), under_crypt or is_crypt)

    walk(data.get("blockdevices") if isinstance(data, dict) else None, False)
    return (any(root) if root else None), sorted(set(luks))


def parse_timedatectl(text: str) -> bool | None:
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "NTPSynchronized":
            return _bool_word(value)
    return None


def parse_chronyc_tracking(text: str) -> bool | None:
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "leap status":
            return value.strip().lower() != "not synchronised"
    return None


_VEEAM_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?")


def parse_veeam_sessions(text: str) -> str | None:
    """`veeamconfig session list`: newest 'Finished at' of a Success row, as ISO (host time)."""
    best: str | None = None
    for line in text.splitlines():
        if " Success " not in f" {line} ":
            continue
        stamps = _VEEAM_TIME.findall(line)
        if not stamps:
            continue
        finished = stamps[-1].replace(" ", "T")
        finished = finished if finished.count(":") == 2 else finished + ":00"
        if best is None or finished > best:
            best = finished
    return best


def parse_bios_date(value: str) -> str | None:
    """DMI MM/DD/YYYY -> YYYY-MM-DD."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value.strip())
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return None
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


def cpu_model(processor: Any) -> str | None:
    """Ansible's flat list ['0', 'GenuineIntel', 'Intel(R) Xeon(R) ...', '1', ...]."""
    if not isinstance(processor, list):
        return None
    vendors = {"GenuineIntel", "AuthenticAMD", "HygonGenuine", "CentaurHauls"}
    for item in processor:
        if isinstance(item, str) and not item.isdigit() and item not in vendors:
            return item.strip()
    return None


def detect_agents(
    specs: Mapping[str, AgentSpec], raw: Mapping[str, Any]
) -> tuple[list[str] | None, list[str] | None]:
    """(installed, running) canonical names; each None when its probes did not answer."""
    packages = raw.get("packages")
    paths = raw.get("agent_paths")
    binaries = raw.get("binaries")
    procs = raw.get("processes")
    proc_set = set(procs) if isinstance(procs, list) else None
    running = None
    if proc_set is not None:
        running = sorted(n for n, s in specs.items() if proc_set.intersection(s.processes))
    installed = None
    if isinstance(packages, dict) and isinstance(paths, list):
        path_set = set(paths)
        bins = set(binaries) if isinstance(binaries, dict) else set()
        found = set(running or [])
        for name, spec in specs.items():
            if (
                any(fnmatch.fnmatchcase(p, pat) for p in packages for pat in spec.packages)
                or path_set.intersection(spec.paths)
                or bins.intersection(spec.binaries)
            ):
                found.add(name)
        installed = sorted(found)
    return installed, running


# ---------------------------------------------------------------- sections


def _os(raw: Mapping[str, Any], af: Mapping[str, Any], today: datetime.date) -> Facts:
    osr = parse_os_release(raw["os_release"]) if isinstance(raw.get("os_release"), str) else {}
    out: Facts = {"family": "linux"}
    _put(out, "distribution", _clean(af.get("distribution")))
    os_id = (osr.get("ID") or "").lower() or None
    _put(out, "id", os_id)
    version = osr.get("VERSION_ID") or _clean(af.get("distribution_version"))
    _put(out, "version", version)
    if version:
        out["major_version"] = version.split(".")[0]
    else:
        _put(out, "major_version", _clean(af.get("distribution_major_version")))
    codename = (
        osr.get("VERSION_CODENAME")
        or osr.get("UBUNTU_CODENAME")
        or _clean(af.get("distribution_release"))
    )
    _put(out, "codename", codename)
    _put(out, "kernel", _clean(af.get("kernel")))
    _put(out, "arch", _clean(af.get("architecture")))
    if os_id and version:
        # CentOS Stream shares ID=centos with CentOS Linux but has its own lifecycle.
        key = (
            "centos-stream"
            if os_id == "centos" and "stream" in osr.get("NAME", "").lower()
            else os_id
        )
        info = lookup_os_eol(key, version, today)
        # A release the dataset does not know stays absent: its checks are unknown, not failed.
        if info.status != "unknown":
            eol: Facts = {"status": info.status, "source": info.source}
            _put(eol, "date", info.date.isoformat() if info.date else None)
            out["eol"] = eol
    return out


def _updates(raw: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    manager = raw.get("pkg_manager")
    if manager == "apt":
        lines = raw.get("apt_inst_lines")
        if isinstance(lines, list):
            out["pending"], out["pending_security"] = parse_apt_simulation(lines)
        status = _text(raw.get("unattended_upgrades_status"))
        periodic = raw.get("apt_periodic_unattended")
        if status is not None and isinstance(periodic, list):
            out["auto_updates"] = (
                status.strip() == "install ok installed" and parse_apt_periodic(periodic) is True
            )
        last = _text(raw.get("apt_history_last_end"))
        if last:
            # history.log writes "2024-03-01  10:22:33" (two spaces), in host local time.
            out["last_update"] = "T".join(last.split()[:2])
        elif isinstance(raw.get("dpkg_status_mtime"), int | float):
            out["last_update"] = _epoch_iso(raw["dpkg_status_mtime"])
    elif manager in ("dnf", "yum"):
        check = raw.get("dnf_check_update")
        if isinstance(check, dict):
            out["pending"] = parse_dnf_check_update(int(check["rc"]), str(check["stdout"]))
            sec = _text(raw.get("dnf_updateinfo_security"))
            if sec is not None:
                out["pending_security"] = min(parse_dnf_updateinfo(sec), out["pending"])
        installed = raw.get("dnf_automatic_installed")
        conf = raw.get("dnf_automatic_conf")
        if isinstance(installed, bool) and isinstance(conf, list):
            out["auto_updates"] = installed and parse_dnf_automatic(conf) is True
        epoch = _int(raw.get("rpm_last_install_epoch"))
        if epoch is not None:
            out["last_update"] = _epoch_iso(epoch)
    return out


def _firewall(raw: Mapping[str, Any], errors: Mapping[str, str]) -> Facts:
    counts: list[int] = []
    nft_count: int | None = None
    if isinstance(raw.get("nft_json"), str):
        nft_count = parse_nft_json(raw["nft_json"])
    elif _int(raw.get("nft_rule_count")) is not None:
        nft_count = _int(raw.get("nft_rule_count"))
    ipt_count = _int(raw.get("iptables_rule_count"))
    counts = [c for c in (nft_count, ipt_count) if c is not None]
    ufw = parse_ufw_status(raw["ufw_status"]) if isinstance(raw.get("ufw_status"), str) else None
    firewalld = (
        raw["firewalld_state"].strip() == "running"
        if isinstance(raw.get("firewalld_state"), str)
        else None
    )
    # iptables-nft rules appear in both listings: take the larger count, never the sum.
    rule_count = max(counts) if counts else None
    out: Facts = {}
    if firewalld:
        out["product"] = "firewalld"
    elif ufw:
        out["product"] = "ufw"
    elif nft_count:
        out["product"] = "nftables"
    elif ipt_count:
        out["product"] = "iptables"
    elif counts:
        out["product"] = "none"
    elif (
        "firewall_tools" in raw
        and not raw["firewall_tools"]
        and not any(k.startswith("firewall") for k in errors)
    ):
        # No firewall userland at all: nothing can have loaded rules the usual way.
        out["product"] = "none"
        rule_count = 0
    else:
        return {}  # every listing failed (usually: no root) -> unknown
    _put(out, "rule_count", rule_count)
    out["active"] = bool(firewalld or ufw or (rule_count or 0) > 0)
    return out


def _ssh(raw: Mapping[str, Any]) -> Facts:
    if isinstance(raw.get("sshd_t"), str):
        return parse_sshd_T(raw["sshd_t"])
    if isinstance(raw.get("sshd_config"), str):
        return parse_sshd_config(raw["sshd_config"])
    return {}


def _accounts(raw: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    groups = raw.get("admin_groups")
    if isinstance(groups, dict):
        members: set[str] = set()
        for line in groups.values():
            parts = str(line).split(":")
            if len(parts) >= 4:
                members.update(m.strip() for m in parts[3].split(",") if m.strip())
        primary = raw.get("admin_primary_members")
        if isinstance(primary, dict):
            for names in primary.values():
                members.update(str(n) for n in names)
        out["admins"] = sorted(members)
    uid0 = raw.get("uid0_accounts")
    if isinstance(uid0, list):
        out["uid0_non_root"] = sorted({str(n) for n in uid0} - {"root"})
    empty = raw.get("empty_password_accounts")
    if isinstance(empty, list):
        out["empty_password"] = sorted({str(n) for n in empty})
    rules = raw.get("sudoers_nopasswd")
    if isinstance(rules, list):
        out["nopasswd_sudo"] = [str(r) for r in rules]
    return out


_PSEUDO_FS = frozenset({"squashfs", "iso9660", "udf", "tmpfs", "devtmpfs", "overlay"})


def _disks(raw: Mapping[str, Any], af: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    mounts = af.get("mounts")
    if isinstance(mounts, list):
        filesystems: list[Facts] = []
        for m in mounts:
            device = str(m.get("device") or "")
            # Block-backed only; loop devices are snaps/images, not storage to watch.
            if not device.startswith("/dev/") or device.startswith("/dev/loop"):
                continue
            if m.get("fstype") in _PSEUDO_FS:
                continue
            total = _int(m.get("size_total"))
            avail = _int(m.get("size_available"))
            entry: Facts = {
                "mount": m.get("mount"),
                "device": device,
                "fstype": m.get("fstype"),
                "size_bytes": total,
            }
            if total and avail is not None:
                entry["used_percent"] = round((total - avail) * 100.0 / total, 1)
            filesystems.append(entry)
        out["filesystems"] = filesystems
        used = [f["used_percent"] for f in filesystems if "used_percent" in f]
        if used:
            out["max_used_percent"] = max(used)
    if isinstance(raw.get("lsblk_json"), str):
        root_enc, luks = parse_lsblk(raw["lsblk_json"])
        enc: Facts = {"luks_devices": luks}
        _put(enc, "root_encrypted", root_enc)
        out["encryption"] = enc
    return out


def _time(raw: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    procs = raw.get("processes")
    if isinstance(procs, list):
        running = set(procs)
        pkgs = raw.get("packages")
        packages: dict[str, Any] = pkgs if isinstance(pkgs, dict) else {}
        service = "none"
        for proc, name in _NTP_DAEMONS:
            if proc in running:
                # OpenNTPD's daemon is also called ntpd; its package tells them apart.
                service = "openntpd" if name == "ntpd" and "openntpd" in packages else name
                break
        out["ntp_service"] = service
        out["ntp_active"] = service != "none"
    synced: bool | None = None
    if isinstance(raw.get("timedatectl"), str):
        synced = parse_timedatectl(raw["timedatectl"])
    if synced is None and isinstance(raw.get("chronyc_tracking"), str):
        synced = parse_chronyc_tracking(raw["chronyc_tracking"])
    _put(out, "synchronized", synced)
    return out


def _hardware(af: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    _put(out, "vendor", _clean(af.get("system_vendor")))
    _put(out, "model", _clean(af.get("product_name")))
    _put(out, "serial", _clean(af.get("product_serial")))
    _put(out, "bios_vendor", _clean(af.get("bios_vendor")))
    _put(out, "bios_version", _clean(af.get("bios_version")))
    bios_date = _clean(af.get("bios_date"))
    _put(out, "bios_date", parse_bios_date(bios_date) if bios_date else None)
    role = af.get("virtualization_role")
    if role == "guest":
        out["virtual"] = True
    elif role in ("host", "NA") and "virtualization_type" in af:
        # Ansible ran its detection and found no hypervisor/container for this system.
        out["virtual"] = False
    _put(out, "cpu_model", cpu_model(af.get("processor")))
    cores, sockets = _int(af.get("processor_cores")), _int(af.get("processor_count"))
    if cores and sockets:
        out["cpu_cores"] = cores * sockets
    else:
        _put(out, "cpu_cores", _int(af.get("processor_vcpus")))
    _put(out, "memory_mb", _int(af.get("memtotal_mb")))
    return out


def normalize(
    raw: dict[str, Any], *, today: datetime.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Raw module output -> (facts, probe_errors) per docs/facts.md, Linux table."""
    errors = {str(k): str(v) for k, v in (raw.get("probe_errors") or {}).items()}
    af = raw.get("ansible_facts") if isinstance(raw.get("ansible_facts"), dict) else {}
    assert isinstance(af, dict)
    facts: Facts = {}

    def section(name: str, build: Callable[[], Facts]) -> None:
        # A parser choking on odd output loses its own section only, and says why.
        try:
            value = build()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            errors[f"normalize_{name}"] = f"{type(exc).__name__}: {exc}"[:200]
            return
        if value:
            facts[name] = value

    section("os", lambda: _os(raw, af, today))
    uptime = _int(af.get("uptime_seconds"))
    _put(facts, "uptime_seconds", uptime)
    section("updates", lambda: _updates(raw))
    section("firewall", lambda: _firewall(raw, errors))
    section("ssh", lambda: _ssh(raw))
    section("accounts", lambda: _accounts(raw))
    section("disks", lambda: _disks(raw, af))
    section("time", lambda: _time(raw))

    def security() -> Facts:
        out: Facts = {}
        installed, running = detect_agents(SECURITY_AGENTS, raw)
        _put(out, "installed", installed)
        _put(out, "running", running)
        return out

    def backup() -> Facts:
        out: Facts = {}
        installed, running = detect_agents(BACKUP_AGENTS, raw)
        _put(out, "agents", installed)
        _put(out, "running", running)
        if isinstance(raw.get("veeam_sessions"), str):
            _put(out, "last_success", parse_veeam_sessions(raw["veeam_sessions"]))
        return out

    section("security_agents", security)
    section("backup", backup)
    section("hardware", lambda: _hardware(af))
    return facts, errors
