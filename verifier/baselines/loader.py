"""Find baselines by NAME[@VERSION], validate them, resolve `extends` and hash the result."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from packaging.version import InvalidVersion, Version

from verifier.baselines.yaml_source import YamlDocument, load_yaml
from verifier.checks.operators import FLEET_OPERATORS, OPERATORS
from verifier.errors import BaselineError
from verifier.models import Baseline, Check, Condition, Remediation, Severity
from verifier.resources import bundled_baselines_dir

SCHEMA_PATH = Path(__file__).with_name("baseline.schema.json")
DEFAULT_BASELINE = "msp-standard"


@dataclass(frozen=True)
class BaselineRef:
    name: str
    version: str
    path: Path

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def search_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """Explicit dirs first, then VERIFY_BASELINE_PATH (colon-separated), then the bundled set."""
    env = [Path(p) for p in os.environ.get("VERIFY_BASELINE_PATH", "").split(os.pathsep) if p]
    return [*extra, *env, bundled_baselines_dir()]


def _version_key(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion:
        return Version("0")


def available(dirs: Sequence[Path]) -> list[BaselineRef]:
    """Every `<dir>/<name>/<version>.yml`; the first dir wins for the same name@version."""
    found: dict[tuple[str, str], BaselineRef] = {}
    for base in dirs:
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*/*.yml")):
            key = (path.parent.name, path.stem)
            found.setdefault(key, BaselineRef(path.parent.name, path.stem, path))
    return sorted(found.values(), key=lambda r: (r.name, _version_key(r.version)))


def find(spec: str, dirs: Sequence[Path]) -> Path:
    """Resolve `NAME`, `NAME@VERSION` or a file path to a baseline file."""
    as_path = Path(spec)
    if spec.endswith((".yml", ".yaml")) or os.sep in spec:
        if not as_path.is_file():
            raise BaselineError(f"{spec}: baseline file not found")
        return as_path
    name, _, version = spec.partition("@")
    candidates = [r for r in available(dirs) if r.name == name]
    if not candidates:
        known = ", ".join(sorted({r.name for r in available(dirs)})) or "none"
        raise BaselineError(f"unknown baseline '{name}' (available: {known})")
    if not version:
        return candidates[-1].path
    for ref in candidates:
        if ref.version == version:
            return ref.path
    versions = ", ".join(r.version for r in candidates)
    raise BaselineError(f"unknown version '{spec}' (available versions of {name}: {versions})")


def _format_location(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum" and list(error.path)[-1:] == ["operator"]:
        return f"unknown operator {error.instance!r}"
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    path = list(error.path)
    if error.validator == "oneOf" and (
        path[-1:] == ["remediation"] or path[-2:-1] == ["remediations"]
    ):
        return "remediation needs exactly one of 'role' or 'manual'"
    return error.message


def validate_document(doc: YamlDocument) -> None:
    """Schema and semantic checks; the first error names file, line and field."""
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    if errors:
        error = min(errors, key=lambda e: doc.line_of(list(e.path)))
        location = list(error.path)
        raise BaselineError(
            f"{doc.where(location)}: {_format_location(location)}: {_schema_message(error)}"
        )
    seen: dict[str, int] = {}
    for index, check in enumerate(doc.data["checks"]):
        where = doc.where(["checks", index])
        if check["id"] in seen:
            raise BaselineError(
                f"{where}: checks[{index}].id: duplicate check id {check['id']!r} "
                f"(first at line {seen[check['id']]})"
            )
        seen[check["id"]] = doc.line_of(["checks", index])
        _validate_operator(check, index, doc)


def _validate_operator(check: Mapping[str, Any], index: int, doc: YamlDocument) -> None:
    operator = check["operator"]
    fleet = check.get("scope", "host") == "fleet"
    where = doc.where(["checks", index, "operator"])
    if fleet != (operator in FLEET_OPERATORS):
        kind = "fleet" if fleet else "host"
        raise BaselineError(
            f"{where}: checks[{index}].operator: {operator!r} cannot be used in a {kind}-scope "
            f"check (fleet operators: {', '.join(FLEET_OPERATORS)})"
        )
    op = OPERATORS.get(operator)
    if op is not None and op.takes_expected and "expected" not in check:
        raise BaselineError(
            f"{where}: checks[{index}].expected: operator {operator!r} needs an 'expected' value"
        )


def _resolve(path: Path, dirs: Sequence[Path], chain: tuple[Path, ...]) -> dict[str, Any]:
    if path.resolve() in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path.resolve()))
        raise BaselineError(f"{path}: 'extends' cycle: {cycle}")
    doc = load_yaml(path)
    validate_document(doc)
    data: dict[str, Any] = doc.data
    _check_path_matches(doc)
    checks: list[dict[str, Any]] = []
    sources = [str(path)]
    if "extends" in data:
        try:
            parent_path = find(data["extends"], dirs)
        except BaselineError as exc:
            raise BaselineError(f"{doc.where(['extends'])}: extends: {exc}") from exc
        parent = _resolve(parent_path, dirs, (*chain, path.resolve()))
        checks = list(parent["checks"])
        sources = [*parent["sources"], *sources]
        removed = set(data.get("remove", []))
        unknown = removed - {c["id"] for c in checks}
        if unknown:
            raise BaselineError(
                f"{doc.where(['remove'])}: remove: no inherited check {sorted(unknown)[0]!r}"
            )
        checks = [c for c in checks if c["id"] not in removed]
    own = {c["id"]: c for c in data["checks"]}
    # A child check replaces the parent's check of the same id, in place; new ones follow.
    merged = [own.pop(c["id"], c) for c in checks] + list(own.values())
    merged = _override_remediations(merged, data.get("remediations", {}), doc)
    return {
        "name": data["name"],
        "version": data["version"],
        "description": data.get("description", ""),
        "checks": merged,
        "sources": sources,
    }


def _override_remediations(
    checks: list[dict[str, Any]], overrides: Mapping[str, Any], doc: YamlDocument
) -> list[dict[str, Any]]:
    """`remediations:` gives inherited checks a new fix without repeating the whole check, so a
    release can ship new roles while the checks themselves stay as their version defined them."""
    ids = {c["id"] for c in checks}
    for check_id in overrides:
        if check_id not in ids:
            raise BaselineError(
                f"{doc.where(['remediations', check_id])}: remediations: "
                f"no check {check_id!r} to remediate"
            )
    return [{**c, "remediation": overrides[c["id"]]} if c["id"] in overrides else c for c in checks]


def _check_path_matches(doc: YamlDocument) -> None:
    """A file at <name>/<version>.yml must say that name and version, or lookups would lie."""
    data = doc.data
    parent, stem = doc.path.parent.name, doc.path.stem
    if doc.path.suffix == ".yml" and parent == data["name"] and stem != data["version"]:
        raise BaselineError(
            f"{doc.where(['version'])}: version: file is named {stem}.yml "
            f"but says version {data['version']!r}"
        )


def content_hash(resolved: Mapping[str, Any]) -> str:
    canonical = {k: resolved[k] for k in ("name", "version", "description", "checks")}
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _build_check(raw: Mapping[str, Any]) -> Check:
    applies = raw.get("applies_to", {})
    remediation = raw.get("remediation")
    return Check(
        id=raw["id"],
        title=raw["title"],
        severity=Severity(raw["severity"]),
        rationale=" ".join(raw["rationale"].split()),
        fact=raw["fact"],
        operator=raw["operator"],
        expected=raw.get("expected"),
        platforms=tuple(applies.get("platforms", ())),
        classes=tuple(applies.get("classes", ())),
        scope=raw.get("scope", "host"),
        when=tuple(
            Condition(c["fact"], c["operator"], c.get("expected")) for c in raw.get("when", ())
        ),
        remediation=None
        if remediation is None
        else Remediation(
            role=remediation.get("role"),
            vars=remediation.get("vars", {}),
            manual=remediation.get("manual"),
        ),
        tags=tuple(raw.get("tags", ())),
    )


def load(spec: str | None = None, extra_dirs: Iterable[Path] = ()) -> Baseline:
    """Load and resolve a baseline by spec (default: the newest msp-standard)."""
    dirs = search_dirs(extra_dirs)
    path = find(spec or DEFAULT_BASELINE, dirs)
    resolved = _resolve(path, dirs, ())
    return Baseline(
        name=resolved["name"],
        version=resolved["version"],
        description=resolved["description"],
        sha256=content_hash(resolved),
        checks=tuple(_build_check(c) for c in resolved["checks"]),
        sources=tuple(resolved["sources"]),
    )
