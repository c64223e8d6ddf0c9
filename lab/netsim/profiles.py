"""The lab's simulated network devices (``lab/netsim/devices/<name>/``, capture layout).

Outputs are in the real format of each platform and release (learnt from public real outputs:
ntc-templates and genieparser test data, vendor documentation, published session logs); the
devices, addresses and serial numbers are made up. Secrets in the configurations are canaries
(``CANARY-...`` or a hash/encoding with ``CANARY`` inside), listed per profile in
:attr:`DeviceProfile.secrets` so tests can prove that none of them leaks into facts, reports or
logs. The ``public`` SNMP communities are literally ``public``: that is the finding.

``expected`` holds the facts (issue 5 fact schema) each profile is built to show; it is the
intent of the test data, for the parser and check tests to compare against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lab.netsim.server import SimDevice
from lab.netsim.session import Behaviour

DEVICES_DIR = Path(__file__).resolve().parent / "devices"


@dataclass(frozen=True)
class DeviceProfile:
    name: str
    platform: str
    username: str
    password: str
    enable_password: str | None
    description: str
    findings: tuple[str, ...]  # what a baseline should flag (empty: compliant)
    secrets: tuple[str, ...]  # strings in the outputs that must never appear in results
    expected: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def folder(self) -> Path:
        return DEVICES_DIR / self.name

    @property
    def canaries(self) -> tuple[str, ...]:
        """Everything that must never leak: login password, enable secret, config secrets."""
        creds = (self.password,) + ((self.enable_password,) if self.enable_password else ())
        return creds + self.secrets


def _profile(*, expected: dict[str, object], **kw: Any) -> DeviceProfile:
    return DeviceProfile(expected=MappingProxyType(expected), **kw)


_ALL = (
    _profile(
        name="core-sw",
        platform="cisco_ios",
        username="netops",
        password="CANARY-pw-core-sw",
        enable_password="CANARY-enable-core-sw",
        description="Catalyst 9300-48P, IOS-XE 17.12.4, core switch",
        findings=(),
        secrets=(
            "$9$CANARYcoreswEn$D2pfYP/hy8JsKvXF7LQdG7TmqnjjnmQ846vD7wIPlnD",
            "$9$CANARYcoreswPw$cSZPSUcBhGY4m9Pnsoc.CnKPGIUObhmEPnrlHjV8nTd",
            "$9$CANARYcoreswRo$aVQmY2z7Z5TqsSvccmtx5buOOWKuDV0GDutMYwsrhTH",
        ),
        expected={
            "os.vendor": "cisco",
            "os.name": "ios-xe",
            "os.version": "17.12.4",
            "hostname": "core-sw",
            "hardware.model": "C9300-48P",
            "hardware.serial": "FOC2417X0TZ",
            "config.unsaved": False,
            "mgmt.telnet_enabled": False,
            "mgmt.http_enabled": False,
            "mgmt.https_enabled": False,
            "mgmt.ssh_enabled": True,
            "mgmt.ssh_version": "2",
            "mgmt.idle_timeout_minutes": 10,
            "mgmt.login_banner": True,
            "snmp.default_community": False,
            "snmp.v3_only": True,
            "ntp.servers": ["10.10.50.1", "10.10.50.2"],
            "logging.syslog_servers": ["10.10.50.30"],
            "accounts.password_encryption": True,
        },
    ),
    _profile(
        name="branch-rtr",
        platform="cisco_ios",
        username="admin",
        password="CANARY-pw-branch-rtr",
        enable_password="CANARY-enable-branch-rtr",
        description="Cisco 2911 ISR G2, IOS 15.2(4)M7 (2014), branch router",
        findings=(
            "old firmware (15.2(4)M7)",
            "telnet allowed on vty 0 4",
            "ip http server (plain HTTP)",
            "SSH 1.99 (v1 allowed)",
            "SNMP community public (and a RW community)",
            "type 7 / cleartext passwords, no service password-encryption",
            "no exec-timeout (0 0), no banner, no NTP, no syslog",
            "unsaved configuration (last change after NVRAM update: the support account and the"
            " RW community are not in show_startup_config)",
        ),
        secrets=(
            "08026D60282B3C5A17050D06262E692A21342C100F5B111544",  # type 7 of the enable secret
            "1326363C2A3E3D673B33653127231D041E4E13424B",  # type 7 of CANARY-pw-branch-rtr
            "022525752A34366C5C59441B17161C08044929242A",  # type 7 of CANARY-pw-branch-con
            "CANARY-pw-branch-support",
            "CANARY-snmp-branch-rtr",
        ),
        expected={
            "os.vendor": "cisco",
            "os.name": "ios",
            "os.version": "15.2(4)M7",
            "hostname": "branch-rtr",
            "hardware.model": "CISCO2911/K9",
            "hardware.serial": "FTX1840ALBH",
            "config.unsaved": True,
            "mgmt.telnet_enabled": True,
            "mgmt.http_enabled": True,
            "mgmt.https_enabled": False,
            "mgmt.ssh_enabled": True,
            "mgmt.ssh_version": "1.99",
            "mgmt.idle_timeout_minutes": 0,
            "mgmt.login_banner": False,
            "snmp.default_community": True,
            "ntp.servers": [],
            "logging.syslog_servers": [],
            "accounts.password_encryption": False,
        },
    ),
    _profile(
        name="dc-asa",
        platform="cisco_asa",
        username="netops",
        password="CANARY-pw-dc-asa",
        enable_password="CANARY-enable-dc-asa",
        description="Firepower 1140 in ASA mode, ASA 9.20(3)7, data-centre firewall",
        findings=("unsaved configuration (running differs from startup)",),
        secrets=(
            "$sha512$5000$CANARYdcasaEn5tv$rDUYymQy44clBK3AhR27Vg==",
            "$sha512$5000$CANARYdcasaPwnow$TgNo/lLlVYC4cowcDCnVLg==",
            "$sha512$5000$CANARYdcasaAu8iI$HaF2QcophkxDJiVTKXMdxw==",
        ),
        expected={
            "os.vendor": "cisco",
            "os.name": "asa",
            "os.version": "9.20(3)7",
            "hostname": "dc-asa",
            "hardware.model": "FPR-1140",
            "hardware.serial": "JAD25170ABC",
            "config.unsaved": True,
            "mgmt.telnet_enabled": False,
            "mgmt.http_enabled": False,
            "mgmt.https_enabled": True,
            "mgmt.ssh_enabled": True,
            "mgmt.ssh_version": "2",
            "mgmt.login_banner": True,
            "snmp.enabled": True,
            "ntp.servers": ["10.10.50.1", "10.10.50.2"],
            "logging.syslog_servers": ["10.10.50.30"],
            "accounts.password_encryption": True,
        },
    ),
    _profile(
        name="edge-fw",
        platform="fortinet",
        username="netops",
        password="CANARY-pw-edge-fw",
        enable_password=None,
        description="FortiGate-60F, FortiOS 7.4.8, branch edge firewall",
        findings=(),
        secrets=(
            "CANARY-snmp-edge-fw",
            "SH2CANARYedgefwPwNetopsFkzGjbtz/MOUoKvVNCly7kHWahuzAj1oQoaJFtLP",
            "SH2CANARYedgefwPwAuditorjD2Y5hUnU9kUALTdY2Z00zoGf7X6OHwE5zc9Xby",
            "CANARYedgefwPskWSWsnIk0E0hE/Fk8tfCQ4BNaAhucWfkHjHgBEztKt+mfzWki4vdos2IDyccs6IFdXgaB"
            "99MoYOW9sBUzBE22LqAcYwoUM1KGlBdlwpDHo",
        ),
        expected={
            "os.vendor": "fortinet",
            "os.name": "fortios",
            "os.version": "7.4.8",
            "hostname": "edge-fw",
            "hardware.model": "FortiGate-60F",
            "hardware.serial": "FGT60FTK21012345",
            "config.unsaved": False,
            "mgmt.telnet_enabled": False,
            "mgmt.http_enabled": False,
            "mgmt.https_enabled": True,
            "mgmt.ssh_enabled": True,
            "mgmt.idle_timeout_minutes": 10,
            "mgmt.login_banner": True,
            "snmp.default_community": False,
            "ntp.servers": ["10.30.0.10", "10.30.0.11"],
            "logging.syslog_servers": ["10.30.0.30"],
            "accounts.default_admin": False,
        },
    ),
    _profile(
        name="old-fw",
        platform="fortinet",
        username="admin",
        password="CANARY-pw-old-fw",
        enable_password=None,
        description="FortiGate-60E, FortiOS 6.0.9 (2020), small-office firewall",
        findings=(
            "old firmware (6.0.9)",
            "allowaccess http and telnet on internal, http/https/ssh on wan1",
            "SNMP community public from anywhere",
            "default admin account 'admin'",
            "admintimeout 480, no login banner, no syslog, FortiGuard NTP only",
        ),
        secrets=(
            "SH2CANARYoldfwPwAdmin95TLdx/Ho56Y23JlgTOlUnevNFl4A5/yDl2mPo+Ipe",
            "CANARYoldfwPsk3MNyA1nXwG5yJvn63gmq+ta5Wtypz2TuUn7388GQOBhLAMUINLAu2hRGIKcLtOxp8fz2R"
            "/Jc/muoSEwRGEkfpYZ2e0J+STKAparfu8bdZY",
        ),
        expected={
            "os.vendor": "fortinet",
            "os.name": "fortios",
            "os.version": "6.0.9",
            "hostname": "old-fw",
            "hardware.model": "FortiGate-60E",
            "hardware.serial": "FGT60E4Q16012345",
            "config.unsaved": False,
            "mgmt.telnet_enabled": True,
            "mgmt.http_enabled": True,
            "mgmt.https_enabled": True,
            "mgmt.ssh_enabled": True,
            "mgmt.idle_timeout_minutes": 480,
            "mgmt.login_banner": False,
            "snmp.default_community": True,
            "logging.syslog_servers": [],
            "accounts.default_admin": True,
        },
    ),
    _profile(
        name="wan-junos",
        platform="juniper_junos",
        username="netops",
        password="CANARY-pw-wan-junos",
        enable_password=None,
        description="SRX300, Junos 23.4R2-S3.9, WAN edge",
        findings=("J-Web over plain HTTP on ge-0/0/1.0",),
        secrets=(
            "$6$CANARYrt$x35659syFqqUsDr73x/4OcM2sNI3gOHKsmCDpv/ORpnCX3lQNwx.LSFe8.mH4rj3y3AlQSQ"
            "sbneWhThj9pqv2G",
            "$6$CANARYnetops$xWGYqwdfcP6vS0uNs0JyKLay/ktvh7817UKgS1Hb3gImclG4H9kXwzXxxtjQuROVo1B"
            "SLqNeG2TyvM5QLUuEhG",
            "$6$CANARYmonitor$JG8oHrERUeQb0Gdc7WdQgLEpSmi.mKsadBuqg.ZzoM3pkpBqDMjcKXi3wcwDCw4zLQ"
            "NpoaZt5hmyU8qWulfkT/",
            "CANARY-snmp-wan-junos",
        ),
        expected={
            "os.vendor": "juniper",
            "os.name": "junos",
            "os.version": "23.4R2-S3.9",
            "hostname": "wan-junos",
            "hardware.serial": "CV4718AF0412",
            "config.unsaved": False,
            "mgmt.telnet_enabled": False,
            "mgmt.http_enabled": True,
            "mgmt.https_enabled": True,
            "mgmt.ssh_enabled": True,
            "mgmt.ssh_version": "2",
            "mgmt.login_banner": True,
            "snmp.default_community": False,
            "ntp.servers": ["10.40.0.1", "10.40.0.2"],
            "logging.syslog_servers": ["10.40.0.30"],
        },
    ),
    _profile(
        name="dist-eos",
        platform="arista_eos",
        username="netops",
        password="CANARY-pw-dist-eos",
        enable_password="CANARY-enable-dist-eos",
        description="Arista 7050SX3-48YC8, EOS 4.30.4M, distribution switch",
        findings=(
            "unsaved configuration (show running-config diffs not empty)",
            "eAPI over plain HTTP (management api http-commands / protocol http, unsaved)",
        ),
        secrets=(
            "$6$CANARYeosAdmin$X7dlJSQ0FgfGQ/5iJnLYu3hp4PRhrscUtkEq2lx2LOD2f267idZSI1c/nvogPEGf4"
            "mVrUqKYTiGOs71aFmf4pV",
            "$6$CANARYeosNetops$8CS1nX3RcIKSlUhpzbCCUMHv4Z5CNSPmIbKj/t9vE0PcGSCkMYIqx8OiWSzcoJJa"
            "UQ50gbjrORvGCzWzmUkFQt",
            "$6$CANARYeosEnable$OCZgolxwbyA9vUZHAUn3LMjBdBmlRJ74JMkhFzqFyRycAajZ/1KmSaXb0IpOeX9k"
            "pOVh1DltmSx2ce8fZoDD99",
            "CANARY-snmp-dist-eos",
        ),
        expected={
            "os.vendor": "arista",
            "os.name": "eos",
            "os.version": "4.30.4M",
            "hostname": "dist-eos",
            "hardware.model": "DCS-7050SX3-48YC8-R",
            "hardware.serial": "JPE20251234",
            "config.unsaved": True,
            "mgmt.telnet_enabled": False,
            "mgmt.http_enabled": True,
            "mgmt.ssh_enabled": True,
            "mgmt.idle_timeout_minutes": 15,
            "mgmt.login_banner": True,
            "snmp.default_community": False,
            "ntp.servers": ["10.10.50.1", "10.10.50.2"],
            "logging.syslog_servers": ["10.10.50.30"],
        },
    ),
    _profile(
        name="office-mikrotik",
        platform="mikrotik_routeros",
        username="netops",
        password="CANARY-pw-office-mikrotik",
        enable_password=None,
        description="hEX RB750Gr3, RouterOS 6.49.10 (long-term), office router",
        findings=(
            "old firmware (RouterOS 6)",
            "telnet and www (plain HTTP) services enabled, opened on WAN by a firewall rule",
            "SNMP community public (0.0.0.0/0) and a write community",
            "default admin account 'admin'",
            "no NTP client, no remote logging, no login note",
        ),
        secrets=("CANARY-snmp-office-mikrotik",),
        expected={
            "os.vendor": "mikrotik",
            "os.name": "routeros",
            "os.version": "6.49.10",
            "hostname": "office-mikrotik",
            "hardware.model": "RB750Gr3",
            "hardware.serial": "CC210E5A1F3B",
            "config.unsaved": False,
            "mgmt.telnet_enabled": True,
            "mgmt.http_enabled": True,
            "mgmt.https_enabled": False,
            "mgmt.ssh_enabled": True,
            "mgmt.login_banner": False,
            "snmp.default_community": True,
            "ntp.servers": [],
            "logging.syslog_servers": [],
            "accounts.default_admin": True,
        },
    ),
)

PROFILES: dict[str, DeviceProfile] = {p.name: p for p in _ALL}


def sim_device(
    name: str,
    port: int = 0,
    behaviour: Behaviour | None = None,
    password: str | None = None,
    label: str | None = None,
) -> SimDevice:
    """A :class:`SimDevice` for a lab profile with its credentials. ``password`` overrides what
    the device accepts (a "wrong password" host: keep the profile password in the inventory)."""
    p = PROFILES[name]
    return SimDevice(
        p.folder,
        p.username,
        p.password if password is None else password,
        enable_password=p.enable_password,
        port=port,
        behaviour=behaviour or Behaviour(),
        name=label,
    )


def lab_devices(extras: bool = False) -> list[SimDevice]:
    """Every profile once; with ``extras`` also ``hang-sw`` (core-sw data, accepts the login and
    never prints a prompt) and ``wrong-pw-rtr`` (branch-rtr data, rejects the profile password)."""
    devices = [sim_device(name) for name in PROFILES]
    if extras:
        devices.append(
            sim_device("core-sw", behaviour=Behaviour(hang_after_login=True), label="hang-sw")
        )
        devices.append(
            sim_device("branch-rtr", password="not-the-inventory-password", label="wrong-pw-rtr")
        )
    return devices
