"""How security and backup products show up on Windows: display names and service names.

A product counts as installed when its name matches an entry from SecurityCenter, the
uninstall registry or a service name; as running when one of its services is running (or
SecurityCenter/Defender reports real-time protection on). Canonical names are shared with
Linux (docs/facts.md) so fleet checks compare like with like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WindowsProduct:
    names: tuple[str, ...]  # regexes over display names (SecurityCenter, uninstall list)
    services: tuple[str, ...] = ()  # service names (Win32_Service.Name), case-insensitive


SECURITY_PRODUCTS: dict[str, WindowsProduct] = {
    "defender": WindowsProduct((r"^(windows|microsoft) defender",), ("WinDefend", "Sense")),
    "mse": WindowsProduct((r"^microsoft security essentials",), ("MsMpSvc",)),
    "crowdstrike": WindowsProduct((r"crowdstrike",), ("CSFalconService",)),
    "sentinelone": WindowsProduct((r"sentinel ?one", r"^sentinel agent"), ("SentinelAgent",)),
    "sophos": WindowsProduct((r"^sophos",), ("SAVService", "Sophos Endpoint Defense Service")),
    "eset": WindowsProduct((r"^eset",), ("ekrn",)),
    "bitdefender": WindowsProduct((r"bitdefender",), ("EPSecurityService", "VSSERV")),
    "trendmicro": WindowsProduct((r"trend micro",), ("ntrtscan", "TmListen")),
    "symantec": WindowsProduct((r"symantec", r"^norton"), ("SepMasterService",)),
    "mcafee": WindowsProduct((r"mcafee", r"trellix"), ("mfemms", "McShield")),
    "webroot": WindowsProduct((r"webroot",), ("WRSVC",)),
    "kaspersky": WindowsProduct((r"kaspersky",), ("AVP",)),
    "malwarebytes": WindowsProduct((r"malwarebytes",), ("MBAMService",)),
    "avast": WindowsProduct((r"^avast", r"^avg "), ("avast! Antivirus", "AVGSvc")),
}

BACKUP_PRODUCTS: dict[str, WindowsProduct] = {
    "veeam": WindowsProduct(
        (r"^veeam (agent|backup)",), ("VeeamEndpointBackupSvc", "VeeamBackupSvc")
    ),
    "acronis": WindowsProduct((r"^acronis",), ("MMS", "AcronisCyberProtectionService")),
    "datto": WindowsProduct((r"^datto",), ("DattoBackupAgentService",)),
    "nable": WindowsProduct(
        (r"^backup manager", r"n-able.*backup", r"^cove"), ("Backup Service Controller",)
    ),
    "veritas": WindowsProduct(
        (r"backup exec",), ("BackupExecAgentAccelerator", "BackupExecRPCService")
    ),
    "carbonite": WindowsProduct((r"^carbonite",), ("CarboniteService",)),
    "arcserve": WindowsProduct((r"arcserve",), ("CASUniversalAgent",)),
    "axcient": WindowsProduct((r"axcient",), ()),
    "macrium": WindowsProduct((r"macrium reflect",), ("MacriumService",)),
    "storagecraft": WindowsProduct((r"shadowprotect", r"storagecraft"), ("ShadowProtectSvc",)),
    "altaro": WindowsProduct((r"^altaro",), ()),
    "nakivo": WindowsProduct((r"nakivo",), ()),
    "commvault": WindowsProduct((r"commvault",), ()),
    "crashplan": WindowsProduct((r"crashplan", r"^code42"), ("CrashPlanService", "Code42Service")),
    "urbackup": WindowsProduct((r"urbackup",), ("UrBackupClientBackend",)),
    "duplicati": WindowsProduct((r"duplicati",), ("Duplicati",)),
}


def canonical(table: Mapping[str, WindowsProduct], display_name: str) -> str | None:
    for name, product in table.items():
        if any(re.search(p, display_name, re.IGNORECASE) for p in product.names):
            return name
    return None


def detect(
    table: Mapping[str, WindowsProduct],
    display_names: Iterable[str],
    services: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """(installed, running) canonical names; `services` maps lowercase name -> state."""
    installed: set[str] = set()
    running: set[str] = set()
    for display in display_names:
        found = canonical(table, display)
        if found:
            installed.add(found)
    for name, product in table.items():
        for service in product.services:
            state = services.get(service.lower())
            if state is None:
                continue
            installed.add(name)
            if state == "running":
                running.add(name)
    return sorted(installed), sorted(running)
