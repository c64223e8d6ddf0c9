"""lab/profiles.py apt repositories: pure functions, no root needed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from lab import profiles

STATUS = """Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)
Conffiles:
 /etc/ssl/openssl.cnf fe1993ec22f6b8a46cb9706acd8fc68f
Description: Secure Sockets Layer toolkit - cryptographic utility
 second line

Package: tar
Status: install ok installed
Architecture: amd64
Version: 1.34+dfsg-1.2+deb12u1
Description: GNU version of the tar archiving utility

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b7
Description: GNU Bourne Again SHell

Package: gzip
Status: deinstall ok config-files
Architecture: amd64
Version: 1.12-1
Description: removed, only config files left

Package: grep
Status: install ok installed
Architecture: amd64
Version: 3.8-5
Description: GNU grep

Package: sed
Status: install ok installed
Architecture: amd64
Version: 4.9-1
Description: GNU sed

Package: findutils
Status: install ok installed
Architecture: amd64
Version: 4.9.0-4
Description: find

Package: pins-tar
Status: install ok installed
Architecture: all
Version: 1
Depends: tar (= 1.34+dfsg-1.2+deb12u1)
Description: pins tar to its exact version
"""


def names(stanzas: list[list[tuple[str, str]]]) -> list[str]:
    return [dict(f)["Package"] for f in stanzas]


def test_pick_upgrades_skips_pinned_and_not_installed() -> None:
    picked = profiles.pick_upgrades(STATUS, 4)
    assert names(picked) == ["openssl", "bash", "grep", "sed"]
    with pytest.raises(ValueError, match="need 9"):
        profiles.pick_upgrades(STATUS, 9)


def test_write_apt_repos_ubuntu(tmp_path: Path) -> None:
    p = profiles.get_profile("ubuntu1604", dt.datetime(2026, 1, 1))
    dirs = profiles.write_apt_repos(p, STATUS, tmp_path)
    assert [d.name for d in dirs] == ["security", "updates"]
    sec = (tmp_path / "security" / "Packages").read_text()
    assert "Package: openssl\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u2+lab1\n" in sec
    assert " second line\n" in sec and "Status:" not in sec and "Conffiles" not in sec
    assert "Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)" in sec
    assert sec.count("Package: ") == 3
    assert (tmp_path / "updates" / "Packages").read_text().count("Package: ") == 2
    for stanza in sec.strip().split("\n\n"):
        fields = dict(ln.split(": ", 1) for ln in stanza.splitlines() if ": " in ln)
        deb = tmp_path / "security" / fields["Filename"]
        assert deb.stat().st_size == int(fields["Size"])
        assert hashlib.sha256(deb.read_bytes()).hexdigest() == fields["SHA256"]
    release = (tmp_path / "security" / "Release").read_text()
    assert "Origin: Ubuntu\nLabel: Ubuntu\nSuite: xenial-security\nCodename: xenial\n" in release
    digest = hashlib.sha256((tmp_path / "security" / "Packages").read_bytes()).hexdigest()
    assert f" {digest} {len(sec.encode())} Packages\n" in release
    assert profiles.apt_sources(dirs) == (
        f"deb [trusted=yes] file:{tmp_path}/security ./\n"
        f"deb [trusted=yes] file:{tmp_path}/updates ./\n"
    )


def test_write_apt_repos_debian_is_empty(tmp_path: Path) -> None:
    p = profiles.get_profile("debian12", dt.datetime(2026, 1, 1))
    (main,) = profiles.write_apt_repos(p, STATUS, tmp_path)
    assert (main / "Packages").read_bytes() == b""
    assert "Suite: bookworm\n" in (main / "Release").read_text()
    assert f" {hashlib.sha256(b'').hexdigest()} 0 Packages\n" in (main / "Release").read_text()


def test_host_spec_apt() -> None:
    now = dt.datetime(2026, 1, 1)
    spec, _ = profiles.host_spec("debian12", "h", now, [Path("/x/main")])
    assert spec["apt_update"] is True
    files = {f["path"]: f["content"] for f in spec["files"]}
    assert files["/etc/apt/sources.list"] == "deb [trusted=yes] file:/x/main ./\n"
    assert (
        "/etc/apt/sources.list.d" in spec["deletes"] and "/etc/apt/sources.list.d" in spec["dirs"]
    )
    rocky, _ = profiles.host_spec("rocky9", "r", now)
    assert rocky["apt_update"] is False and "/etc/apt/sources.list" not in str(rocky["files"])
    with pytest.raises(ValueError, match="apt repositories"):
        profiles.host_spec("ubuntu1604", "u", now)


# ------------------------------------------------------------------ admin login


ADMIN = profiles.AdminLogin(
    authorized_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlab verify-lab\n",
    password_hash="$6$salt$hash",
)


def test_host_spec_with_admin_login() -> None:
    now = dt.datetime(2026, 1, 1)
    spec, p = profiles.host_spec("debian12", "h", now, [Path("/x/main")], ADMIN)
    uid = profiles.free_uid(profiles.get_profile("debian12", now), profiles._read("/etc/passwd"))
    files = {f["path"]: f for f in spec["files"]}
    passwd = files["/etc/passwd"]["content"]
    assert f"mspadmin:x:{uid}:{uid}:mspadmin:/home/mspadmin:/bin/bash\n" in passwd
    assert "mspadmin:$6$salt$hash:" in files["/etc/shadow"]["content"]
    sudo_line = next(
        ln for ln in files["/etc/group"]["content"].splitlines() if ln.startswith("sudo:")
    )
    assert sudo_line.endswith("alice,mspadmin")
    # sudo asks for the password: no NOPASSWD anywhere for it, no lecture file on this machine.
    assert files["/etc/sudoers.d/lab-admin"]["content"] == "Defaults:mspadmin lecture=never\n"
    assert "NOPASSWD" not in files["/etc/sudoers"]["content"]
    keys = files["/home/mspadmin/.ssh/authorized_keys"]
    assert keys["content"] == ADMIN.authorized_key.strip() + "\n"
    assert (keys["mode"], keys["uid"], keys["gid"]) == (0o600, uid, uid)
    assert {"path": "/home/mspadmin/.ssh", "mode": 0o700, "uid": uid, "gid": uid} in spec["dirs"]
    assert "/home" in spec["overlays"] and "/home" not in profiles.OVERLAYS
    assert p.admin_groups["sudo"] == ["alice", "mspadmin"]


def test_admin_login_uses_the_profiles_sudo_group() -> None:
    _, p = profiles.host_spec("rocky9", "r", dt.datetime(2026, 1, 1), admin=ADMIN)
    assert p.admin_groups["wheel"] == ["carol", "mspadmin"]
    assert "%wheel\tALL=(ALL)\tALL" in p.sudoers
    plain, _ = profiles.host_spec("rocky9", "r", dt.datetime(2026, 1, 1))
    assert "/home" not in plain["overlays"] and "mspadmin" not in str(plain["files"])


def test_free_uid_skips_taken_uids() -> None:
    p = profiles.get_profile("ubuntu1604", dt.datetime(2026, 1, 1))
    passwd = "root:x:0:0::/root:/bin/sh\nsomeone:x:1100:1100::/home/s:/bin/sh\n"
    assert profiles.free_uid(p, passwd) == 1101
    assert profiles.free_uid(p, passwd, first=1003) == 1005  # 1003, 1004: profile accounts


def test_with_admin_refuses_a_clash() -> None:
    p = profiles.get_profile("ubuntu1604", dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="already has an account"):
        profiles.with_admin(p, profiles.AdminLogin("k", "h", user="alice"), 1200)


def test_hostspec_login_validation() -> None:
    import lab

    assert lab.HostSpec("a", "ubuntu1604", login="admin").login == "admin"
    assert [h.login for h in lab.copies("debian12", 2, login="admin")] == ["admin", "admin"]
    with pytest.raises(ValueError, match="login must be one of"):
        lab.HostSpec("a", "ubuntu1604", login="operator")
    with pytest.raises(ValueError, match="login admin needs"):
        lab.HostSpec("a", "ubuntu1604", auth="wrong-key", login="admin")
    with pytest.raises(ValueError, match="login admin needs"):
        lab.HostSpec("b", kind="blackhole", login="admin")
