"""Host profiles: the files, hardware, firewall and daemons that make simulated hosts differ.

A profile turns into a plain-JSON "host spec" consumed by ``lab/hostinit.py`` inside the host's
namespaces. Account files and the dpkg status start from this machine's real ones (so system
users such as ``sshd`` exist and the installed python/openssh keep working), then get the
profile's accounts and packages; every real password field is normalised to ``*``/``!`` so no
real hash is copied anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

TIME_PACKAGES = ["systemd-timesyncd", "ntp", "ntpsec", "openntpd", "chrony"]

PROFILES = ("ubuntu1604", "debian12", "rocky9")

# Directories each host owns (overlay, upper dir on a tmpfs inside the host's namespace).
OVERLAYS = ["/etc", "/var/lib/dpkg", "/var/log", "/opt", "/usr/local"]

NFT_SERVER = """table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iif lo accept
    tcp dport 22 accept
  }
}
"""

CHRONYC = """#!/bin/sh
# lab stand-in for chronyc: `chronyc -n tracking` of a synchronised chrony.
cat <<'EOF'
Reference ID    : C0A80101 (192.168.1.1)
Stratum         : 3
Ref time (UTC)  : Mon Nov 23 09:00:00 2026
System time     : 0.000012345 seconds fast of NTP time
Last offset     : +0.000003456 seconds
RMS offset      : 0.000021000 seconds
Frequency       : 12.345 ppm slow
Residual freq   : +0.001 ppm
Skew            : 0.020 ppm
Root delay      : 0.012345678 seconds
Root dispersion : 0.001234567 seconds
Update interval : 64.2 seconds
Leap status     : Normal
EOF
"""

SUDOERS_BASE = """Defaults\tenv_reset
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
root\tALL=(ALL:ALL) ALL
%sudo\tALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
"""

SUDOERS_RHEL = """Defaults   !visiblepw
Defaults   secure_path = /sbin:/bin:/usr/sbin:/usr/bin
root\tALL=(ALL) \tALL
%wheel\tALL=(ALL)\tALL
#includedir /etc/sudoers.d
"""


@dataclass
class Account:
    name: str
    uid: int
    gid: int | None = None  # None: own group with gid == uid
    shell: str = "/bin/bash"
    password: str = "!"  # shadow field; "" = empty password


@dataclass
class AptRepo:
    """A flat apt repository the lab generates for a profile (``deb [trusted=yes] file:DIR ./``).

    It offers newer versions (installed version + ``+lab1``) of ``updates`` packages that are
    installed in the host's dpkg status; Origin/Label/Suite show up in apt's ``Inst`` lines.
    """

    name: str  # sub-directory under STATE_DIR/apt/PROFILE
    origin: str
    label: str
    suite: str
    codename: str
    version: str
    updates: int = 0


@dataclass
class Profile:
    name: str
    verify_class: str
    os_release: str
    extra_release_files: dict[str, str]
    delete_release_files: list[str]
    sshd_config: str
    accounts: list[Account]
    admin_groups: dict[str, list[str]]  # group -> members (sudo/wheel)
    sudoers: str
    sudoers_d: dict[str, str]
    dmi: dict[str, str]
    nft: str | None
    daemons: dict[str, str]  # comm name -> path of the (copied /bin/sleep) binary
    dpkg_remove: list[str]
    dpkg_add: dict[str, str]  # package -> version
    keep_dpkg: bool = True
    hide_binaries: list[str] = field(default_factory=list)  # removed via an overlay on /usr/bin
    apt_files: dict[str, str] = field(default_factory=dict)
    history_end: str | None = None  # "YYYY-MM-DD HH:MM:SS"
    extra_files: dict[str, tuple[str, int]] = field(default_factory=dict)
    extra_copies: dict[str, str] = field(default_factory=dict)  # dst -> src
    # None: apt state is left alone (rocky9 hides apt); else the host's only apt sources.
    apt_repos: list[AptRepo] | None = None
    # The group whose members the profile's sudoers lets run anything (with their password).
    sudo_group: str = "sudo"


# The named admin account of a host whose inventory logs in as an admin instead of root.
ADMIN_USER = "mspadmin"
ADMIN_FIRST_UID = 1100


@dataclass(frozen=True)
class AdminLogin:
    """A sudo-capable, non-root admin account the inventory logs in with (key auth, then
    sudo with its password), as an MSP's engineers do on a client's hosts.

    ``authorized_key``: the public key line for ``~/.ssh/authorized_keys``;
    ``password_hash``: the crypt(3) hash of its sudo password (the shadow field).
    """

    authorized_key: str
    password_hash: str
    user: str = ADMIN_USER


def _ubuntu1604(now: dt.datetime) -> Profile:
    return Profile(
        name="ubuntu1604",
        verify_class="workstation",
        os_release=(
            'NAME="Ubuntu"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nID=ubuntu\nID_LIKE=debian\n'
            'PRETTY_NAME="Ubuntu 16.04.7 LTS"\nVERSION_ID="16.04"\n'
            'HOME_URL="http://www.ubuntu.com/"\nSUPPORT_URL="http://help.ubuntu.com/"\n'
            'BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"\n'
            "VERSION_CODENAME=xenial\nUBUNTU_CODENAME=xenial\n"
        ),
        extra_release_files={
            "/etc/lsb-release": "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\n"
            'DISTRIB_CODENAME=xenial\nDISTRIB_DESCRIPTION="Ubuntu 16.04.7 LTS"\n',
            "/etc/debian_version": "stretch/sid\n",
            "/etc/issue": "Ubuntu 16.04.7 LTS \\n \\l\n\n",
        },
        delete_release_files=[],
        sshd_config=(
            "# Legacy configuration (Ubuntu 16.04 era)\n"
            "Port 22\nProtocol 2\n"
            "HostKey /etc/ssh/ssh_host_rsa_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n"
            "HostKey /etc/ssh/ssh_host_ed25519_key\n"
            "PermitRootLogin yes\nPasswordAuthentication yes\nPermitEmptyPasswords no\n"
            "ChallengeResponseAuthentication no\nUsePAM yes\nX11Forwarding yes\n"
            "MaxAuthTries 6\n"
            "Ciphers aes128-cbc,3des-cbc,aes256-ctr\nMACs hmac-sha1,hmac-sha2-256\n"
            "PrintMotd no\nAcceptEnv LANG LC_*\n"
            "Subsystem sftp /usr/lib/openssh/sftp-server\n"
        ),
        accounts=[
            Account("toor", 0, 0, password="!"),
            Account("alice", 1000),
            Account("bob", 1001),
            Account("tempadmin", 1002),
            Account("oldvendor", 1003),
            Account("guest", 1004, password=""),
        ],
        admin_groups={"sudo": ["alice", "bob", "tempadmin", "oldvendor"]},
        sudoers=SUDOERS_BASE,
        sudoers_d={"legacy": "tempadmin ALL=(ALL) NOPASSWD: ALL\n"},
        dmi={
            "sys_vendor": "Dell Inc.",
            "product_name": "OptiPlex 7010",
            "product_serial": "4XK2L1S",
            "product_version": "01",
            "product_uuid": "4c4c4544-0058-4b10-8032-b4c04f4c3153",
            "board_vendor": "Dell Inc.",
            "board_name": "0GY6Y8",
            "chassis_vendor": "Dell Inc.",
            "chassis_type": "3",
            "bios_vendor": "Dell Inc.",
            "bios_version": "A16",
            "bios_date": "05/12/2014",
        },
        nft=None,
        daemons={},
        dpkg_remove=["unattended-upgrades", "clamav*", "chrony", "veeam*", "falcon-sensor"],
        dpkg_add={},
        history_end="2019-03-14 06:42:17",
        # 5 pending updates, 3 of them security (the collector sees "xenial-security").
        apt_repos=[
            AptRepo("security", "Ubuntu", "Ubuntu", "xenial-security", "xenial", "16.04", 3),
            AptRepo("updates", "Ubuntu", "Ubuntu", "xenial-updates", "xenial", "16.04", 2),
        ],
    )


def _debian12(now: dt.datetime) -> Profile:
    end = (now - dt.timedelta(days=2)).replace(microsecond=0)
    return Profile(
        name="debian12",
        verify_class="server",
        os_release=(
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
            'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
            'HOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\n'
            'BUG_REPORT_URL="https://bugs.debian.org/"\n'
        ),
        extra_release_files={"/etc/debian_version": "12.7\n"},
        delete_release_files=["/etc/lsb-release"],
        sshd_config=(
            "Include /etc/ssh/sshd_config.d/*.conf\n"
            "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "UsePAM yes\nX11Forwarding no\nMaxAuthTries 3\nPrintMotd no\n"
            "AcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n"
        ),
        accounts=[Account("alice", 1000), Account("backup-svc", 1001, shell="/usr/sbin/nologin")],
        admin_groups={"sudo": ["alice"]},
        sudoers=SUDOERS_BASE,
        sudoers_d={},
        dmi={
            "sys_vendor": "Dell Inc.",
            "product_name": "PowerEdge R650",
            "product_serial": "9QXR8T3",
            "product_version": "",
            "product_uuid": "4c4c4544-0051-5810-8052-b9c04f385433",
            "board_vendor": "Dell Inc.",
            "board_name": "0PYXKY",
            "chassis_vendor": "Dell Inc.",
            "chassis_type": "23",
            "bios_vendor": "Dell Inc.",
            "bios_version": "1.10.2",
            "bios_date": "03/15/2023",
        },
        nft=NFT_SERVER,
        daemons={
            "clamd": "/usr/local/sbin/clamd",
            "freshclam": "/usr/local/bin/freshclam",
            "chronyd": "/usr/local/sbin/chronyd",
            "veeamservice": "/usr/local/sbin/veeamservice",
        },
        dpkg_remove=["falcon-sensor"],
        dpkg_add={
            "clamav-daemon": "1.0.7+dfsg-1~deb12u1",
            "clamav-freshclam": "1.0.7+dfsg-1~deb12u1",
            "clamav": "1.0.7+dfsg-1~deb12u1",
            "unattended-upgrades": "2.9.1+nmu3",
            "chrony": "4.3-2+deb12u1",
            "veeam": "6.1.0.1498",
        },
        apt_files={
            "/etc/apt/apt.conf.d/20auto-upgrades": (
                'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'
            ),
        },
        history_end=end.strftime("%Y-%m-%d %H:%M:%S"),
        extra_files={"/usr/local/bin/chronyc": (CHRONYC, 0o755)},
        extra_copies={"/opt/veeam/transport/veeamtransport": "/bin/true"},
        # Fully patched: one empty repository, 0 pending updates.
        apt_repos=[AptRepo("main", "Debian", "Debian", "bookworm", "bookworm", "12", 0)],
    )


def _rocky9(now: dt.datetime) -> Profile:
    return Profile(
        name="rocky9",
        verify_class="server",
        os_release=(
            'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\n'
            'ID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\n'
            'PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\nANSI_COLOR="0;32"\n'
            'LOGO="fedora-logo-icon"\n'
            'CPE_NAME="cpe:/o:rocky:rocky:9::baseos"\nHOME_URL="https://rockylinux.org/"\n'
            'BUG_REPORT_URL="https://bugs.rockylinux.org/"\nSUPPORT_END="2032-05-31"\n'
            'ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"\nROCKY_SUPPORT_PRODUCT_VERSION="9.3"\n'
            'REDHAT_SUPPORT_PRODUCT="Rocky Linux"\nREDHAT_SUPPORT_PRODUCT_VERSION="9.3"\n'
        ),
        extra_release_files={
            "/etc/rocky-release": "Rocky Linux release 9.3 (Blue Onyx)\n",
            "/etc/redhat-release": "Rocky Linux release 9.3 (Blue Onyx)\n",
            "/etc/system-release": "Rocky Linux release 9.3 (Blue Onyx)\n",
        },
        delete_release_files=["/etc/debian_version", "/etc/lsb-release"],
        sshd_config=(
            "Include /etc/ssh/sshd_config.d/*.conf\n"
            "HostKey /etc/ssh/ssh_host_rsa_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n"
            "HostKey /etc/ssh/ssh_host_ed25519_key\n"
            "SyslogFacility AUTHPRIV\nPermitRootLogin prohibit-password\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nX11Forwarding no\n"
            "MaxAuthTries 4\nUsePAM yes\nSubsystem sftp /usr/libexec/openssh/sftp-server\n"
        ),
        accounts=[Account("carol", 1000), Account("erp", 1001)],
        admin_groups={"wheel": ["carol"], "sudo": []},
        sudoers=SUDOERS_RHEL,
        sudoers_d={},
        dmi={
            "sys_vendor": "HPE",
            "product_name": "ProLiant DL360 Gen10",
            "product_serial": "CZJ93407KT",
            "product_version": "",
            "product_uuid": "37383638-3330-4d32-3239-33303437504b",
            "board_vendor": "HPE",
            "board_name": "ProLiant DL360 Gen10",
            "chassis_vendor": "HPE",
            "chassis_type": "23",
            "bios_vendor": "HPE",
            "bios_version": "U32",
            "bios_date": "11/02/2019",
        },
        nft=NFT_SERVER,
        daemons={
            "falcon-sensor": "/opt/CrowdStrike/falcon-sensor",
            "chronyd": "/usr/local/sbin/chronyd",
        },
        # A Rocky host has no dpkg database (this machine has no rpm/dnf: updates stay unknown).
        dpkg_remove=[],
        dpkg_add={},
        keep_dpkg=False,
        hide_binaries=[
            "/usr/bin/apt",
            "/usr/bin/apt-get",
            "/usr/bin/apt-cache",
            "/usr/bin/apt-config",
            "/usr/bin/dpkg",
            "/usr/bin/dpkg-query",
        ],
        history_end=None,
        extra_files={"/usr/local/bin/chronyc": (CHRONYC, 0o755)},
        extra_copies={"/opt/CrowdStrike/falconctl": "/bin/true"},
        sudo_group="wheel",
    )


_BUILDERS = {"ubuntu1604": _ubuntu1604, "debian12": _debian12, "rocky9": _rocky9}


def get_profile(name: str, now: dt.datetime) -> Profile:
    if name not in _BUILDERS:
        raise ValueError(f"unknown profile {name!r} (known: {', '.join(PROFILES)})")
    return _BUILDERS[name](now)


# ------------------------------------------------------------------ account files


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def build_accounts(p: Profile) -> dict[str, str]:
    passwd_lines = [ln for ln in _read("/etc/passwd").splitlines() if ln.strip()]
    group_lines = [ln for ln in _read("/etc/group").splitlines() if ln.strip()]
    shadow_lines = [ln for ln in _read("/etc/shadow").splitlines() if ln.strip()]
    taken_names = {ln.split(":")[0] for ln in passwd_lines}
    # Normalise every real shadow password field: never copy a hash, never leave one empty.
    shadow: list[str] = []
    for ln in shadow_lines:
        f = ln.split(":")
        if len(f) >= 2:
            f[1] = "*" if f[0] == "root" or f[1].startswith("*") else "!"
            shadow.append(":".join(f))
    groups: dict[str, list[str]] = {}
    order: list[str] = []
    for ln in group_lines:
        f = ln.split(":")
        while len(f) < 4:
            f.append("")
        groups[f[0]] = f
        order.append(f[0])
    for a in p.accounts:
        if a.name in taken_names:
            continue
        gid = a.uid if a.gid is None else a.gid
        home = "/root" if a.uid == 0 else f"/home/{a.name}"
        passwd_lines.append(f"{a.name}:x:{a.uid}:{gid}:{a.name}:{home}:{a.shell}")
        shadow.append(f"{a.name}:{a.password}:19000:0:99999:7:::")
        if a.gid is None and a.name not in groups:
            groups[a.name] = [a.name, "x", str(gid), ""]
            order.append(a.name)
    next_gid = 990
    for gname, members in p.admin_groups.items():
        if gname not in groups:
            while any(g[2] == str(next_gid) for g in groups.values()):
                next_gid -= 1
            groups[gname] = [gname, "x", str(next_gid), ""]
            order.append(gname)
        groups[gname][3] = ",".join(members)
    return {
        "/etc/passwd": "\n".join(passwd_lines) + "\n",
        "/etc/shadow": "\n".join(shadow) + "\n",
        "/etc/group": "\n".join(":".join(groups[g]) for g in order) + "\n",
    }


# ------------------------------------------------------------------ dpkg


def build_dpkg_status(p: Profile) -> str:
    text = _read("/var/lib/dpkg/status")
    stanzas = [s for s in re.split(r"\n\s*\n", text) if s.strip()]
    out = []
    # Time daemons come from the profile only (this machine's own would leak into every host).
    pats = [*p.dpkg_remove, *p.dpkg_add, *TIME_PACKAGES]
    removed = [re.compile("^" + re.escape(pat).replace(r"\*", ".*") + "$") for pat in pats]
    for s in stanzas:
        m = re.match(r"Package:\s*(\S+)", s)
        if m and any(r.match(m.group(1)) for r in removed):
            continue
        out.append(s.strip("\n"))
    for pkg, version in sorted(p.dpkg_add.items()):
        out.append(
            f"Package: {pkg}\nStatus: install ok installed\nPriority: optional\n"
            f"Section: admin\nInstalled-Size: 1024\nMaintainer: lab <lab@example.invalid>\n"
            f"Architecture: amd64\nVersion: {version}\n"
            f"Description: {pkg} (simulated by the verify lab)"
        )
    return "\n\n".join(out) + "\n"


def history_log(end: str) -> str:
    day = dt.datetime.strptime(end, "%Y-%m-%d %H:%M:%S")
    older = day - dt.timedelta(days=30)

    def entry(t: dt.datetime, cmd: str, what: str) -> str:
        start = t - dt.timedelta(seconds=41)
        return (
            f"\nStart-Date: {start:%Y-%m-%d  %H:%M:%S}\nCommandline: {cmd}\n{what}\n"
            f"End-Date: {t:%Y-%m-%d  %H:%M:%S}\n"
        )

    first = entry(older, "apt-get install -y htop", "Install: htop:amd64 (2.0.1-1ubuntu1)")
    upgrade = "Upgrade: openssl:amd64 (1.0.2g-1ubuntu4.14, 1.0.2g-1ubuntu4.15)"
    return first + entry(day, "apt-get -y upgrade", upgrade)


# ------------------------------------------------------------------ apt repositories

# Packages offered as pending updates, in order of preference (the first ones go to the first
# repo). Essential/near-universal packages; one is skipped if another installed package pins it
# with "(= version)" or Breaks/Conflicts it (apt would then want removals: libssl3 is pinned by
# libssl-dev, so it is not on the list), or if it is installed for more than one architecture.
UPGRADE_CANDIDATES = [
    "openssl",
    "tar",
    "bash",
    "gzip",
    "grep",
    "sed",
    "findutils",
    "diffutils",
    "coreutils",
    "hostname",
    "debianutils",
    "ncurses-bin",
]

# Fixed, in the past: apt's Check-Date never rejects it and the lists never differ by day.
APT_RELEASE_DATE = "Tue, 01 Dec 2020 00:00:00 UTC"
PLACEHOLDER_DEB = b"verify lab placeholder: never downloaded, apt-get -s only\n"
_STATUS_ONLY_FIELDS = ("Status", "Conffiles", "Config-Version")


def _stanzas(status_text: str) -> list[list[tuple[str, str]]]:
    """dpkg status text -> stanzas as ordered (field, value) lists (continuations kept)."""
    result = []
    for block in re.split(r"\n\s*\n", status_text):
        fields: list[tuple[str, str]] = []
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and fields:
                key, value = fields[-1]
                fields[-1] = (key, value + "\n" + line)
            elif ":" in line:
                key, _, value = line.partition(":")
                fields.append((key, value.strip()))
        if fields:
            result.append(fields)
    return result


def _pinned_names(stanzas: list[list[tuple[str, str]]]) -> set[str]:
    """Packages some installed package depends on with "=" or breaks/conflicts with."""
    pinned: set[str] = set()
    for fields in stanzas:
        for key, value in fields:
            if key in ("Depends", "Pre-Depends"):
                pinned.update(re.findall(r"([a-z0-9][a-z0-9+.-]*)(?::\S+)?\s*\(\s*=", value))
            elif key in ("Breaks", "Conflicts"):
                pinned.update(
                    re.findall(r"([a-z0-9][a-z0-9+.-]*)", re.sub(r"\([^)]*\)", "", value))
                )
    return pinned


def pick_upgrades(status_text: str, count: int) -> list[list[tuple[str, str]]]:
    """The first ``count`` installed candidates that can be upgraded without side effects."""
    stanzas = _stanzas(status_text)
    installed: dict[str, list[list[tuple[str, str]]]] = {}
    for fields in stanzas:
        d = dict(fields)
        if d.get("Status", "").endswith(" installed") and "Package" in d:
            installed.setdefault(d["Package"], []).append(fields)
    pinned = _pinned_names(stanzas)
    chosen = [
        installed[name][0]
        for name in UPGRADE_CANDIDATES
        if len(installed.get(name, [])) == 1 and name not in pinned
    ]
    if len(chosen) < count:
        raise ValueError(
            f"only {len(chosen)} upgradable candidate packages installed, need {count}"
        )
    return chosen[:count]


def write_apt_repos(p: Profile, status_text: str, root: Path) -> list[Path]:
    """Write the profile's flat repositories under ``root`` (Packages, Release, placeholder
    .debs); returns their directories, in sources.list order."""
    assert p.apt_repos is not None
    picks = pick_upgrades(status_text, sum(r.updates for r in p.apt_repos))
    deb_sha = hashlib.sha256(PLACEHOLDER_DEB).hexdigest()
    dirs = []
    for repo in p.apt_repos:
        repo_dir = root / repo.name
        repo_dir.mkdir(parents=True)
        out = []
        for fields in picks[: repo.updates]:
            d = dict(fields)
            version = d["Version"] + "+lab1"
            deb = f"{d['Package']}_{version.split(':')[-1]}_{d.get('Architecture', 'all')}.deb"
            (repo_dir / deb).write_bytes(PLACEHOLDER_DEB)
            lines = []
            for key, value in fields:
                if key in _STATUS_ONLY_FIELDS:
                    continue
                lines.append(f"{key}: {version if key == 'Version' else value}")
            lines += [f"Filename: ./{deb}", f"Size: {len(PLACEHOLDER_DEB)}", f"SHA256: {deb_sha}"]
            out.append("\n".join(lines) + "\n")
        del picks[: repo.updates]
        packages = "\n".join(out).encode()
        (repo_dir / "Packages").write_bytes(packages)
        (repo_dir / "Release").write_text(
            f"Origin: {repo.origin}\nLabel: {repo.label}\nSuite: {repo.suite}\n"
            f"Codename: {repo.codename}\nVersion: {repo.version}\nDate: {APT_RELEASE_DATE}\n"
            f"Description: verify lab repository ({p.name}/{repo.name})\nSHA256:\n"
            f" {hashlib.sha256(packages).hexdigest()} {len(packages)} Packages\n"
        )
        dirs.append(repo_dir)
    return dirs


def apt_sources(repo_dirs: list[Path]) -> str:
    return "".join(f"deb [trusted=yes] file:{d} ./\n" for d in repo_dirs)


# ------------------------------------------------------------------ host spec


def free_uid(p: Profile, passwd_text: str, first: int = ADMIN_FIRST_UID) -> int:
    """The first uid from ``first`` that neither this machine's passwd nor the profile uses."""
    taken = {a.uid for a in p.accounts}
    for line in passwd_text.splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[2].isdigit():
            taken.add(int(fields[2]))
    uid = first
    while uid in taken:
        uid += 1
    return uid


def with_admin(p: Profile, admin: AdminLogin, uid: int) -> Profile:
    """The profile plus the admin account: its own group, member of the sudo group, key login,
    a real password hash for sudo (sudo asks for it: the profile's sudoers rule for the group
    has no NOPASSWD)."""
    if any(a.name == admin.user for a in p.accounts):
        raise ValueError(f"profile {p.name} already has an account {admin.user}")
    groups = dict(p.admin_groups)
    groups[p.sudo_group] = [*groups.get(p.sudo_group, []), admin.user]
    return replace(
        p,
        accounts=[*p.accounts, Account(admin.user, uid, password=admin.password_hash)],
        admin_groups=groups,
        # No lecture: sudo would record it under /var/lib/sudo, which is this machine's.
        sudoers_d={**p.sudoers_d, "lab-admin": f"Defaults:{admin.user} lecture=never\n"},
    )


def host_spec(
    profile: str,
    hostname: str,
    now: dt.datetime,
    apt_repo_dirs: list[Path] | None = None,
    admin: AdminLogin | None = None,
) -> tuple[dict[str, Any], Profile]:
    """The JSON document hostinit.py consumes (without the path fields lab fills in).

    ``apt_repo_dirs``: the profile's repositories written by :func:`write_apt_repos` (required
    when the profile has ``apt_repos``); they become the host's only apt sources.
    ``admin``: add that admin account (home under ``/home``, which then gets an overlay too,
    its key in ``~/.ssh/authorized_keys``, member of the profile's sudo group).
    """
    p = get_profile(profile, now)
    if p.apt_repos is not None and apt_repo_dirs is None:
        raise ValueError(f"profile {profile} needs its apt repositories (write_apt_repos)")
    admin_uid = None
    if admin is not None:
        admin_uid = free_uid(p, _read("/etc/passwd"))
        p = with_admin(p, admin, admin_uid)
    files: list[dict[str, Any]] = []

    def add(path: str, content: str, mode: int = 0o644) -> None:
        files.append({"path": path, "content": content, "mode": mode})

    add("/etc/hostname", hostname + "\n")
    hosts = f"127.0.0.1\tlocalhost\n127.0.1.1\t{hostname}\n::1\tlocalhost ip6-localhost\n"
    add("/etc/hosts", hosts)
    add("/etc/os-release", p.os_release)
    for path, content in p.extra_release_files.items():
        add(path, content)
    add("/etc/ssh/sshd_config", p.sshd_config)
    accounts = build_accounts(p)
    add("/etc/passwd", accounts["/etc/passwd"])
    add("/etc/group", accounts["/etc/group"])
    add("/etc/shadow", accounts["/etc/shadow"], 0o640)
    add("/etc/sudoers", p.sudoers, 0o440)
    for name, content in p.sudoers_d.items():
        add(f"/etc/sudoers.d/{name}", content, 0o440)
    for path, content in p.apt_files.items():
        add(path, content)
    deletes = list(p.delete_release_files)
    deletes += ["/etc/apt/apt.conf.d/20auto-upgrades", "/etc/apt/apt.conf.d/50unattended-upgrades"]
    deletes += ["/etc/ssh/sshd_config.d"]
    if p.keep_dpkg:
        add("/var/lib/dpkg/status", build_dpkg_status(p))
    else:
        deletes += ["/var/lib/dpkg/status", "/var/lib/dpkg/status-old"]
    deletes += ["/var/log/apt/history.log", "/var/log/apt/eipp.log.xz", "/var/log/apt/term.log"]
    if p.history_end:
        add("/var/log/apt/history.log", history_log(p.history_end))
    for path, (content, mode) in p.extra_files.items():
        add(path, content, mode)
    add("/etc/ssh/sshd_config.d/.keep", "")
    dirs: list[str | dict[str, Any]] = []
    overlays = OVERLAYS + (["/usr/bin"] if p.hide_binaries else [])
    if admin is not None and admin_uid is not None:
        home = f"/home/{admin.user}"
        owner = {"uid": admin_uid, "gid": admin_uid}
        overlays = [*overlays, "/home"]
        dirs += [
            {"path": home, "mode": 0o750, **owner},
            {"path": f"{home}/.ssh", "mode": 0o700, **owner},
        ]
        files.append(
            {
                "path": f"{home}/.ssh/authorized_keys",
                "content": admin.authorized_key.strip() + "\n",
                "mode": 0o600,
                **owner,
            }
        )
    if p.apt_repos is not None and apt_repo_dirs is not None:
        # The lab's repositories are the only sources; no pinning from this machine either.
        apt_dirs = ["/etc/apt/sources.list.d", "/etc/apt/preferences.d"]
        deletes += ["/etc/apt/sources.list", "/etc/apt/preferences", *apt_dirs]
        add("/etc/apt/sources.list", apt_sources(apt_repo_dirs))
        dirs += apt_dirs
    copies = [{"src": "/bin/sleep", "dst": path, "mode": 0o755} for path in p.daemons.values()]
    copies += [{"src": src, "dst": dst, "mode": 0o755} for dst, src in p.extra_copies.items()]
    if p.hide_binaries:
        deletes += p.hide_binaries
    spec: dict[str, Any] = {
        "hostname": hostname,
        "overlays": overlays,
        "files": files,
        "dirs": dirs,
        "copies": copies,
        "deletes": deletes,
        "dmi": p.dmi,
        "nft": p.nft,
        "daemons": [[path, "infinity"] for path in p.daemons.values()],
        "mtimes": {},
        # hostinit: fresh tmpfs lists/cache, then `apt-get update` from the sources above.
        "apt_update": p.apt_repos is not None,
    }
    if p.history_end and p.keep_dpkg:
        stamp = dt.datetime.strptime(p.history_end, "%Y-%m-%d %H:%M:%S").timestamp()
        spec["mtimes"]["/var/lib/dpkg/status"] = stamp
    return spec, p
