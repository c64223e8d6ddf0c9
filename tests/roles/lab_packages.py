"""Installing real packages into a lab host, for the role tests that need it (package_updates,
auto_updates, time_sync): overlays over the host's /usr and /var so nothing reaches this
machine, real .deb files built with dpkg-deb, and a flat apt repository to serve them."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import lab
from tests.roles.role_helpers import in_host

ISOLATE = r"""
set -eu
T=/run/verify-role-test
mkdir -p "$T"
mount -t tmpfs -o mode=0700,size=1g tmpfs "$T"
mkdir "$T/moved"
# The lab's own mounts under /usr and /var (overlays, apt lists/cache tmpfs) are moved aside,
# /usr and /var get an overlay each (upper on the tmpfs above), then the mounts go back.
subs=$(awk '{print $5}' /proc/1/mountinfo | grep -E '^/(usr|var)/' | sort)
i=0
for m in $subs; do i=$((i+1)); mkdir "$T/moved/$i"; mount --move "$m" "$T/moved/$i"; done
for d in /usr /var; do
  s="$T/overlay$(echo "$d" | tr / _)"
  mkdir -p "$s/upper" "$s/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$s/upper,workdir=$s/work" "$d"
done
i=0
for m in $subs; do i=$((i+1)); mount --move "$T/moved/$i" "$m"; done
"""


def isolate_installs(the_lab: lab.Lab, host: str) -> None:
    """Overlays over /usr and /var in the host's mount namespace: packages installed there
    (files, triggers, debconf, apt state) change the host only, never this machine."""
    in_host(the_lab, host, "sh", "-c", ISOLATE)
    mounts = in_host(the_lab, host, "awk", "{print $5, $9}", "/proc/1/mountinfo")
    assert "/usr overlay" in mounts and "/var overlay" in mounts, mounts


def deb822(text: str) -> list[list[tuple[str, str]]]:
    """Packages/status text -> stanzas of (field, value), continuation lines kept."""
    stanzas = []
    for block in re.split(r"\n\s*\n", text):
        fields: list[tuple[str, str]] = []
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and fields:
                fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + line)
            elif ":" in line:
                key, _, value = line.partition(":")
                fields.append((key, value.strip()))
        if fields:
            stanzas.append(fields)
    return stanzas


def control_text(fields: list[tuple[str, str]]) -> str:
    return "".join(f"{k}: {v}\n" for k, v in fields)


def build_deb(
    workdir: Path,
    control: list[tuple[str, str]],
    files: dict[str, tuple[bytes, int]],
    conffiles: tuple[str, ...] = (),
) -> Path:
    """A real .deb (dpkg-deb --build) with the given control fields and files."""
    fields = dict(control)
    stage = workdir / f"stage-{fields['Package']}"
    (stage / "DEBIAN").mkdir(parents=True)
    for path, (content, mode) in files.items():
        target = stage / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(mode)
    (stage / "DEBIAN" / "control").write_text(control_text(control), encoding="utf-8")
    if conffiles:
        (stage / "DEBIAN" / "conffiles").write_text("".join(f"{c}\n" for c in conffiles))
    return dpkg_deb(stage, workdir)


def dpkg_deb(stage: Path, workdir: Path) -> Path:
    fields = dict(deb822((stage / "DEBIAN" / "control").read_text(encoding="utf-8"))[0])
    version = fields["Version"].split(":")[-1]
    out = workdir / f"{fields['Package']}_{version}_{fields.get('Architecture', 'all')}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", str(stage), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def publish_flat_repo(
    repo_dir: Path, debs: list[tuple[Path, list[tuple[str, str]]]], release: dict[str, str]
) -> None:
    """(Re)write Packages and Release of a flat repository for the given .debs."""
    stanzas = []
    for deb, control in debs:
        if deb.parent != repo_dir:
            shutil.copy2(deb, repo_dir / deb.name)
        data = (repo_dir / deb.name).read_bytes()
        fields = [(k, v) for k, v in control if k not in ("Filename", "Size", "SHA256", "MD5sum")]
        fields += [
            ("Filename", f"./{deb.name}"),
            ("Size", str(len(data))),
            ("SHA256", hashlib.sha256(data).hexdigest()),
        ]
        stanzas.append(control_text(fields))
    packages = "\n".join(stanzas).encode()
    (repo_dir / "Packages").write_bytes(packages)
    head = "".join(f"{k}: {v}\n" for k, v in release.items())
    (repo_dir / "Release").write_text(
        f"{head}SHA256:\n {hashlib.sha256(packages).hexdigest()} {len(packages)} Packages\n"
    )


def apt_update(the_lab: lab.Lab, host: str) -> None:
    # The lab's own `apt-get update` settings: no hooks, sandbox user root (pytest's tmp dir
    # is 0700, _apt cannot read the file: repositories).
    out = in_host(
        the_lab,
        host,
        "apt-get",
        "-qq",
        "-o",
        "APT::Sandbox::User=root",
        "-o",
        "APT::Update::Post-Invoke-Success::=",
        "-o",
        "APT::Update::Post-Invoke::=",
        "update",
    )
    assert "E:" not in out, out


def add_flat_repo(the_lab: lab.Lab, host: str, repo_dir: Path) -> None:
    line = f"deb [trusted=yes] file:{repo_dir} ./"
    in_host(the_lab, host, "sh", "-c", f"echo '{line}' >> /etc/apt/sources.list")
    apt_update(the_lab, host)
