"""The WinRM test endpoint (lab/winrm): real pywinrm and Ansible's winrm plugin against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import winrm
from winrm.exceptions import InvalidCredentialsError

import lab
from lab.winrm import CommandRequest, Endpoint, RunningEndpoint, ServerHandle, start
from lab.winrm.handlers import default_handler

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ANSIBLE = str(VENV_BIN / "ansible") if (VENV_BIN / "ansible").exists() else "ansible"
USER, PASSWORD = "labadmin", "Pa55:w0rd!"  # ':' in the password on purpose
OTHER_USER, OTHER_PASSWORD = "CORP\\svc-verify", "other-secret"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    handle = start(
        [
            Endpoint(USER, PASSWORD, hostname="WIN-SRV2022"),
            Endpoint(OTHER_USER, OTHER_PASSWORD, hostname="WIN-10", auth=frozenset({"ntlm"})),
        ]
    )
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def main_ep(server: ServerHandle) -> RunningEndpoint:
    return server.endpoints[0]


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_run_cmd_and_run_ps(main_ep: RunningEndpoint, transport: str) -> None:
    s = winrm.Session(main_ep.url, auth=(USER, PASSWORD), transport=transport)
    r = s.run_cmd("hostname")
    assert (r.status_code, r.std_out, r.std_err) == (0, b"WIN-SRV2022\r\n", b"")
    r = s.run_ps("Write-Output 'hello'")
    assert (r.status_code, r.std_out, r.std_err) == (0, b"hello\r\n", b"")
    r = s.run_cmd("cmd", ["/c", "echo", "X"])
    assert (r.status_code, r.std_out) == (0, b"X\r\n")
    r = s.run_cmd("whoami")
    assert r.std_out == b"win-srv2022\\labadmin\r\n"
    r = s.run_ps("Get-Nothing -Foo")
    assert r.status_code == 1 and r.std_out == b"" and b"Get-Nothing" in r.std_err


def test_ntlm_over_http_is_encrypted_both_ways(main_ep: RunningEndpoint) -> None:
    s = winrm.Session(main_ep.url, auth=(USER, PASSWORD), transport="ntlm")  # encryption auto
    before = main_ep.stats["sealed"]
    assert s.run_ps("Write-Output 'hello'").std_out == b"hello\r\n"
    assert s.protocol.transport.encryption is not None  # the client sealed its requests
    # open shell, command, receive, signal, delete: every exchange sealed by the server too
    # (pywinrm only decrypts replies whose Content-Type names the SPNEGO protocol).
    assert main_ep.stats["sealed"] - before == 5


def test_domain_user_ntlm_only_endpoint(server: ServerHandle) -> None:
    ep = server.endpoints[1]
    r = winrm.Session(ep.url, auth=(OTHER_USER, OTHER_PASSWORD), transport="ntlm").run_cmd(
        "hostname"
    )
    assert r.std_out == b"WIN-10\r\n"
    with pytest.raises(InvalidCredentialsError):  # Basic not offered on this endpoint
        winrm.Session(ep.url, auth=(OTHER_USER, OTHER_PASSWORD), transport="basic").run_cmd(
            "hostname"
        )


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
@pytest.mark.parametrize(
    "creds",
    [(USER, "wrong"), (OTHER_USER, OTHER_PASSWORD), ("nobody", PASSWORD)],
    ids=["wrong-password", "other-endpoints-user", "unknown-user"],
)
def test_wrong_credentials_get_401(
    main_ep: RunningEndpoint, transport: str, creds: tuple[str, str]
) -> None:
    with pytest.raises(InvalidCredentialsError):
        winrm.Session(main_ep.url, auth=creds, transport=transport).run_cmd("hostname")


def test_custom_handler_gets_command_and_stdin() -> None:
    seen: list[CommandRequest] = []

    def handler(req: CommandRequest) -> lab.winrm.CommandResult:
        seen.append(req)
        return lab.winrm.CommandResult(stdout=req.stdin[::-1], stderr=b"e", exit_code=3)

    with start([Endpoint("u", "p", handler=handler)]) as h:
        p = winrm.Protocol(h.endpoints[0].url, transport="basic", username="u", password="p")
        shell = p.open_shell()
        cid = p.run_command(shell, "findstr", ["/v", "x"])
        p.send_command_input(shell, cid, b"abc")
        p.send_command_input(shell, cid, b"def", end=True)
        assert p.get_command_output(shell, cid) == (b"fedcba", b"e", 3)
        p.cleanup_command(shell, cid)
        p.close_shell(shell)
    assert [(r.command, r.arguments, r.username) for r in seen] == [("findstr", ("/v x",), "u")]


def test_default_handler_unknown_command() -> None:
    r = default_handler(CommandRequest("nosuch.exe"))
    assert r.exit_code == 9009 and b"not recognized" in r.stderr


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_ansible_raw_over_winrm(main_ep: RunningEndpoint, transport: str, tmp_path: Path) -> None:
    inv = tmp_path / "hosts.ini"
    inv.write_text(
        "[windows]\n"
        f"win ansible_host=127.0.0.1 ansible_port={main_ep.port} ansible_connection=winrm"
        f" ansible_winrm_transport={transport} ansible_winrm_scheme=http"
        f" ansible_user={USER} ansible_password='{PASSWORD}'\n"
    )
    env = lab.ansible_env(tmp_path / "ansible")
    proc = subprocess.run(
        [ANSIBLE, "-i", str(inv), "windows", "-m", "raw", "-a", "hostname"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "win | CHANGED | rc=0" in proc.stdout and "WIN-SRV2022" in proc.stdout


def test_cli_serves_several_endpoints() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lab.winrm.server",
            "--listen",
            "127.0.0.1:0:alice:pw1",
            "--listen",
            "127.0.0.1:0:bob:pw:2",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        lines = [json.loads(proc.stdout.readline()) for _ in range(2)]
        assert [ln["user"] for ln in lines] == ["alice", "bob"]
        for ln, pw in zip(lines, ["pw1", "pw:2"], strict=True):
            r = winrm.Session(ln["url"], auth=(ln["user"], pw), transport="ntlm").run_cmd(
                "hostname"
            )
            assert r.std_out == b"WIN-LAB\r\n"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
