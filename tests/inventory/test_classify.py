import pytest

from verifier.errors import InventoryError
from verifier.inventory.classify import device_class_of, platform_of
from verifier.models import Platform


@pytest.mark.parametrize(
    ("variables", "platform"),
    [
        ({}, Platform.LINUX),
        ({"ansible_connection": "local"}, Platform.LINUX),
        ({"ansible_connection": "winrm"}, Platform.WINDOWS),
        ({"ansible_connection": "ansible.builtin.psrp"}, Platform.WINDOWS),
        ({"ansible_connection": "network_cli"}, Platform.NETWORK),
        ({"ansible_network_os": "cisco.ios.ios"}, Platform.NETWORK),
    ],
)
def test_platform(variables: dict[str, str], platform: Platform) -> None:
    assert platform_of(variables) is platform


def test_class_precedence() -> None:
    assert (
        device_class_of("h", {"verify_class": "Storage"}, ["servers"], Platform.LINUX) == "storage"
    )
    assert device_class_of("h", {}, ["firewalls"], Platform.NETWORK) == "firewall"
    assert device_class_of("h", {}, ["office"], Platform.LINUX) == "server"
    assert device_class_of("h", {}, [], Platform.WINDOWS) == "workstation"
    with pytest.raises(InventoryError):
        device_class_of("h", {"verify_class": "x"}, [], Platform.LINUX)


def test_firewall_platforms_default_to_firewall() -> None:
    assert device_class_of("fw", {"ansible_network_os": "cisco.asa.asa"}, [], Platform.NETWORK) == "firewall"
    assert device_class_of("fw", {"ansible_network_os": "fortios"}, [], Platform.NETWORK) == "firewall"
    assert device_class_of("sw", {"ansible_network_os": "cisco.ios.ios"}, [], Platform.NETWORK) == "network"
    assert device_class_of("sw", {"ansible_network_os": "cisco.asa.asa", "verify_class": "network"}, [], Platform.NETWORK) == "network"
