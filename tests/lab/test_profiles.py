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
