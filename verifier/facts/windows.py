"""Normalize the output of verify_windows_facts.ps1 into Windows facts (docs/facts.md).

The script prints one JSON object per line: a `begin` record, then per section either
`{"section": name, "data": {...}}` or `{"section": name, "error": "..."}`, then `end`. A section
that failed, or that never came because the script died half-way, leaves its facts ABSENT and
says why in probe_errors. Output that is not that format at all raises UnreadableOutput: the
host is an `error`, never a host with empty facts.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from verifier.facts.windows_eol import lookup_windows_eol
from verifier.facts.windows_products import BACKUP_PRODUCTS, SECURITY_PRODUCTS, detect

Facts = dict[str, Any]

MARKER = "verify-windows-facts"
# The sections the script emits, in order (a test keeps this in step with the script).
SECTIONS = (
    "os",
    "computer",
    "license",
    "hotfixes",
    "update_history",
    "reboot",
    "services",
    "antivirus",
    "defender",
    "bitlocker",
    "firewall",
    "accounts",
    "password_policy",
    "smb",
    "rdp",
    "uac",
    "disks",
    "tpm",
    "software",
)

_PRODUCT_TYPES = {1: "workstation", 2: "domain_controller", 3: "server"}
_DOMAIN_ROLES = {
    0: "standalone_workstation",
    1: "member_workstation",
    2: "standalone_server",
    3: "member_server",
    4: "backup_domain_controller",
    5: "primary_domain_controller",
}
# SoftwareLicensingProduct.LicenseStatus
_LICENSE_STATUS = {
    0: "unlicensed",
    1: "licensed",
    2: "oob_grace",
    3: "oot_grace",
    4: "non_genuine_grace",
    5: "notification",
    6: "extended_grace",
}
# Win32_EncryptableVolume.GetConversionStatus().ConversionStatus
_CONVERSION = {
    0: "fully_decrypted",
    1: "fully_encrypted",
    2: "encryption_in_progress",
    3: "decryption_in_progress",
    4: "encryption_paused",
    5: "decryption_paused",
}
_VIRTUAL = re.compile(r"vmware|virtualbox|virtual machine|kvm|qemu|xen|hvm domu|parallels", re.I)
# Defender marks signatures out of date after 7 days (AVSignatureDue default).
SIGNATURE_DUE_DAYS = 7


class UnreadableOutput(ValueError):
    """The host answered, but not with the collection script's output."""


def parse_sections(stdout: str) -> tuple[dict[str, Any], dict[str, str], bool]:
    """(data by section, error by section, whether the `end` record came)."""
    lines = [ln.strip() for ln in stdout.lstrip("\ufeff").splitlines() if ln.strip()]
    if not lines:
        raise UnreadableOutput("the collection script printed nothing")
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    ended = False
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableOutput(f"output line {number} is not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("section"), str):
            raise UnreadableOutput(f"output line {number} is not a section record")
        name = record["section"]
        if number == 1 and (name != "begin" or (record.get("data") or {}).get("script") != MARKER):
            raise UnreadableOutput("output does not start with the collection script's header")
        if name == "end":
            ended = True
        elif "error" in record:
            errors[name] = " ".join(str(record["error"]).split())[:300] or "failed"
        elif name != "begin":
            data[name] = record.get("data")
    return data, errors, ended


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _put(target: Facts, key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _when(value: Any) -> datetime.datetime | None:
    """The script's UTC timestamps ("2026-11-20T08:00:00Z")."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _iso(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _items(section: Any, key: str = "items") -> list[dict[str, Any]]:
    values = section.get(key) if isinstance(section, Mapping) else None
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


# ------------------------------------------------------------------ sections


def _os(os_: Mapping[str, Any], today: datetime.date) -> Facts:
    out: Facts = {"family": "windows"}
    caption = _str(os_.get("caption"))
    _put(out, "name", caption.removeprefix("Microsoft ").strip() if caption else None)
    _put(out, "version", _str(os_.get("version")))
    build = _int(os_.get("build_number"))
    _put(out, "build", build)
    ubr = _int(os_.get("ubr"))
    _put(out, "ubr", ubr)
    _put(out, "edition_id", _str(os_.get("edition_id")))
    _put(out, "release", _str(os_.get("display_version")) or _str(os_.get("release_id")))
    _put(out, "service_pack", _str(os_.get("csd_version")))
    product_type = _int(os_.get("product_type"))
    _put(out, "product_type", _PRODUCT_TYPES.get(product_type or 0))
    _put(out, "installation_type", _str(os_.get("installation_type")))
    _put(out, "arch", _str(os_.get("architecture")))
    _put(out, "powershell_version", _str(os_.get("powershell_version")))
    if build is not None and product_type is not None:
        info, release = lookup_windows_eol(
            build, product_type, str(os_.get("edition_id") or ""), today
        )
        _put(out, "release_name", release)
        if info.status != "unknown" and info.date is not None:
            out["eol"] = {
                "status": info.status,
                "date": info.date.isoformat(),
                "source": info.source,
            }
    return out


def _uptime(os_: Mapping[str, Any]) -> int | None:
    boot, now = _when(os_.get("last_boot")), _when(os_.get("local_time"))
    if boot is None or now is None or now < boot:
        return None
    return int((now - boot).total_seconds())


def _hardware(cs: Mapping[str, Any], tpm: Mapping[str, Any] | None) -> Facts:
    out: Facts = {}
    vendor, model = _str(cs.get("manufacturer")), _str(cs.get("model"))
    _put(out, "vendor", vendor)
    _put(out, "model", model)
    serial = _str(cs.get("bios_serial"))
    placeholder = {"0", "none", "default string", "to be filled by o.e.m.", "system serial number"}
    if serial and serial.lower() not in placeholder:
        out["serial"] = serial
    _put(out, "bios_vendor", _str(cs.get("bios_manufacturer")))
    _put(out, "bios_version", _str(cs.get("bios_version")))
    bios = _when(cs.get("bios_release_date"))
    _put(out, "bios_date", bios.date().isoformat() if bios else None)
    if vendor or model:
        out["virtual"] = bool(_VIRTUAL.search(f"{vendor or ''} {model or ''}"))
    _put(out, "cpu_model", _str(cs.get("cpu_name")))
    cores = _int(cs.get("cpu_cores"))
    _put(out, "cpu_cores", cores if cores else None)
    memory = _int(cs.get("total_physical_memory"))
    _put(out, "memory_mb", memory // (1024 * 1024) if memory else None)
    if tpm is not None:
        present = _bool(tpm.get("present"))
        info: Facts = {}
        _put(info, "present", present)
        if present:
            enabled, activated = _bool(tpm.get("enabled")), _bool(tpm.get("activated"))
            if enabled is not None:
                info["enabled"] = bool(enabled and activated is not False)
            spec = _str(tpm.get("spec_version"))
            _put(info, "version", spec.split(",")[0].strip() if spec else None)
        elif present is False:
            info["enabled"] = False
        if info:
            out["tpm"] = info
    return out


def _domain(cs: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    joined = _bool(cs.get("part_of_domain"))
    _put(out, "joined", joined)
    if joined:
        _put(out, "name", _str(cs.get("domain")))
    else:
        _put(out, "workgroup", _str(cs.get("domain")))
    _put(out, "role", _DOMAIN_ROLES.get(_int(cs.get("domain_role")) or 0))
    return out


def _channel(description: str) -> str | None:
    upper = description.upper()
    for marker, channel in (
        ("RETAIL", "retail"),
        ("OEM", "oem"),
        ("VOLUME_MAK", "volume_mak"),
        ("VOLUME_KMSCLIENT", "volume_kms"),
        ("VOLUME_KMS", "volume_kms"),
        ("TIMEBASED", "subscription"),
    ):
        if marker in upper:
            return channel
    return None


def _partial_key(value: Any) -> str | None:
    # Never more than the last five characters, whatever the host sent.
    text = re.sub(r"[^A-Z0-9]", "", str(value or "").upper())
    return text[-5:] if len(text) >= 5 else None


def _license(lic: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    if lic.get("source") == "SoftwareLicensingProduct":
        products = _items(lic, "products")
        # Add-on licences (Extended Security Updates) share Windows' application id.
        main = [p for p in products if "ESU" not in str(p.get("name", "")).upper()] or products
        if not main:
            return {"status": "unlicensed", "activated": False}
        best = next((p for p in main if _int(p.get("license_status")) == 1), main[0])
        status = _LICENSE_STATUS.get(_int(best.get("license_status")) or 0, "unknown")
        out["status"] = status
        out["activated"] = status == "licensed"
        _put(out, "partial_product_key", _partial_key(best.get("partial_product_key")))
        _put(out, "channel", _channel(str(best.get("description") or "")))
        _put(out, "product", _str(best.get("name")))
        return out
    required = _int(lic.get("activation_required"))
    if required is not None:
        out["activated"] = required == 0
        out["status"] = "licensed" if required == 0 else "oob_grace"
    _put(out, "partial_product_key", _partial_key(lic.get("partial_product_key")))
    return out


# Defender/MSE definition updates: KB2267602 (Defender), KB2461484 (MSE), KB915597 (Defender on
# Windows 7/8), KB4052623 (Defender platform), and their generic titles.
_SIGNATURE_UPDATE = re.compile(
    r"KB2267602|KB2461484|KB915597|KB4052623|Security Intelligence Update|Definition Update",
    re.IGNORECASE,
)
_QFE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y%m%d", "%Y-%m-%d")


def _qfe_date(text: str) -> datetime.datetime | None:
    """Win32_QuickFixEngineering.InstalledOn: M/d/yyyy, yyyyMMdd, or a hex FILETIME on old
    systems; anything else (localized formats) is skipped rather than guessed."""
    text = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{16}", text):
        ticks = int(text, 16)
        moment = datetime.datetime(1601, 1, 1, tzinfo=datetime.UTC)
        return moment + datetime.timedelta(microseconds=ticks // 10)
    for fmt in _QFE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
    return None


def _updates(
    hotfixes: Mapping[str, Any] | None,
    history: Mapping[str, Any] | None,
    reboot: Mapping[str, Any] | None,
    services: Mapping[str, tuple[str, str]] | None,
) -> Facts:
    out: Facts = {}
    installs: list[tuple[datetime.datetime, str]] = []
    if hotfixes is not None:
        items = _items(hotfixes)
        out["hotfix_count"] = len(items)
        for item in items:
            when = _qfe_date(str(item.get("installed_on") or ""))
            if when is not None:
                installs.append((when, str(item.get("id") or "")))
    if history is not None:
        for item in _items(history):
            # Operation 1 = installation; ResultCode 2/3 = succeeded (with errors). Antivirus
            # definition updates arrive daily and say nothing about Windows patches.
            if _SIGNATURE_UPDATE.search(str(item.get("title") or "")):
                continue
            if _int(item.get("operation")) == 1 and _int(item.get("result_code")) in (2, 3):
                when = _when(item.get("date"))
                if when is not None:
                    installs.append((when, str(item.get("title") or "")))
    if installs:
        latest = max(installs, key=lambda pair: pair[0])
        out["last_update"] = _iso(latest[0])
        _put(out, "last_update_title", _str(latest[1]))
    if reboot is not None:
        flags = [_bool(reboot.get(k)) for k in ("cbs_reboot_pending", "wu_reboot_required")]
        flags.append(_bool(reboot.get("pending_file_rename")))
        if any(f is not None for f in flags):
            out["reboot_pending"] = any(bool(f) for f in flags)
    if services is not None:
        wu = services.get("wuauserv")
        if wu is not None:
            out["service_state"], out["service_start_mode"] = wu
    return out


def _services(section: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """lowercase service name -> (state, start mode), both lowercase ("running", "auto")."""
    return {
        str(s.get("name", "")).lower(): (
            str(s.get("state") or "").lower(),
            str(s.get("start_mode") or "").lower(),
        )
        for s in _items(section)
        if s.get("name")
    }


def _security(
    av: Mapping[str, Any] | None,
    defender: Mapping[str, Any] | None,
    services: Mapping[str, tuple[str, str]] | None,
    software: list[str],
) -> tuple[Facts, Facts]:
    """(antivirus facts, security_agents facts)."""
    antivirus: Facts = {}
    products: list[Facts] = []
    names: list[str] = list(software)
    running_products: set[str] = set()
    if av is not None:
        antivirus["source"] = str(av.get("source") or "")
        for item in _items(av, "products"):
            name = _str(item.get("name")) or "unknown"
            names.append(name)
            if "product_state" in item:
                # productState bytes: 0xTTSSDD; SS 0x10/0x11 = real-time on, DD 0x00 = current.
                state = _int(item.get("product_state")) or 0
                realtime = ((state >> 8) & 0xFF) in (0x10, 0x11)
                current = (state & 0xFF) == 0x00
            else:
                realtime = bool(_bool(item.get("on_access")))
                current = bool(_bool(item.get("up_to_date")))
            products.append({"name": name, "realtime": realtime, "up_to_date": current})
    defender_on = False
    if defender is not None:
        mp_realtime = _bool(defender.get("realtime_enabled"))
        enabled = _bool(defender.get("antivirus_enabled"))
        age = _int(defender.get("signature_age_days"))
        if enabled:
            names.append("Microsoft Defender Antivirus")
        _put(antivirus, "defender_realtime", mp_realtime)
        _put(antivirus, "signature_age_days", age)
        defender_on = bool(enabled and mp_realtime)
        if defender_on and not products:
            current = age is not None and age <= SIGNATURE_DUE_DAYS
            products.append(
                {"name": "Microsoft Defender Antivirus", "realtime": True, "up_to_date": current}
            )
    if av is not None or defender is not None:
        antivirus["products"] = products
        antivirus["realtime_protection"] = any(p["realtime"] for p in products)
        live = [p for p in products if p["realtime"]]
        if live:
            antivirus["signatures_up_to_date"] = all(p["up_to_date"] for p in live)
    for product in products:
        if product["realtime"]:
            found = detect(SECURITY_PRODUCTS, [product["name"]], {})[0]
            running_products.update(found)
    agents: Facts = {}
    if av is not None or defender is not None or services is not None:
        states = {name: state for name, (state, _mode) in (services or {}).items()}
        installed, running = detect(SECURITY_PRODUCTS, names, states)
        agents["installed"] = sorted(set(installed) | running_products)
        agents["running"] = sorted(set(running) | running_products)
    return antivirus, agents


def _bitlocker(section: Mapping[str, Any], system_drive: str | None) -> Facts:
    volumes: list[Facts] = []
    for item in _items(section, "volumes"):
        protection = {0: "off", 1: "on"}.get(_int(item.get("protection_status")) or -1, "unknown")
        volume: Facts = {"drive": _str(item.get("drive")) or "", "protection": protection}
        _put(volume, "conversion", _CONVERSION.get(_int(item.get("conversion_status")) or -1))
        _put(volume, "encryption_percentage", _int(item.get("encryption_percentage")))
        volumes.append(volume)
    out: Facts = {"volumes": volumes}
    if system_drive:
        system = [v for v in volumes if v["drive"].upper() == system_drive.upper()]
        out["system_encrypted"] = bool(system) and system[0]["protection"] == "on"
    out["unprotected"] = sorted(v["drive"] for v in volumes if v["protection"] != "on")
    return out


def _firewall(section: Mapping[str, Any], services: Mapping[str, tuple[str, str]] | None) -> Facts:
    profiles_raw = section.get("profiles") if isinstance(section.get("profiles"), dict) else {}
    assert isinstance(profiles_raw, dict)
    profiles: Facts = {}
    for key, name in (
        ("DomainProfile", "domain"),
        ("StandardProfile", "private"),
        ("PublicProfile", "public"),
    ):
        values = profiles_raw.get(key) if isinstance(profiles_raw.get(key), dict) else {}
        assert isinstance(values, dict)
        # Group Policy wins over the local setting when it sets the value.
        value = values.get("policy") if values.get("policy") is not None else values.get("local")
        if _int(value) is not None:
            profiles[name] = _int(value) == 1
    out: Facts = {"product": "windows_firewall"}
    if profiles:
        out["profiles"] = profiles
    running: bool | None = None
    if services is not None:
        service = services.get("mpssvc") or services.get("sharedaccess")
        running = service is not None and service[0] == "running"
        out["service_running"] = running
    if profiles and running is not None:
        out["active"] = running and all(profiles.values())
        out["disabled_profiles"] = sorted(k for k, v in profiles.items() if not v)
    return out


def _account_name(ads_path: str, computer: str) -> str:
    """WinNT://DOMAIN/user -> DOMAIN\\user; WinNT://WORKGROUP/HOST/user -> HOST\\user."""
    parts = [p for p in ads_path.removeprefix("WinNT://").split("/") if p]
    if len(parts) >= 2:
        return f"{parts[-2]}\\{parts[-1]}"
    return parts[0] if parts else ads_path or computer


def _accounts(section: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    computer = str(section.get("computer") or "")
    members = section.get("administrators")
    if isinstance(members, list):
        out["admins"] = sorted({_account_name(str(m), computer) for m in members})
    users = _items(section, "users")
    if users:
        enabled = [u for u in users if _bool(u.get("disabled")) is False]
        out["local_users"] = sorted(str(u.get("name")) for u in enabled)
        for rid, key in (("500", "builtin_admin_enabled"), ("501", "guest_enabled")):
            match = [u for u in users if str(u.get("sid", "")).endswith(f"-{rid}")]
            if match:
                out[key] = _bool(match[0].get("disabled")) is False
        out["no_password_required"] = sorted(
            str(u.get("name")) for u in enabled if _bool(u.get("password_required")) is False
        )
    return out


_NET_ACCOUNTS = {
    "minimum password age": "min_age_days",
    "maximum password age": "max_age_days",
    "minimum password length": "min_length",
    "length of password history maintained": "history",
    "lockout threshold": "lockout_threshold",
    "lockout duration": "lockout_duration_minutes",
    "lockout observation window": "lockout_window_minutes",
}


def parse_net_accounts(lines: list[str]) -> Facts:
    """`net accounts` (English). "Never", "None" and "Unlimited" read as 0, as Windows
    itself stores them (0 = no expiry, no lockout, no history)."""
    out: Facts = {}
    for line in lines:
        label, sep, value = line.partition(":")
        if not sep:
            continue
        key = _NET_ACCOUNTS.get(re.sub(r"\s*\(.*?\)\s*", "", label).strip().lower())
        if key is None:
            continue
        value = value.strip()
        if value.lower() in ("never", "none", "unlimited"):
            out[key] = 0
        elif value.isdigit():
            out[key] = int(value)
    if not out:
        raise ValueError("no known line in `net accounts` output (non-English Windows?)")
    return out


def _smb(section: Mapping[str, Any], build: int | None) -> Facts:
    out: Facts = {}
    config = _bool(section.get("server_smb1_config"))
    registry = _int(section.get("server_smb1_registry"))
    if config is not None:
        out["v1_server_enabled"] = config
    elif registry is not None:
        out["v1_server_enabled"] = registry != 0
    elif build is not None and build < 9600:
        # Before Windows 8.1/2012 R2 the SMB1 server is on unless the registry turns it off.
        out["v1_server_enabled"] = True
    start = _int(section.get("client_mrxsmb10_start"))
    # No mrxsmb10 service key: the SMB1 client is not installed.
    out["v1_client_enabled"] = start is not None and start != 4
    return out


def _rdp(section: Mapping[str, Any]) -> Facts:
    out: Facts = {}
    deny = _int(section.get("deny_ts_connections"))
    if deny is not None:
        out["enabled"] = deny == 0
    # A missing UserAuthentication value means NLA is not enforced.
    out["nla_required"] = _int(section.get("user_authentication")) == 1
    return out


def _uac(section: Mapping[str, Any], build: int | None) -> Facts:
    out: Facts = {}
    lua = _int(section.get("enable_lua"))
    if lua is not None:
        out["enabled"] = lua == 1
    elif build is not None and build < 6000:
        out["enabled"] = False  # XP and Server 2003 have no UAC
    _put(out, "admin_prompt", _int(section.get("consent_prompt_behavior_admin")))
    return out


def _disks(section: Mapping[str, Any], system_drive: str | None) -> Facts:
    filesystems: list[Facts] = []
    for item in _items(section):
        size, free = _int(item.get("size")), _int(item.get("free_space"))
        if not size or free is None:
            continue
        filesystems.append(
            {
                "mount": str(item.get("device_id") or ""),
                "fstype": str(item.get("file_system") or ""),
                "size_bytes": size,
                "used_percent": round(100.0 * (size - free) / size, 1),
            }
        )
    out: Facts = {"filesystems": filesystems}
    if filesystems:
        out["max_used_percent"] = max(f["used_percent"] for f in filesystems)
    system = [f for f in filesystems if system_drive and f["mount"].upper() == system_drive.upper()]
    if system:
        out["system_free_percent"] = round(100.0 - system[0]["used_percent"], 1)
    return out


def _software(section: Mapping[str, Any]) -> list[Facts]:
    items = {
        (str(i.get("name")).strip(), str(i.get("version") or "").strip()): i
        for i in _items(section)
        if _str(i.get("name"))
    }
    return [
        {"name": name, "version": version, "publisher": _str(item.get("publisher")) or ""}
        for (name, version), item in sorted(items.items())
    ]


# ------------------------------------------------------------------ entry point


def normalize(stdout: str, today: datetime.date) -> tuple[dict[str, Any], dict[str, str]]:
    """Script output -> (facts, probe_errors). Raises UnreadableOutput for foreign output."""
    data, errors, ended = parse_sections(stdout)
    probe_errors = dict(errors)
    if not ended:
        missing = [s for s in SECTIONS if s not in data and s not in errors]
        probe_errors["incomplete"] = "the collection script stopped before the end" + (
            f"; no output for: {', '.join(missing)}" if missing else ""
        )
    facts: Facts = {}

    def get(name: str) -> Mapping[str, Any] | None:
        value = data.get(name)
        return value if isinstance(value, Mapping) else None

    def section(name: str, build: Callable[[], Any]) -> None:
        # A normalizer choking on odd values loses its own part only, and says why.
        try:
            value = build()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            probe_errors[f"normalize_{name}"] = f"{type(exc).__name__}: {exc}"[:200]
            return
        if value not in (None, {}):
            facts[name] = value

    os_ = get("os")
    cs = get("computer")
    build = _int(os_.get("build_number")) if os_ else None
    system_drive = str(os_.get("system_drive") or "C:") if os_ else None
    services = _services(data["services"]) if get("services") is not None else None
    software = _software(get("software") or {}) if get("software") is not None else None
    software_names = [s["name"] for s in software or []]

    if os_ is not None:
        section("os", lambda: _os(os_, today))
        section("uptime_seconds", lambda: _uptime(os_))
    if cs is not None:
        section("hardware", lambda: _hardware(cs, get("tpm")))
        section("domain", lambda: _domain(cs))
        _put(facts, "hostname", _str(cs.get("name")))
    if get("license") is not None:
        section("license", lambda: _license(get("license") or {}))
    if any(get(s) is not None for s in ("hotfixes", "update_history", "reboot", "services")):
        section(
            "updates",
            lambda: _updates(get("hotfixes"), get("update_history"), get("reboot"), services),
        )

    def security() -> None:
        antivirus, agents = _security(get("antivirus"), get("defender"), services, software_names)
        if antivirus:
            facts["antivirus"] = antivirus
        if agents:
            facts["security_agents"] = agents

    try:
        security()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        probe_errors["normalize_antivirus"] = f"{type(exc).__name__}: {exc}"[:200]
    disks: Facts = {}
    if get("disks") is not None:
        disks = _disks(get("disks") or {}, system_drive)
    if get("bitlocker") is not None:
        disks["encryption"] = _bitlocker(get("bitlocker") or {}, system_drive)
    if disks:
        facts["disks"] = disks
    if get("firewall") is not None:
        section("firewall", lambda: _firewall(get("firewall") or {}, services))
    if get("accounts") is not None:
        section("accounts", lambda: _accounts(get("accounts") or {}))
    policy = get("password_policy")
    if policy is not None:
        lines = policy.get("net_accounts")
        section("password_policy", lambda: parse_net_accounts([str(x) for x in lines or []]))
    if get("smb") is not None:
        section("smb", lambda: _smb(get("smb") or {}, build))
    if get("rdp") is not None:
        section("rdp", lambda: _rdp(get("rdp") or {}))
    if get("uac") is not None:
        section("uac", lambda: _uac(get("uac") or {}, build))
    if software is not None:
        facts["software"] = {"installed": software}
    if software is not None or services is not None:
        states = {name: state for name, (state, _mode) in (services or {}).items()}
        installed, running = detect(BACKUP_PRODUCTS, software_names, states)
        facts["backup"] = {"agents": installed, "running": running}
    return facts, probe_errors
