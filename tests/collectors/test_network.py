"""The netmiko collector against the lab's SSH device simulators (real netmiko, real SSH on
127.0.0.1), plus its pure failure classification."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import lab.netsim as netsim
from verifier.collectors.base import CollectOptions
from verifier.collectors.network import NetmikoCollector, _classify
from verifier.events import Event, HostCollected
from verifier.inventory.loader import load_hosts
from verifier.models import Collection, HostStatus

NETWORK_OS = {
    "cisco_ios": "cisco.ios.ios",
    "cisco_asa": "cisco.asa.asa",
    "fortinet": "fortinet.fortios.fortios",
    "juniper_junos": "junipernetworks.junos.junos",
    "arista_eos": "arista.eos.eos",
    "mikrotik_routeros": "community.routeros.routeros",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sim() -> Iterator[netsim.NetSim]:
    handle = netsim.start(netsim.lab_devices(extras=True))
    yield handle
    handle.stop()


def _inventory(sim: netsim.NetSim, path: Path) -> Path:
    hosts = {}
    for device in sim.devices:
        base = device.name.removeprefix("hang-").removeprefix("wrong-pw-")
        profile = (
            netsim.PROFILES.get(device.name)
            or netsim.PROFILES[{"sw": "core-sw", "rtr": "branch-rtr"}[base]]
        )
        entry = {
            "ansible_host": "127.0.0.1",
            "ansible_port": device.port,
            "ansible_user": profile.username,
            "ansible_password": profile.password,
            "ansible_network_os": NETWORK_OS[device.platform],
        }
        if profile.enable_password:
            entry["ansible_become_password"] = profile.enable_password
        hosts[device.name] = entry
    hosts["refused-sw"] = {**hosts["core-sw"], "ansible_port": _free_port()}
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def collected(
    sim: netsim.NetSim, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Collection]:
    workdir = tmp_path_factory.mktemp("netmiko")
    inventory = _inventory(sim, workdir / "inv.yml")
    events: list[Event] = []
    options = CollectOptions(
        inventory=inventory,
        forks=10,
        connect_timeout=5,
        task_timeout=20,
        capture_dir=workdir / "captures",
    )
    NetmikoCollector().collect(load_hosts(inventory), options, events.append)
    return {e.host: e.collection for e in events if isinstance(e, HostCollected)}


@pytest.mark.parametrize("name", sorted(netsim.PROFILES))
def test_every_platform_is_collected_and_parsed(
    collected: dict[str, Collection], name: str
) -> None:
    collection = collected[name]
    assert collection.status is HostStatus.REACHABLE, collection.message
    assert collection.facts is not None
    facts = collection.facts.facts
    assert facts["os"]["family"] == "network" and facts["os"]["version"]
    assert "running_redacted" in facts.get("config", {})


def test_failures_are_host_statuses_not_crashes(collected: dict[str, Collection]) -> None:
    assert collected["wrong-pw-rtr"].status is HostStatus.AUTH_FAILED
    assert collected["hang-sw"].status in (HostStatus.ERROR, HostStatus.TIMEOUT)
    assert "prompt" in collected["hang-sw"].message or "timed out" in collected["hang-sw"].message
    assert collected["refused-sw"].status is HostStatus.UNREACHABLE


def test_no_secret_in_facts_or_messages(collected: dict[str, Collection]) -> None:
    text = repr(collected)
    for profile in netsim.PROFILES.values():
        for secret in profile.secrets:
            assert secret not in text, f"{profile.name}: {secret[:12]}..."


def test_classify_refused_and_plain_errors() -> None:
    assert (
        _classify(ConnectionRefusedError("[Errno 111] Connection refused"), "connect").status
        is HostStatus.UNREACHABLE
    )
    assert _classify(RuntimeError("boom"), "`show version`").status is HostStatus.ERROR
