import pytest

from verifier.facts.windows_products import BACKUP_PRODUCTS, SECURITY_PRODUCTS, canonical, detect


@pytest.mark.parametrize(
    ("display", "name"),
    [
        ("Windows Defender", "defender"),
        ("Microsoft Defender Antivirus", "defender"),
        ("CrowdStrike Windows Sensor", "crowdstrike"),
        ("Sentinel Agent", "sentinelone"),
        ("ESET Endpoint Antivirus", "eset"),
        ("Webroot SecureAnywhere", "webroot"),
        ("Notepad++ (64-bit x64)", None),
    ],
)
def test_security_names(display: str, name: str | None) -> None:
    assert canonical(SECURITY_PRODUCTS, display) == name


def test_running_needs_a_running_service() -> None:
    states = {"veeamendpointbackupsvc": "stopped"}
    assert detect(BACKUP_PRODUCTS, ["Veeam Agent for Microsoft Windows"], states) == (["veeam"], [])
    assert detect(BACKUP_PRODUCTS, [], {"veeamendpointbackupsvc": "running"}) == (["veeam"], ["veeam"])
    assert detect(BACKUP_PRODUCTS, ["Veeam Backup & Replication Console"], {}) == (["veeam"], [])
