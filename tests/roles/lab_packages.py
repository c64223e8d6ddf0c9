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


# ------------------------------------------------------------------ ClamAV stand-ins

# What the lab host's clamav-freshclam / clamav-daemon do, in the style of the lab's fake
# daemons (copies of sleep named after the real process): the real packages' program names,
# init scripts and database directory, no real scanning or downloading.
CLAMAV_VERSION = "0.103.2+dfsg-0ubuntu0.16.04.1+verifylab1"
CLAMAV_DB = "/var/lib/clamav"
_FETCH = f"""fetch() {{
  mkdir -p {CLAMAV_DB}
  for db in main daily bytecode; do
    [ -e "{CLAMAV_DB}/$db.cvd" ] && continue
    printf 'verify lab placeholder, not ClamAV signatures\\n' > "{CLAMAV_DB}/$db.cvd.tmp"
    mv "{CLAMAV_DB}/$db.cvd.tmp" "{CLAMAV_DB}/$db.cvd"
  done
}}
"""
_HAVE_DB = f"""have_db() {{
  for f in {CLAMAV_DB}/*.cvd {CLAMAV_DB}/*.cld; do [ -e "$f" ] && return 0; done
  return 1
}}
"""
FRESHCLAM = f"""#!/bin/sh
# verify lab stand-in for freshclam. `freshclam -d` detaches a daemon named freshclam and,
# two seconds later, "downloads" placeholder signatures to {CLAMAV_DB} (as the real daemon
# does on its first run); plain `freshclam` writes them at once.
{_FETCH}case " $* " in
  *" -d "*|*" --daemon "*)
    setsid /usr/lib/verify-lab/freshclam infinity </dev/null >/dev/null 2>&1 &
    setsid sh -c 'sleep 2; exec /usr/bin/freshclam' </dev/null >/dev/null 2>&1 &
    exit 0 ;;
esac
fetch
"""
CLAMD = f"""#!/bin/sh
# verify lab stand-in for clamd: like the real one it will not start without signatures;
# otherwise it detaches a process named clamd that scans nothing.
{_HAVE_DB}if ! have_db; then
  echo "LibClamAV Error: cli_loaddbdir(): No supported database files found in {CLAMAV_DB}" >&2
  exit 1
fi
setsid /usr/lib/verify-lab/clamd infinity </dev/null >/dev/null 2>&1 &
"""


def _init_script(
    service: str, process: str, start: str, description: str, preamble: str = ""
) -> str:
    return f"""#!/bin/sh
### BEGIN INIT INFO
# Provides:          {service}
# Required-Start:    $remote_fs $syslog
# Required-Stop:     $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: {description} (verify lab stand-in)
### END INIT INFO
{preamble}case "$1" in
  start)
{start}    for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -x {process} >/dev/null && exit 0; sleep 0.2; done
    exit 1 ;;
  stop) pkill -x {process}; exit 0 ;;
  restart|force-reload) "$0" stop; "$0" start ;;
  status)
    if pgrep -x {process} >/dev/null; then echo "{process} is running"; exit 0; fi
    echo "{process} is not running"; exit 3 ;;
  *) echo "Usage: $0 {{start|stop|restart|force-reload|status}}" >&2; exit 3 ;;
esac
"""


FRESHCLAM_INIT = _init_script(
    "clamav-freshclam",
    "freshclam",
    "    pgrep -x freshclam >/dev/null || /usr/bin/freshclam -d\n",
    "ClamAV virus database updater",
)
# Debian's script: without signatures it says so and exits 0 without starting clamd.
CLAMD_INIT = _init_script(
    "clamav-daemon",
    "clamd",
    f"""    if ! have_db; then
      echo "Clamav signatures not found in {CLAMAV_DB}"
      echo "Please retrieve them using freshclam"
      echo "Then run '/etc/init.d/clamav-daemon start'"
      exit 0
    fi
    pgrep -x clamd >/dev/null || /usr/sbin/clamd
""",
    "ClamAV daemon",
    _HAVE_DB,
)
FRESHCLAM_CONF = "DatabaseDirectory /var/lib/clamav\nUpdateLogFile /var/log/clamav/freshclam.log\n"
CLAMD_CONF = "LocalSocket /var/run/clamav/clamd.ctl\nDatabaseDirectory /var/lib/clamav\n"


def _clamav_control(package: str, description: str, depends: str = "") -> list[tuple[str, str]]:
    control = [
        ("Package", package),
        ("Version", CLAMAV_VERSION),
        ("Architecture", "all"),
        ("Maintainer", "verify lab <lab@example.invalid>"),
        ("Section", "utils"),
        ("Priority", "optional"),
    ]
    if depends:
        control.append(("Depends", depends))
    control.append(
        ("Description", f"verify lab stand-in for {package}\n {description} (a copy of sleep).")
    )
    return control


def clamav_stand_in_repo(workdir: Path) -> Path:
    """A flat repository with stand-in ``clamav-freshclam`` and ``clamav-daemon`` packages:
    the real names, programs (``/usr/bin/freshclam``, ``/usr/sbin/clamd``), init scripts and
    configuration files (conffiles); the daemons are copies of sleep named freshclam/clamd.
    No maintainer scripts: nothing starts them at install time."""
    repo_dir = workdir / "clamav-repo"
    repo_dir.mkdir(parents=True)
    sleep = Path("/bin/sleep").read_bytes()
    fresh_control = _clamav_control(
        "clamav-freshclam", "freshclam -d runs a daemon named freshclam"
    )
    fresh_conffiles = ("/etc/clamav/freshclam.conf", "/etc/init.d/clamav-freshclam")
    fresh = build_deb(
        workdir,
        fresh_control,
        {
            "/usr/bin/freshclam": (FRESHCLAM.encode(), 0o755),
            "/usr/lib/verify-lab/freshclam": (sleep, 0o755),
            "/etc/clamav/freshclam.conf": (FRESHCLAM_CONF.encode(), 0o644),
            "/etc/init.d/clamav-freshclam": (FRESHCLAM_INIT.encode(), 0o755),
        },
        fresh_conffiles,
    )
    daemon_control = _clamav_control(
        "clamav-daemon", "clamd runs a daemon named clamd", "clamav-freshclam"
    )
    daemon = build_deb(
        workdir,
        daemon_control,
        {
            "/usr/sbin/clamd": (CLAMD.encode(), 0o755),
            "/usr/lib/verify-lab/clamd": (sleep, 0o755),
            "/etc/clamav/clamd.conf": (CLAMD_CONF.encode(), 0o644),
            "/etc/init.d/clamav-daemon": (CLAMD_INIT.encode(), 0o755),
        },
        ("/etc/clamav/clamd.conf", "/etc/init.d/clamav-daemon"),
    )
    publish_flat_repo(
        repo_dir,
        [(fresh, fresh_control), (daemon, daemon_control)],
        {
            "Origin": "verify-lab",
            "Label": "verify-lab",
            "Suite": "lab",
            "Codename": "lab",
            "Date": "Tue, 01 Dec 2020 00:00:00 UTC",
        },
    )
    return repo_dir


# ------------------------------------------------------------------ command line

STAND_INS = ("clamav", "chrony", "unattended-upgrades", "upgrades")


def prepare_host(the_lab: lab.Lab, host: str, workdir: Path, stand_ins: list[str]) -> None:
    """Isolate the host's installs, then make the named stand-ins installable there:
    ``clamav`` (clamav-freshclam, clamav-daemon), ``chrony`` (test_time_sync),
    ``unattended-upgrades`` (test_auto_updates), ``upgrades`` (the lab's pending upgrades
    as real packages, test_package_updates; Ubuntu 16.04 hosts)."""
    isolate_installs(the_lab, host)
    for name in stand_ins:
        sub = workdir / name
        sub.mkdir(parents=True, exist_ok=True)
        if name == "clamav":
            add_flat_repo(the_lab, host, clamav_stand_in_repo(sub))
        elif name == "chrony":
            from tests.roles.test_time_sync import stand_in_repo as chrony_repo

            add_flat_repo(the_lab, host, chrony_repo(sub))
        elif name == "unattended-upgrades":
            from tests.roles.test_auto_updates import stand_in_repo as uu_repo

            add_flat_repo(the_lab, host, uu_repo(sub))
        elif name == "upgrades":
            from tests.roles.test_package_updates import make_lab_upgrades_installable

            make_lab_upgrades_installable(the_lab, host, sub)
        else:
            raise ValueError(f"unknown stand-in {name!r} (known: {', '.join(STAND_INS)})")


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.roles.lab_packages --state-dir DIR --workdir DIR STAND_IN...``
    (molecule's prepare step): prepare_host for the lab's one sshd host (or --host)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.roles.lab_packages")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--host")
    parser.add_argument("stand_ins", nargs="+", choices=STAND_INS)
    args = parser.parse_args(argv)
    the_lab = lab.load(args.state_dir)
    if the_lab is None:
        parser.error(f"no lab is up in {args.state_dir}")
    hosts = [h.name for h in the_lab.hosts.values() if h.kind == "sshd"]
    host = args.host or (hosts[0] if len(hosts) == 1 else None)
    if host is None:
        parser.error(f"--host is needed: the lab has {hosts}")
    prepare_host(the_lab, host, args.workdir, args.stand_ins)
    print(f"{host}: installs isolated; installable: {', '.join(args.stand_ins)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
