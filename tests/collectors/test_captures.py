from pathlib import Path

import pytest

from tests.helpers import host
from verifier.collectors.captures import default_class, read_captures, write_capture
from verifier.errors import InputError
from verifier.models import Platform

RUNNING = (
    "hostname r1\n"
    "enable secret 9 $9$CANARYsalt$CANARYhashvalue\n"
    "username admin privilege 15 password 0 CANARY-pw-clear\n"
    "snmp-server community CANARY-snmp-ro RO\n"
)


def test_round_trip_redacts_secrets(tmp_path: Path) -> None:
    device = host("r1", platform=Platform.NETWORK, device_class="network")
    folder = write_capture(
        tmp_path,
        device,
        "cisco_ios",
        {"show running-config": RUNNING, "show version": "Cisco IOS Software"},
    )
    saved = (folder / "show_running_config.txt").read_text(encoding="utf-8")
    assert "CANARY" not in saved and "<redacted>" in saved and "hostname r1" in saved
    [capture] = read_captures(tmp_path)
    assert capture.host.name == "r1" and capture.platform == "cisco_ios"
    assert capture.host.platform is Platform.NETWORK and capture.host.device_class == "network"
    assert set(capture.outputs) == {"show running-config", "show version"}


def test_folder_without_device_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "fw1").mkdir()
    with pytest.raises(InputError, match=r"fw1/device.yml: missing"):
        read_captures(tmp_path)


def test_unknown_platform_and_bad_yaml(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "device.yml").write_text("platform: hp_procurve\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"platform 'hp_procurve' is not one of"):
        read_captures(tmp_path)
    (tmp_path / "a" / "device.yml").write_text("platform: [cisco_ios\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a/device.yml:\d+: invalid YAML"):
        read_captures(tmp_path)


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_captures(tmp_path / "nope")
    with pytest.raises(InputError, match="no device folders"):
        read_captures(tmp_path)


def test_default_class() -> None:
    assert default_class("fortinet") == "firewall" and default_class("cisco_ios") == "network"
