"""Windows host profiles (lab/winrm/profiles): their recorded output against the collection
script, and real Ansible (winrm plugin, raw/win_ping/setup) against a server serving them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import winrm
import yaml
from winrm.exceptions import InvalidCredentialsError

import lab
from lab.winrm import (
    RECORDED_ON,
    ServerHandle,
    load_profile,
    profile_endpoint,
    profile_handler,
    profile_names,
    start,
)
from lab.winrm.handlers import CommandRequest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = (REPO / "playbooks/files/verify_windows_facts.ps1").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent
ANSIBLE = str(VENV_BIN / "ansible") if (VENV_BIN / "ansible").exists() else "ansible"
USER, PASSWORD = "CORP\\svc-verify", "Pa55:w0rd"
PROFILES = profile_names()
BROKEN = {"garbage", "halfway"}  # profiles whose collection does not complete on purpose
# The script's sections, in order: what every complete recording must contain.
SCRIPT_SECTIONS = re.findall(r"^Write-Section '([a-z0-9_]+)'", SCRIPT, re.MULTILINE)
BEGIN = re.search(r"^Write-Output '(\{\"section\":\"begin\".*\})'$", SCRIPT, re.MULTILINE)


def _filter_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "verify_powershell", REPO / "playbooks/filter_plugins/verify_powershell.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# verify's exact raw command: the script through the playbook's filter.
COLLECT_COMMAND: str = _filter_module().verify_powershell_bootstrap(SCRIPT)


def sections(profile: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in load_profile(profile).collect_lines()]


def section_data(profile: str, name: str) -> dict[str, Any]:
    found = [s for s in sections(profile) if s["section"] == name]
    assert len(found) == 1 and "data" in found[0], (profile, name)
    data = found[0]["data"]
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------ the recordings


def test_profiles_present() -> None:
    assert {
        "xp",
        "win7",
        "win10-22h2",
        "win11-23h2",
        "win11-25h2",
        "server2008r2",
        "server2022",
        "halfway",
        "garbage",
    } <= set(PROFILES)
    assert tuple(PROFILES) == lab.WINDOWS_PROFILES


def test_script_section_list_parses() -> None:
    """The section list comes from the script itself, so profiles cannot drift from it."""
    assert SCRIPT_SECTIONS[:3] == ["os", "computer", "license"]
    assert "software" in SCRIPT_SECTIONS and len(SCRIPT_SECTIONS) == len(set(SCRIPT_SECTIONS))
    assert BEGIN is not None and "verify-windows-facts v1" in SCRIPT.splitlines()[0]


@pytest.mark.parametrize("name", sorted(set(PROFILES) - BROKEN))
def test_complete_profile_has_every_section_of_the_script(name: str) -> None:
    lines = load_profile(name).collect_lines()
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    assert BEGIN is not None and lines[0] == BEGIN.group(1)
    assert parsed[-1] == {"section": "end"}
    assert [p["section"] for p in parsed[1:-1]] == SCRIPT_SECTIONS
    for p in parsed[1:-1]:
        assert set(p) in ({"section", "data"}, {"section", "error"}), p
        if "error" in p:
            assert isinstance(p["error"], str) and p["error"]
        else:
            assert isinstance(p["data"], dict)
    assert all(line.isascii() for line in lines)  # the serializer escapes the rest


def test_halfway_stops_after_license_and_fails() -> None:
    prof = load_profile("halfway")
    parsed = [json.loads(line) for line in prof.collect_lines()]
    assert [p["section"] for p in parsed] == ["begin", "os", "computer", "license"]
    assert prof.collect_exit_code == 1
    assert prof.collect_stderr.startswith(b"#< CLIXML\r\n<Objs ")
    from ansible.plugins.shell.powershell import _parse_clixml

    text = _parse_clixml(prof.collect_stderr).decode()
    assert text.startswith("Exception of type 'System.OutOfMemoryException' was thrown.\r\n")
    assert "FullyQualifiedErrorId : System.OutOfMemoryException" in text


def test_garbage_has_no_json_line() -> None:
    for line in load_profile("garbage").collect_lines():
        with pytest.raises(ValueError):
            json.loads(line)


@pytest.mark.parametrize("name", sorted(set(PROFILES) - {"garbage"}))
def test_profile_yml_matches_the_recording(name: str) -> None:
    prof = load_profile(name)
    os_, cs = section_data(name, "os"), section_data(name, "computer")
    assert cs["name"] == prof.hostname
    assert os_["caption"] == prof.os["caption"]
    assert os_["version"] == prof.os["version"]
    assert os_["build_number"] == prof.os["version"].split(".")[2]
    assert os_["product_type"] == prof.os["product_type"]
    assert os_["powershell_version"] == prof.powershell_version
    assert os_["last_boot"] == prof.os["last_boot"]
    assert os_["installation_type"] == prof.os["installation_type"]
    assert prof.verify_class == ("workstation" if os_["product_type"] == 1 else "server")
    assert cs["manufacturer"] == prof.hardware["manufacturer"]
    assert cs["model"] == prof.hardware["model"]
    assert cs["bios_serial"] == prof.hardware["serial"]
    assert cs["bios_version"] == prof.hardware["bios_version"]
    assert cs["bios_release_date"] == f"{prof.hardware['bios_date']}T00:00:00Z"
    assert cs["total_physical_memory"] == prof.hardware["memory_bytes"]
    assert cs["part_of_domain"] == prof.domain["member"]
    assert cs["domain_role"] == prof.domain["role"]
    assert cs["domain"] == prof.domain["name"]
    assert prof.expect.strip()
    local = dt.datetime.strptime(os_["local_time"], "%Y-%m-%dT%H:%M:%SZ").date()
    assert local == RECORDED_ON


def test_partial_keys_distinct_but_one_retail_pair() -> None:
    keys: dict[str, list[str]] = {}
    for name in sorted(set(PROFILES) - {"garbage"}):
        lic = section_data(name, "license")
        products = lic.get("products") or [lic]
        for p in products:
            key = p["partial_product_key"]
            assert re.fullmatch(r"[BCDFGHJKMPQRTVWXY2346789]{5}", key), (name, key)
            keys.setdefault(key, []).append(name)
    shared = {k: v for k, v in keys.items() if len(v) > 1}
    assert shared == {"TF3XW": ["halfway", "win10-22h2"]}
    for name in shared["TF3XW"]:
        desc = section_data(name, "license")["products"][0]["description"]
        assert desc.endswith("RETAIL channel")


def test_fully_compliant_profile() -> None:
    """win11-25h2 is the all-pass workstation: spot-check the facts that make it so."""
    assert section_data("win11-25h2", "defender")["realtime_enabled"] is True
    assert section_data("win11-25h2", "bitlocker")["volumes"][0]["protection_status"] == 1
    fw = section_data("win11-25h2", "firewall")["profiles"]
    assert all(p["local"] == 1 for p in fw.values())
    lines = section_data("win11-25h2", "password_policy")["net_accounts"]
    assert any(re.match(r"Minimum password length:\s+12$", ln) for ln in lines)
    assert any(re.match(r"Lockout threshold:\s+5$", ln) for ln in lines)
    names = [s["name"] for s in section_data("win11-25h2", "software")["items"]]
    assert "Veeam Agent for Microsoft Windows" in names
    lcu = [h for h in section_data("win11-25h2", "hotfixes")["items"] if h["id"] == "KB5074122"]
    installed = dt.datetime.strptime(lcu[0]["installed_on"], "%m/%d/%Y %H:%M:%S").date()
    assert (RECORDED_ON - installed).days < 14


def test_handler_shifts_dates_and_renames() -> None:
    handler = profile_handler(
        "win10-22h2", hostname="WIN10-22H2-07", today=RECORDED_ON.replace(day=30)
    )
    argv = _powershell_argv(COLLECT_COMMAND)
    out = handler(CommandRequest(argv[0], (" ".join(argv[1:]),))).stdout.decode()
    assert "DESKTOP-4HQ7N2K" not in out and "WinNT://WORKGROUP/WIN10-22H2-07/Owner" in out
    assert '"local_time":"2026-11-30T14:12:09Z"' in out
    assert '"installed_on":"10/22/2025 00:00:00"' in out
    assert "Mon, 30 Nov 2026 09:41:22 GMT" in out
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")


def _powershell_argv(script: str) -> list[str]:
    import base64

    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    return ["PowerShell", "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded]


# ------------------------------------------------------------------ over the wire


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    # Odd profiles over Basic+NTLM, even ones NTLM only, as lab inventories mix them.
    endpoints = [
        profile_endpoint(
            name,
            USER if i % 2 == 0 else "verify",
            PASSWORD,
            auth=frozenset({"ntlm"}) if i % 2 == 0 else frozenset({"basic", "ntlm"}),
        )
        for i, name in enumerate(PROFILES)
    ]
    handle = start(endpoints)
    yield handle
    handle.stop()


def _inventory(server: ServerHandle, tmp: Path, password: str = PASSWORD) -> Path:
    hosts: dict[str, Any] = {}
    for r in server.endpoints:
        basic = "basic" in r.endpoint.auth
        hosts[r.endpoint.name] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": r.port,
            "ansible_connection": "winrm",
            "ansible_winrm_transport": "basic" if basic else "ntlm",
            "ansible_winrm_scheme": "http",
            "ansible_user": r.endpoint.username,
            "ansible_password": password,
        }
    path = tmp / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return path


def adhoc(inventory: Path, base: Path, module: str, args: str = "") -> dict[str, Any]:
    env = lab.ansible_env(base, VENV_BIN)
    env.update(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    cmd = [ANSIBLE, "all", "-i", str(inventory), "-m", module, "-f", "20"]
    if args:
        cmd += ["-a", args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    data = json.loads(proc.stdout[proc.stdout.index("{") :])
    results: dict[str, Any] = data["plays"][0]["tasks"][0]["hosts"]
    return results


@pytest.mark.integration
def test_ansible_raw_returns_each_recording(server: ServerHandle, tmp_path: Path) -> None:
    results = adhoc(_inventory(server, tmp_path), tmp_path / "a", "raw", COLLECT_COMMAND)
    assert set(results) == set(PROFILES)
    for name, r in results.items():
        prof = load_profile(name)
        assert r["stdout"] == prof.collect_stdout.decode(), name
        assert r["rc"] == prof.collect_exit_code, name
        assert r.get("failed", False) is (prof.collect_exit_code != 0), name
    assert "OutOfMemoryException" in results["halfway"]["stderr"]


@pytest.mark.integration
def test_ansible_modules_need_powershell_51(server: ServerHandle, tmp_path: Path) -> None:
    inventory = _inventory(server, tmp_path)
    pings = adhoc(inventory, tmp_path / "a", "ansible.windows.win_ping")
    setups = adhoc(inventory, tmp_path / "a", "ansible.windows.setup")
    for name in PROFILES:
        prof = load_profile(name)
        if prof.modern_powershell:
            assert pings[name].get("ping") == "pong", (name, pings[name])
            facts = setups[name]["ansible_facts"]
            assert facts["ansible_hostname"] == prof.hostname
            assert facts["ansible_os_name"] == prof.os["caption"].strip()
            assert facts["ansible_distribution_version"] == prof.os["version"] + ".0"
            assert facts["ansible_os_product_type"] == prof.verify_class
            assert facts["ansible_bios_version"] == prof.hardware["bios_version"]
            assert facts["ansible_product_serial"] == prof.hardware["serial"]
            assert facts["ansible_powershell_version"] == 5
            assert facts["ansible_windows_domain_member"] is prof.domain["member"]
        else:
            for r in (pings[name], setups[name]):
                assert r.get("failed") is True and r["msg"] == "Ansible requires PowerShell v5.1"
    assert {n for n in PROFILES if not load_profile(n).modern_powershell} == {
        "xp",
        "win7",
        "server2008r2",
    }


@pytest.mark.integration
def test_wrong_password_is_a_401(server: ServerHandle, tmp_path: Path) -> None:
    results = adhoc(_inventory(server, tmp_path, "wrong"), tmp_path / "a", "raw", "hostname")
    for name, r in results.items():
        assert r.get("unreachable") is True, (name, r)
        assert "credentials were rejected" in r["msg"], (name, r["msg"])
    for r in server.endpoints:
        transport = "basic" if "basic" in r.endpoint.auth else "ntlm"
        with pytest.raises(InvalidCredentialsError):
            winrm.Session(r.url, auth=(r.endpoint.username, "wrong"), transport=transport).run_cmd(
                "hostname"
            )


@pytest.mark.integration
def test_cli_serves_profiles_on_several_ports(tmp_path: Path) -> None:
    ports_file = tmp_path / "ports.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lab.winrm.server",
            "--listen",
            "127.0.0.1:0:alice:pw:1:win11-25h2",  # password "pw:1", profile win11-25h2
            "--listen",
            "127.0.0.1:0:bob:pw2:xp",
            "--listen",
            "127.0.0.1:0:carol:pw3",  # no profile: the default handler
            "--ports-file",
            str(ports_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        lines = [json.loads(proc.stdout.readline()) for _ in range(3)]
        assert [(ln["user"], ln["profile"]) for ln in lines] == [
            ("alice", "win11-25h2"),
            ("bob", "xp"),
            ("carol", None),
        ]
        assert json.loads(ports_file.read_text()) == {ln["name"]: ln["port"] for ln in lines}
        sessions = [
            winrm.Session(ln["url"], auth=(ln["user"], pw), transport="ntlm")
            for ln, pw in zip(lines, ["pw:1", "pw2", "pw3"], strict=True)
        ]
        r = sessions[0].run_ps(COLLECT_COMMAND)  # pywinrm's own -EncodedCommand
        assert (r.status_code, r.std_out) == (0, load_profile("win11-25h2").collect_stdout)
        assert sessions[1].run_cmd("hostname").std_out == b"FRONTDESK-XP\r\n"
        assert sessions[2].run_cmd("hostname").std_out == b"WIN-LAB\r\n"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


# ------------------------------------------------------------------ the lab


@pytest.mark.integration
def test_lab_inventory_windows_groups(lab_network: lab.Lab) -> None:
    inv = yaml.safe_load(lab_network.inventory_path.read_text())["all"]["children"]
    windows, unreachable = inv["windows"]["hosts"], inv["windows_unreachable"]["hosts"]
    assert set(windows) == {
        "win-xp",
        "win-7",
        "win-10",
        "win-11-23h2",
        "win-11-25h2",
        "win-2008r2",
        "win-2022",
        "win-halfway",
        "win-garbage",
    }
    assert set(unreachable) == {"win-unreachable", "win-wrong-password"}
    for name, host in (*windows.items(), *unreachable.items()):
        assert host["ansible_connection"] == "winrm"
        assert host["ansible_winrm_scheme"] == ("https" if name == "win-2022" else "http")
        assert host["ansible_host"] == "127.0.0.1"
        assert host["ansible_password"] == lab.CANARY_PASSWORD
        assert host["ansible_winrm_transport"] in ("ntlm", "basic")
        assert host["verify_class"] in ("workstation", "server")
    assert windows["win-xp"]["ansible_winrm_transport"] == "basic"
    assert windows["win-2022"]["verify_class"] == "server"
    assert windows["win-7"]["ansible_user"] == "NORTHWIND\\svc-verify"
    assert "win-xp" not in inv["linux"]["hosts"] and "win-xp" not in inv["lab_unreachable"]["hosts"]
    info = lab.status(lab_network.state_dir)
    assert info["winrm_alive"] is True and info["hosts"]["win-10"]["kind"] == "winrm"


@pytest.mark.integration
def test_lab_windows_hosts_answer_and_canary_never_leaks(
    lab_network: lab.Lab, tmp_path: Path
) -> None:
    env = lab.ansible_env(tmp_path, VENV_BIN)
    env.update(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    cmd = [ANSIBLE, "windows:windows_unreachable", "-i", str(lab_network.inventory_path)]
    proc = subprocess.run(
        [*cmd, "-m", "raw", "-a", COLLECT_COMMAND, "-f", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    raw = proc.stdout + proc.stderr
    results = json.loads(proc.stdout[proc.stdout.index("{") :])["plays"][0]["tasks"][0]["hosts"]
    assert lab.CANARY_PASSWORD not in raw
    assert results["win-unreachable"]["unreachable"] is True
    assert "credentials were rejected" in results["win-wrong-password"]["msg"]
    assert results["win-11-25h2"]["rc"] == 0
    out = results["win-11-25h2"]["stdout"].splitlines()
    assert json.loads(out[-1]) == {"section": "end"}
    # Served as of the lab's day: the host's clock reads today.
    local = json.loads(out[1])["data"]["local_time"]
    assert local.startswith(dt.date.today().isoformat())
    assert results["win-halfway"]["rc"] == 1
