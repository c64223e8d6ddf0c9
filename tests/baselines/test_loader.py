from dataclasses import replace
from pathlib import Path

import pytest

from verifier.baselines import loader
from verifier.errors import BaselineError
from verifier.models import Remediation

CHECK = """
  - id: linux.a.b
    title: t
    severity: high
    rationale: r
    fact: a.b
    operator: eq
    expected: true
"""


def _write(root: Path, name: str, version: str, body: str) -> Path:
    path = root / name / f"{version}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def _load(root: Path, spec: str) -> object:
    return loader.load(spec, extra_dirs=[root])


def test_bundled_default_resolves_with_hash() -> None:
    baseline = loader.load()
    assert baseline.name == "msp-standard"
    assert len(baseline.sha256) == 64
    assert len([c for c in baseline.checks if "linux" in c.platforms]) >= 20


def test_newest_version_wins(tmp_path: Path) -> None:
    for version in ("1.2.0", "1.10.0", "1.9.1"):
        _write(tmp_path, "b", version, f"name: b\nversion: {version}\nchecks:{CHECK}")
    assert loader.load("b", extra_dirs=[tmp_path]).version == "1.10.0"
    assert loader.load("b@1.2.0", extra_dirs=[tmp_path]).version == "1.2.0"


def test_unknown_name_and_version(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="unknown baseline 'nope'"):
        _load(tmp_path, "nope")
    with pytest.raises(BaselineError, match="available versions of msp-standard"):
        _load(tmp_path, "msp-standard@0.0.1")


def test_schema_error_names_file_line_and_field(tmp_path: Path) -> None:
    body = f"name: b\nversion: 1.0.0\nchecks:{CHECK}  - id: linux.a.c\n    title: t\n"
    body += (
        "    severity: urgent\n    rationale: r\n    fact: a\n    operator: eq\n    expected: 1\n"
    )
    path = _write(tmp_path, "b", "1.0.0", body)
    with pytest.raises(BaselineError) as err:
        _load(tmp_path, "b")
    assert str(err.value).startswith(f"{path}:13: checks[1].severity:")


def test_unknown_operator(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks:" + CHECK.replace("eq", "eqq")
    )
    with pytest.raises(
        BaselineError, match=rf"{path}:9: checks\[0\]\.operator: unknown operator 'eqq'"
    ):
        _load(tmp_path, "b")


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks: [\n")
    with pytest.raises(BaselineError, match=rf"{path}:4: invalid YAML"):
        _load(tmp_path, "b")


def test_duplicate_ids_and_missing_expected(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK}{CHECK}")
    with pytest.raises(BaselineError, match=r"duplicate check id 'linux.a.b'"):
        _load(tmp_path, "b")
    _write(
        tmp_path,
        "c",
        "1.0.0",
        "name: c\nversion: 1.0.0\nchecks:" + CHECK.replace("    expected: true\n", ""),
    )
    with pytest.raises(BaselineError, match="needs an 'expected' value"):
        _load(tmp_path, "c")


def test_fleet_operator_needs_fleet_scope(tmp_path: Path) -> None:
    _write(
        tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks:" + CHECK.replace("eq", "uniform")
    )
    with pytest.raises(BaselineError, match="cannot be used in a host-scope check"):
        _load(tmp_path, "b")


def test_extends_replaces_removes_and_appends(tmp_path: Path) -> None:
    parent = f"name: base\nversion: 1.0.0\nchecks:{CHECK}{CHECK.replace('linux.a.b', 'linux.a.c')}"
    _write(tmp_path, "base", "1.0.0", parent)
    child_check = CHECK.replace("title: t", "title: child").replace("linux.a.b", "linux.a.b")
    child = (
        "name: child\nversion: 2.0.0\nextends: base@1.0.0\nremove: [linux.a.c]\nchecks:"
        + child_check
        + CHECK.replace("linux.a.b", "linux.a.d")
    )
    _write(tmp_path, "child", "2.0.0", child)
    baseline = loader.load("child", extra_dirs=[tmp_path])
    assert [(c.id, c.title) for c in baseline.checks] == [
        ("linux.a.b", "child"),
        ("linux.a.d", "t"),
    ]
    assert len(baseline.sources) == 2


def test_extends_errors(tmp_path: Path) -> None:
    _write(tmp_path, "a", "1.0.0", f"name: a\nversion: 1.0.0\nextends: b@1.0.0\nchecks:{CHECK}")
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nextends: a@1.0.0\nchecks:{CHECK}")
    with pytest.raises(BaselineError, match="'extends' cycle"):
        _load(tmp_path, "a")
    path = _write(
        tmp_path, "c", "1.0.0", f"name: c\nversion: 1.0.0\nextends: zz@1.0.0\nchecks:{CHECK}"
    )
    with pytest.raises(BaselineError, match=rf"{path}:3: extends: unknown baseline 'zz'"):
        _load(tmp_path, "c")


def test_hash_changes_with_content(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK}")
    first = loader.load("b", extra_dirs=[tmp_path]).sha256
    _write(
        tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK.replace('true', 'false')}"
    )
    assert loader.load("b", extra_dirs=[tmp_path]).sha256 != first


def test_version_must_match_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.1\nchecks:{CHECK}")
    with pytest.raises(BaselineError, match=r"file is named 1\.0\.0\.yml"):
        _load(tmp_path, "b@1.0.0")


PARENT_WITH_REMEDIATION = f"""name: base
version: 1.0.0
checks:{CHECK}    remediation:
      manual: Do it by hand.
{CHECK.replace("linux.a.b", "linux.a.c")}"""


def test_remediations_override_inherited_checks(tmp_path: Path) -> None:
    _write(tmp_path, "base", "1.0.0", PARENT_WITH_REMEDIATION)
    child = (
        "name: child\nversion: 1.1.0\nextends: base@1.0.0\nchecks: []\nremediations:\n"
        "  linux.a.b:\n    role: ssh_hardening\n    vars: {ssh_max_auth_tries: 4}\n"
    )
    _write(tmp_path, "child", "1.1.0", child)

    parent = loader.load("base@1.0.0", extra_dirs=[tmp_path])
    baseline = loader.load("child@1.1.0", extra_dirs=[tmp_path])

    assert [c.id for c in baseline.checks] == ["linux.a.b", "linux.a.c"]
    fixed, untouched = baseline.checks
    assert fixed.remediation == Remediation(role="ssh_hardening", vars={"ssh_max_auth_tries": 4})
    assert untouched.remediation is None
    assert parent.checks[0].remediation == Remediation(manual="Do it by hand.")
    # Only the fix changed: the check itself is as its version defined it.
    assert replace(fixed, remediation=None) == replace(parent.checks[0], remediation=None)
    assert baseline.sha256 != parent.sha256


def test_remediations_apply_to_own_checks_too(tmp_path: Path) -> None:
    body = f"name: b\nversion: 1.0.0\nchecks:{CHECK}remediations:\n  linux.a.b: {{manual: Call Bob.}}\n"
    _write(tmp_path, "b", "1.0.0", body)
    assert loader.load("b", extra_dirs=[tmp_path]).checks[0].remediation == Remediation(
        manual="Call Bob."
    )


def test_remediation_for_an_unknown_check_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, "base", "1.0.0", PARENT_WITH_REMEDIATION)
    child = (
        "name: child\nversion: 1.1.0\nextends: base@1.0.0\nchecks: []\nremediations:\n"
        "  linux.a.b:\n    manual: fine\n  linux.a.zz:\n    role: ssh_hardening\n"
    )
    path = _write(tmp_path, "child", "1.1.0", child)
    with pytest.raises(BaselineError) as err:
        _load(tmp_path, "child")
    assert str(err.value) == f"{path}:9: remediations: no check 'linux.a.zz' to remediate"


def test_remediation_override_with_both_role_and_manual_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "base", "1.0.0", PARENT_WITH_REMEDIATION)
    child = (
        "name: child\nversion: 1.1.0\nextends: base@1.0.0\nchecks: []\nremediations:\n"
        "  linux.a.b:\n    role: ssh_hardening\n    manual: and by hand\n"
    )
    path = _write(tmp_path, "child", "1.1.0", child)
    with pytest.raises(BaselineError) as err:
        _load(tmp_path, "child")
    assert str(err.value) == (
        f"{path}:7: remediations.linux.a.b: remediation needs exactly one of 'role' or 'manual'"
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("{role: Bad-Role}", "'Bad-Role' does not match"),
        ("{manual: x, when: later}", "unknown field ('when' was unexpected)"),
    ],
)
def test_remediation_override_is_validated_like_a_check_remediation(
    tmp_path: Path, override: str, message: str
) -> None:
    body = f"name: b\nversion: 1.0.0\nchecks:{CHECK}remediations:\n  linux.a.b: {override}\n"
    path = _write(tmp_path, "b", "1.0.0", body)
    with pytest.raises(BaselineError) as err:
        _load(tmp_path, "b")
    assert str(err.value).startswith(f"{path}:12: remediations.linux.a.b")
    assert message in str(err.value)


def test_shipped_1_3_0_only_changes_remediations_of_1_2_0() -> None:
    old = loader.load("msp-standard@1.2.0")
    new = loader.load("msp-standard@1.3.0")

    assert (new.name, new.version) == ("msp-standard", "1.3.0")
    assert len(new.sha256) == 64 and new.sha256 != old.sha256
    assert [c.id for c in new.checks] == [c.id for c in old.checks]
    for before, after in zip(old.checks, new.checks, strict=True):
        assert replace(after, remediation=None) == replace(before, remediation=None), after.id
    changed = {a.id for b, a in zip(old.checks, new.checks, strict=True) if a != b}
    assert {"win.bitlocker.workstation", "linux.backup.agent_installed"} <= changed
    bitlocker = next(c for c in new.checks if c.id == "win.bitlocker.workstation")
    assert bitlocker.remediation is not None and bitlocker.remediation.role is None
    assert bitlocker.remediation.manual is not None
    assert "escrow the recovery key" in bitlocker.remediation.manual
    assert new.sources[-1].endswith("msp-standard/1.3.0.yml")
