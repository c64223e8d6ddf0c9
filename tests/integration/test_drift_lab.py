"""Nightly drift on the lab, end to end with the real CLI: run and accept a snapshot, check
that an unchanged network gives no drift and no alert, then change the network the way clients'
networks change (antivirus removed, a new sudo admin, a switch on older firmware) and check
that exactly those changes are reported and alerted once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

import lab
from lab import netsim
from lab.netsim.server import NetSim
from tests.conftest import lab_missing
from tests.integration.verify_run import CANARIES, VERIFY
from tests.roles.lab_packages import isolate_installs
from tests.roles.role_helpers import in_host

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
LINUX_HOST = "files-debian"
SWITCH = "core-sw"


class _Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on loopback: records every JSON body it is sent."""

    posts: ClassVar[list[dict[str, Any]]] = []
    failed = 0
    url = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/broken":  # a receiver that is down: 503 on every attempt
            type(self).failed += 1
            self.send_response(503)
            self.end_headers()
            return
        type(self).posts.append(json.loads(body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:
        return None


@dataclass
class Client:
    """A client network: one lab Linux host and one simulated switch, with its own inventory,
    history database and alert configuration."""

    lab: lab.Lab
    inventory: Path
    db: Path
    notify: Path
    workdir: Path
    switch: NetSim
    switch_port: int
    posts: list[dict[str, Any]]

    def verify(self, *args: str, webhook: str = "/hook") -> subprocess.CompletedProcess[str]:
        env = lab.ansible_env(self.workdir / "ansible", BIN)
        env["VERIFY_DRIFT_WEBHOOK"] = _Receiver.url + webhook
        return subprocess.run(
            [*VERIFY, *args, "-i", str(self.inventory), "--db", str(self.db), "--timeout", "5"],
            capture_output=True, text=True, env=env, cwd=self.workdir, timeout=900,
        )

    def history(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*VERIFY, "history", *args, "--db", str(self.db)],
                              capture_output=True, text=True, cwd=self.workdir, timeout=300)

    def serve_switch(self, folder: Path) -> None:
        self.switch.stop()
        profile = netsim.PROFILES[SWITCH]
        device = netsim.SimDevice(folder, profile.username, profile.password,
                                  enable_password=profile.enable_password, port=self.switch_port,
                                  name=SWITCH)
        self.switch = netsim.start([device])


def _old_firmware(tmp: Path) -> Path:
    """core-sw's capture with the IOS XE 16.12 train (past its end of support) instead of 17.12."""
    folder = tmp / "core-sw-16.12"
    shutil.copytree(netsim.PROFILES[SWITCH].folder, folder)
    version = folder / "show_version.txt"
    text = version.read_text(encoding="utf-8")
    version.write_text(text.replace("17.12.04", "16.12.04").replace("17.12.4", "16.12.4"),
                       encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    reason = lab_missing()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("drift-lab")
    workdir = tmp_path_factory.mktemp("drift-work")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    the_lab = lab.up(state, hosts=[lab.HostSpec(LINUX_HOST, "debian12")])
    switch = netsim.start([netsim.sim_device(SWITCH)])
    port = switch.devices[0].port
    try:
        inventory = yaml.safe_load(the_lab.inventory_path.read_text(encoding="utf-8"))
        profile = netsim.PROFILES[SWITCH]
        inventory["all"].setdefault("children", {})["network"] = {"hosts": {SWITCH: {
            "ansible_host": "127.0.0.1", "ansible_port": port, "ansible_user": profile.username,
            "ansible_password": profile.password, "ansible_network_os": "cisco.ios.ios",
            "ansible_become_password": profile.enable_password, "verify_class": "network",
        }}}
        client_inventory = workdir / "client.yml"
        client_inventory.write_text(yaml.safe_dump(inventory), encoding="utf-8")
        notify = workdir / "notify.yml"
        notify.write_text(
            "retry: {attempts: 2, backoff_seconds: 0, timeout_seconds: 10}\n"
            "webhooks:\n  - name: noc\n    format: json\n    url_env: VERIFY_DRIFT_WEBHOOK\n",
            encoding="utf-8",
        )
        the_client = Client(the_lab, client_inventory, workdir / "history.sqlite3", notify,
                            workdir, switch, port, _Receiver.posts)
        yield the_client
        the_client.switch.stop()
    finally:
        switch.stop()
        server.shutdown()
        lab.down(state)


def _changes(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(c["host"], c["kind"], c["subject"]) for c in document["changes"]}


def test_accept_then_no_drift_means_no_alert(client: Client) -> None:
    first = client.verify("baseline", "--accept", "-o", "accepted.json")
    assert first.returncode == 1, first.stderr  # the lab host fails some checks: accepted as is
    assert "accepted as the snapshot" in first.stdout
    report = json.loads((client.workdir / "accepted.json").read_text())
    assert {h["name"]: h["status"] for h in report["hosts"]} == {
        LINUX_HOST: "reachable", SWITCH: "reachable"}

    quiet = client.verify("drift", "--notify-config", str(client.notify), "-o", "quiet.json")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    document = json.loads((client.workdir / "quiet.json").read_text())
    assert document["drift"] is False and document["changes"] == []
    assert "No drift since the accepted snapshot" in quiet.stdout
    assert client.posts == []


def test_changes_are_reported_exactly_and_alerted_once(client: Client) -> None:
    # Antivirus uninstalled: the packages removed with the real dpkg (inside overlays over
    # the host's /usr and /var) and the daemons stopped.
    isolate_installs(client.lab, LINUX_HOST)
    in_host(client.lab, LINUX_HOST, "dpkg", "--purge", "--force-depends",
            "clamav-daemon", "clamav-freshclam", "clamav")
    pid = str(client.lab.hosts[LINUX_HOST].init_pid)
    subprocess.run(["nsenter", "-t", pid, "-m", "-p", "--", "pkill", "-x", "clamd|freshclam"],
                   check=True, timeout=60)
    in_host(client.lab, LINUX_HOST, "rm", "-f", "/usr/local/sbin/clamd", "/usr/local/bin/freshclam")
    # A new local admin.
    in_host(client.lab, LINUX_HOST, "useradd", "-m", "-G", "sudo", "mallory")
    # The switch comes back on older firmware.
    client.serve_switch(_old_firmware(client.workdir))

    drift = client.verify("drift", "--notify-config", str(client.notify), "-o", "drift.json")
    assert drift.returncode == 1, drift.stdout + drift.stderr
    document = json.loads((client.workdir / "drift.json").read_text())
    assert document["drift"] is True
    assert _changes(document) == {
        (LINUX_HOST, "security_agent_removed", "clamav"),
        (LINUX_HOST, "check_failing", "linux.antivirus.running"),
        (LINUX_HOST, "admin_added", "mallory"),
        (SWITCH, "firmware_changed", "os.version"),
        (SWITCH, "check_failing", "net.os.supported"),
    }, json.dumps(document["changes"], indent=1)
    firmware = next(c for c in document["changes"] if c["kind"] == "firmware_changed")
    assert (firmware["before"], firmware["after"]) == ("17.12.4", "16.12.4")

    [alert] = client.posts
    assert alert["drift"]["changes"] == document["changes"]
    assert "mallory" in alert["text"] and "security_agent_removed" in alert["text"]
    assert "alert webhook noc: delivered" in drift.stderr

    # The history keeps both runs and the drift: `history show` of the drift run lists it.
    runs = json.loads(client.history("list", "--format", "json").stdout)["runs"]
    assert [r["command"] for r in runs] == ["drift", "drift", "baseline"]
    assert runs[-1]["accepted"] is True
    shown = json.loads(client.history("show", str(runs[0]["id"]), "--format", "json").stdout)
    assert shown["drift"]["changes"] == document["changes"]
    wal = Path(str(client.db) + "-wal")
    database = client.db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for secret in (*CANARIES, netsim.PROFILES[SWITCH].password):
        assert secret.encode() not in database


def test_an_alert_that_cannot_be_delivered_is_retried_and_fails_the_run(client: Client) -> None:
    delivered = len(client.posts)
    drift = client.verify("drift", "--notify-config", str(client.notify), "-o", "undelivered.json",
                          webhook="/broken")
    assert drift.returncode == 6, drift.stdout + drift.stderr  # drift found, alert not delivered
    assert _Receiver.failed == 2  # retry.attempts in the config
    assert "alert webhook noc: FAILED" in drift.stderr and "(2 attempts)" in drift.stderr
    assert len(client.posts) == delivered
    assert json.loads((client.workdir / "undelivered.json").read_text())["drift"] is True
