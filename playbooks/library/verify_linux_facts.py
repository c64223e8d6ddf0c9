#!/usr/bin/python
"""Read-only raw data collection for `verify` (runs on the target host).

Runs every probe in one module call (one round trip, pipelining friendly) and returns the raw
outputs; all interpretation happens on the controller (verifier/facts/linux.py), so this file
stays small, auditable and compatible with Python >= 3.8 on the target.
"""

import fnmatch
import glob
import json
import os
import subprocess
import time

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: verify_linux_facts
short_description: Collect raw, read-only baseline data for the verify tool
description:
  - Runs a fixed set of read-only probes (see docs/linux-collection.md) and returns their raw
    output under C(verify_raw). Never changes the host. Each probe fails on its own and is
    reported in C(verify_raw.probe_errors).
  - Needs root (become) for /etc/shadow, sudoers, C(sshd -T), firewall rule listing and the DMI
    serial; without it those probes degrade to probe_errors.
options: {}
author: verify
"""

RETURN = r"""
verify_raw:
  description: Raw probe outputs, keyed by probe; see docs/linux-collection.md.
  returned: always
  type: dict
"""

RAW_VERSION = 1
CMD_TIMEOUT = 20
# apt/dnf may resolve large dependency trees or read metadata; give them more room.
PKG_TIMEOUT = 60
MAX_TEXT = 256 * 1024
MAX_JSON = 1024 * 1024
MAX_LINES = 5000
SYS_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

ADMIN_GROUPS = ("sudo", "wheel", "admin")

# Ansible fact keys the normalizer reads; the full fact dict is large (devices, flags...).
FACT_KEYS = (
    "distribution", "distribution_version", "distribution_major_version",
    "distribution_release", "os_family", "kernel", "architecture", "machine",
    "uptime_seconds", "system_vendor", "product_name", "product_serial", "bios_vendor",
    "bios_version", "bios_date", "virtualization_role", "virtualization_type",
    "virtualization_tech_guest", "processor", "processor_cores", "processor_count",
    "processor_vcpus", "processor_nproc", "memtotal_mb", "mounts",
)
MOUNT_KEYS = ("mount", "device", "fstype", "size_total", "size_available")

# Package names (dpkg/rpm glob patterns) of security, backup and time-sync software.
PACKAGE_PATTERNS = (
    "clamav", "clamav-daemon", "clamav-freshclam", "clamd", "clamav-server",
    "mdatp", "falcon-sensor", "sentinelagent", "SentinelAgent", "sophos-spl",
    "eset*", "eea", "efs", "bitdefender-security-tools", "ds_agent",
    "veeam", "veeam-nosnap", "veeamsnap", "blksnap", "acronis*", "datto*", "bacula-fd",
    "bacula-client", "restic", "borgbackup", "borg", "duplicati", "urbackup-client",
    "chrony", "ntp", "ntpsec", "openntpd", "systemd-timesyncd",
    "unattended-upgrades", "dnf-automatic", "dnf5-plugin-automatic",
)
AGENT_PATHS = (
    "/opt/CrowdStrike", "/opt/sentinelone", "/opt/microsoft/mdatp", "/opt/sophos-spl",
    "/opt/eset", "/opt/BitDefender", "/opt/bitdefender-security-tools", "/opt/ds_agent",
    "/opt/veeam", "/usr/lib/Acronis", "/opt/datto", "/opt/duplicati",
    "/usr/lib/duplicati", "/opt/urbackup",
)
AGENT_BINARIES = ("restic", "borg", "borgbackup", "veeamconfig", "urbackupclientctl", "clamscan")


class ProbeError(Exception):
    """A probe failed in a way worth reporting (one line)."""


def one_line(text, limit=200):
    text = " ".join(str(text).split())
    return text[:limit]


def truncate(text, limit=MAX_TEXT):
    if len(text) <= limit:
        return text
    return text[:limit] + "\n[truncated by verify_linux_facts]"


def which(name):
    """Look in PATH plus the sbin dirs (become/sudo PATHs are often minimal)."""
    dirs = os.environ.get("PATH", "").split(os.pathsep) + SYS_PATH.split(":")
    for d in dirs:
        if not d:
            continue
        path = os.path.join(d, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def run(argv, timeout=CMD_TIMEOUT, ok_rcs=(0,)):
    """Run a command without a shell; returns (rc, stdout). Raises ProbeError on failure."""
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "LANG": "C", "PATH": SYS_PATH + ":" + env.get("PATH", "")})
    try:
        proc = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"{argv[0]} timed out after {timeout}s") from None
    except OSError as exc:
        raise ProbeError(f"{argv[0]}: {exc}") from None
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode not in ok_rcs:
        err = proc.stderr.decode("utf-8", "replace").strip() or out.strip()
        raise ProbeError(f"{os.path.basename(argv[0])} exited {proc.returncode}: {one_line(err)}")
    return proc.returncode, out


def read_text(path, limit=MAX_TEXT):
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return truncate(data.decode("utf-8", "replace"), limit)


# ---------------------------------------------------------------- pure helpers (unit tested)

def group_members(group_text, passwd_text, names=ADMIN_GROUPS):
    """Return ({group: raw line}, {group: [users whose primary gid is that group]})."""
    lines = {}
    gids = {}
    for line in group_text.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[0] in names:
            lines[parts[0]] = line.strip()
            gids[parts[2]] = parts[0]
    primary = {}
    for line in passwd_text.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[3] in gids:
            primary.setdefault(gids[parts[3]], []).append(parts[0])
    return lines, primary


def uid0_names(passwd_text):
    names = []
    for line in passwd_text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].strip() == "0":
            names.append(parts[0])
    return names


def empty_password_names(shadow_text):
    """Names only: the hash field itself never leaves this function."""
    names = []
    for line in shadow_text.splitlines():
        parts = line.split(":")
        if len(parts) >= 2 and parts[0] and parts[1] == "":
            names.append(parts[0])
    return names


def nopasswd_rules(path, text):
    rules = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "NOPASSWD" in stripped:
            rules.append(f"{path}: {' '.join(stripped.split())}")
    return rules


def sudoers_files(main="/etc/sudoers", dropin="/etc/sudoers.d"):
    files = [main]
    if os.path.isdir(dropin):
        for name in sorted(os.listdir(dropin)):
            # sudo skips names containing '.' or ending in '~' in includedir.
            if "." in name or name.endswith("~"):
                continue
            files.append(os.path.join(dropin, name))
    return files


def expand_sshd_config(path, depth=0, seen=None):
    """sshd_config text with Include directives expanded in place (order matters: first wins)."""
    seen = set() if seen is None else seen
    if depth > 5 or path in seen:
        return ""
    seen.add(path)
    out = [f"# verify: file {path}"]
    for line in read_text(path).splitlines():
        words = line.strip().split()
        if words and words[0].lower() == "include":
            for pattern in words[1:]:
                if not pattern.startswith("/"):
                    pattern = os.path.join("/etc/ssh", pattern)
                for inc in sorted(glob.glob(pattern)):
                    if os.path.isfile(inc):
                        out.append(expand_sshd_config(inc, depth + 1, seen))
        else:
            out.append(line)
    return "\n".join(out)


def apt_inst_lines(text):
    return [line for line in text.splitlines() if line.startswith("Inst ")][:MAX_LINES]


def newest_apt_end_date(history_text):
    newest = None
    for line in history_text.splitlines():
        if line.startswith("End-Date:"):
            value = " ".join(line.split(":", 1)[1].split())
            # "YYYY-MM-DD HH:MM:SS" sorts lexically in time order.
            if newest is None or value > newest:
                newest = value
    return newest


def apt_periodic_lines(conf_dir="/etc/apt/apt.conf.d"):
    found = []
    for path in sorted(glob.glob(os.path.join(conf_dir, "*"))):
        if not os.path.isfile(path):
            continue
        for line in read_text(path, 64 * 1024).splitlines():
            stripped = line.strip()
            if "Unattended-Upgrade" in stripped and not stripped.startswith(("//", "#")):
                found.append(f"{path}: {stripped}")
    return found


def count_nft_rules(nft_json_text):
    data = json.loads(nft_json_text)
    return sum(1 for item in data.get("nftables", []) if isinstance(item, dict) and "rule" in item)


def count_iptables_rules(text):
    return sum(1 for line in text.splitlines() if line.startswith("-A "))


def max_rpm_installtime(text):
    best = None
    for line in text.splitlines():
        word = line.split(" ", 1)[0].strip()
        if word.isdigit():
            value = int(word)
            best = value if best is None or value > best else best
    return best


def parse_dpkg_query(text):
    """'name\\tstatus\\tversion' lines -> {name: version} of installed packages."""
    pkgs = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].strip() == "install ok installed":
            pkgs[parts[0]] = parts[2]
    return pkgs


def parse_rpm_query(text):
    pkgs = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0]:
            pkgs[parts[0]] = parts[1]
    return pkgs


def match_packages(installed, patterns=PACKAGE_PATTERNS):
    return dict(
        (name, ver) for name, ver in installed.items()
        if any(fnmatch.fnmatchcase(name, pat) for pat in patterns)
    )


def process_names(proc_dir="/proc"):
    names = set()
    for pid in os.listdir(proc_dir):
        if not pid.isdigit():
            continue
        base = os.path.join(proc_dir, pid)
        try:
            with open(os.path.join(base, "cmdline"), "rb") as fh:
                argv0 = fh.read(4096).split(b"\0", 1)[0].decode("utf-8", "replace")
            if not argv0:
                continue  # kernel thread or zombie: not a daemon we look for
            # comm is cut at 15 chars (sentinelone-agent); argv0 gives the full name.
            names.add(os.path.basename(argv0.split(" ", 1)[0]))
            with open(os.path.join(base, "comm"), "rb") as fh:
                comm = fh.read().decode("utf-8", "replace").strip()
            if comm:
                names.add(comm)
        except OSError:
            continue  # process exited or is hidden from us
    return sorted(n for n in names if n)


# ---------------------------------------------------------------- probes

def block_mounts(proc_mounts="/proc/mounts"):
    """Size and free space of block-device filesystems, in Ansible's `mounts` shape.

    Ansible's own mount facts stat every mount in a thread and run lsblk/findmnt for UUIDs:
    about 0.2 s of CPU per host that the disk checks do not need. Only local /dev/* devices are
    statted, so a hung network mount cannot stall the probe.
    """
    seen = set()
    mounts = []
    for line in read_text(proc_mounts, 1024 * 1024).splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        device, mount, fstype = fields[0], fields[1].replace("\\040", " "), fields[2]
        if not device.startswith("/dev/") or device.startswith("/dev/loop") or mount in seen:
            continue
        seen.add(mount)
        try:
            st = os.statvfs(mount)
        except OSError:
            continue
        mounts.append({
            "mount": mount,
            "device": device,
            "fstype": fstype,
            "size_total": st.f_frsize * st.f_blocks,
            "size_available": st.f_frsize * st.f_bavail,
        })
        if len(mounts) >= 500:
            break
    return mounts


def probe_facts(module, raw):
    # Ansible's own collectors, imported one by one: importing default_collectors would make
    # AnsiballZ ship (and the host import) every fact collector, as `setup` does.
    from ansible.module_utils.facts.hardware.linux import LinuxHardware
    from ansible.module_utils.facts.system.distribution import DistributionFactCollector
    from ansible.module_utils.facts.system.platform import PlatformFactCollector
    from ansible.module_utils.facts.virtual.linux import LinuxVirtual

    facts = {}
    facts.update(DistributionFactCollector().collect(module=module))
    facts.update(PlatformFactCollector().collect(module=module))
    facts.update(LinuxVirtual(module).get_virtual_facts())
    # The hardware collector, minus its mount and block-device scans (see block_mounts).
    hardware = LinuxHardware(module)
    for part in (hardware.get_cpu_facts(), hardware.get_memory_facts(),
                 hardware.get_dmi_facts(), hardware.get_uptime_facts()):
        facts.update(part)
    facts["mounts"] = block_mounts()
    raw["ansible_facts"] = dict((k, facts[k]) for k in FACT_KEYS if k in facts)


def probe_os_release(module, raw):
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        if os.path.isfile(path):
            raw["os_release"] = read_text(path, 16 * 1024)
            return
    raise ProbeError("no os-release file")


def probe_sshd(module, raw, errors):
    sshd = which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    reason = "sshd not installed"
    if sshd:
        try:
            _, out = run([sshd, "-T"])
            raw["sshd_t"] = truncate(out)
            return
        except ProbeError as exc:
            reason = str(exc)
    if os.path.isfile("/etc/ssh/sshd_config"):
        try:
            raw["sshd_config"] = truncate(expand_sshd_config("/etc/ssh/sshd_config"))
            # sshd -T failing is worth knowing even when the file fallback worked.
            errors["sshd_t"] = one_line(reason)
            return
        except OSError as exc:
            reason = f"{reason}; sshd_config: {exc}"
    raise ProbeError(reason)


def probe_groups(module, raw):
    lines, primary = group_members(read_text("/etc/group"), read_text("/etc/passwd"))
    raw["admin_groups"] = lines
    raw["admin_primary_members"] = primary


def probe_uid0(module, raw):
    raw["uid0_accounts"] = uid0_names(read_text("/etc/passwd"))


def probe_shadow(module, raw):
    raw["empty_password_accounts"] = empty_password_names(read_text("/etc/shadow", 4 * MAX_TEXT))


def probe_sudoers(module, raw):
    rules = []
    for path in sudoers_files():
        if path == "/etc/sudoers" and not os.path.exists(path):
            continue  # sudo not installed: no rules is the real answer
        rules.extend(nopasswd_rules(path, read_text(path)))
    raw["sudoers_nopasswd"] = rules[:1000]


def probe_updates(module, raw, errors):
    if which("apt-get") and which("dpkg-query"):
        raw["pkg_manager"] = "apt"
        _, out = run(["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"],
                     timeout=PKG_TIMEOUT)
        raw["apt_inst_lines"] = apt_inst_lines(out)
        try:
            rc, status = run(["dpkg-query", "-W", "-f=${Status}", "unattended-upgrades"],
                             ok_rcs=(0, 1))
            raw["unattended_upgrades_status"] = status.strip() if rc == 0 else "not-installed"
            raw["apt_periodic_unattended"] = apt_periodic_lines()
        except (ProbeError, OSError) as exc:
            errors["updates_auto"] = one_line(exc)
        try:
            if os.path.isfile("/var/log/apt/history.log"):
                last = newest_apt_end_date(read_text("/var/log/apt/history.log", 8 * MAX_TEXT))
                if last:
                    raw["apt_history_last_end"] = last
            if os.path.exists("/var/lib/dpkg/status"):
                raw["dpkg_status_mtime"] = os.stat("/var/lib/dpkg/status").st_mtime
        except OSError as exc:
            errors["updates_last"] = one_line(exc)
        return
    tool = which("dnf") or which("yum")
    if not tool:
        raise ProbeError("no supported package manager (apt-get, dnf, yum)")
    raw["pkg_manager"] = os.path.basename(tool) if os.path.basename(tool) == "yum" else "dnf"
    # Exit 100 means "updates available"; dnf may refresh expired metadata (network) first.
    rc, out = run([tool, "-q", "check-update"], timeout=PKG_TIMEOUT, ok_rcs=(0, 100))
    raw["dnf_check_update"] = {"rc": rc, "stdout": truncate(out)}
    try:
        _, sec = run([tool, "-q", "updateinfo", "list", "--security"], timeout=PKG_TIMEOUT)
        raw["dnf_updateinfo_security"] = truncate(sec)
    except ProbeError as exc:
        errors["updates_security"] = one_line(exc)
    try:
        rc, _ = run(["rpm", "-q", "dnf-automatic"], ok_rcs=(0, 1))
        rc5, _ = run(["rpm", "-q", "dnf5-plugin-automatic"], ok_rcs=(0, 1))
        raw["dnf_automatic_installed"] = rc == 0 or rc5 == 0
        conf = "/etc/dnf/automatic.conf"
        lines = []
        if os.path.isfile(conf):
            lines = [ln.strip() for ln in read_text(conf, 64 * 1024).splitlines()
                     if ln.strip().startswith("apply_updates")]
        raw["dnf_automatic_conf"] = lines
    except (ProbeError, OSError) as exc:
        errors["updates_auto"] = one_line(exc)
    try:
        _, out = run(["rpm", "-qa", "--qf", "%{INSTALLTIME} %{NAME}\\n"])
        newest = max_rpm_installtime(out)
        if newest is not None:
            raw["rpm_last_install_epoch"] = newest
    except ProbeError as exc:
        errors["updates_last"] = one_line(exc)


def probe_firewall(module, raw, errors):
    tools = []
    if which("nft"):
        tools.append("nft")
        try:
            _, out = run(["nft", "-j", "list", "ruleset"])
            if len(out) <= MAX_JSON:
                raw["nft_json"] = out
            else:
                raw["nft_rule_count"] = count_nft_rules(out)
        except (ProbeError, ValueError) as exc:
            errors["firewall_nft"] = one_line(exc)
    if which("iptables-save"):
        tools.append("iptables-save")
        try:
            _, out = run(["iptables-save"])
            raw["iptables_rule_count"] = count_iptables_rules(out)
        except ProbeError as exc:
            errors["firewall_iptables"] = one_line(exc)
    if which("ufw"):
        tools.append("ufw")
        try:
            _, out = run(["ufw", "status"])
            raw["ufw_status"] = truncate(out, 64 * 1024)
        except ProbeError as exc:
            errors["firewall_ufw"] = one_line(exc)
    if which("firewall-cmd"):
        tools.append("firewall-cmd")
        try:
            # --state exits 252 when not running; the text says so too.
            _, out = run(["firewall-cmd", "--state"], ok_rcs=(0, 252))
            raw["firewalld_state"] = out.strip() or "not running"
        except ProbeError as exc:
            errors["firewall_firewalld"] = one_line(exc)
    raw["firewall_tools"] = tools


def probe_lsblk(module, raw):
    if not which("lsblk"):
        raise ProbeError("lsblk not installed")
    _, out = run(["lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"])
    raw["lsblk_json"] = truncate(out, MAX_JSON)


def probe_time(module, raw, errors):
    if which("timedatectl"):
        try:
            _, out = run(["timedatectl", "show", "-p", "NTPSynchronized", "-p", "NTP"])
            raw["timedatectl"] = truncate(out, 4096)
        except ProbeError as exc:
            errors["time_timedatectl"] = one_line(exc)
    if which("chronyc"):
        try:
            _, out = run(["chronyc", "-n", "tracking"])
            raw["chronyc_tracking"] = truncate(out, 8192)
        except ProbeError as exc:
            errors["time_chronyc"] = one_line(exc)


def probe_processes(module, raw):
    raw["processes"] = process_names()[:MAX_LINES]


def probe_packages(module, raw):
    if which("dpkg-query"):
        # Patterns that match nothing make dpkg-query exit 1 but still print the others.
        _, out = run(["dpkg-query", "-W", "-f=${Package}\\t${Status}\\t${Version}\\n",
                      *PACKAGE_PATTERNS], ok_rcs=(0, 1))
        raw["packages"] = match_packages(parse_dpkg_query(out))
    elif which("rpm"):
        _, out = run(["rpm", "-qa", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}\\n",
                      *PACKAGE_PATTERNS], ok_rcs=(0, 1))
        raw["packages"] = match_packages(parse_rpm_query(out))
    else:
        raise ProbeError("no dpkg-query or rpm")


def probe_agent_paths(module, raw):
    raw["agent_paths"] = [p for p in AGENT_PATHS if os.path.exists(p)]
    raw["binaries"] = dict((b, which(b)) for b in AGENT_BINARIES if which(b))


def probe_veeam(module, raw):
    tool = which("veeamconfig")
    if not tool:
        return
    _, out = run([tool, "session", "list"])
    raw["veeam_sessions"] = truncate(out, 64 * 1024)


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    raw = {"raw_version": RAW_VERSION}
    errors = {}
    timings = {}

    probes = (
        ("facts", lambda: probe_facts(module, raw)),
        ("os_release", lambda: probe_os_release(module, raw)),
        ("sshd", lambda: probe_sshd(module, raw, errors)),
        ("accounts_groups", lambda: probe_groups(module, raw)),
        ("accounts_uid0", lambda: probe_uid0(module, raw)),
        ("accounts_shadow", lambda: probe_shadow(module, raw)),
        ("accounts_sudoers", lambda: probe_sudoers(module, raw)),
        ("updates", lambda: probe_updates(module, raw, errors)),
        ("firewall", lambda: probe_firewall(module, raw, errors)),
        ("lsblk", lambda: probe_lsblk(module, raw)),
        ("time", lambda: probe_time(module, raw, errors)),
        ("processes", lambda: probe_processes(module, raw)),
        ("packages", lambda: probe_packages(module, raw)),
        ("agent_paths", lambda: probe_agent_paths(module, raw)),
        ("veeam_sessions", lambda: probe_veeam(module, raw)),
    )
    for name, probe in probes:
        start = time.time()
        try:
            probe()
        except Exception as exc:  # one failing probe must never sink the others
            errors[name] = one_line(exc if isinstance(exc, ProbeError)
                                    else f"{type(exc).__name__}: {exc}")
        timings[name] = round(time.time() - start, 3)
    raw["probe_errors"] = errors
    raw["probe_seconds"] = timings
    module.exit_json(changed=False, verify_raw=raw)


if __name__ == "__main__":
    main()
