import json
from pathlib import Path

import jsonschema

from tests.helpers import baseline, check, reachable
from verifier.models import Collection, HostStatus
from verifier.pipeline import evaluate_run
from verifier.reporters import json_report


def _run():  # type: ignore[no-untyped-def]
    ok = reachable({"a": {"b": True}}, name="good")
    down = Collection(reachable({}, name="down").host, HostStatus.UNREACHABLE, message="refused")
    return evaluate_run(baseline(check()), Path("inv.yml"), [ok, down], "2026-11-23T00:00:00+00:00")


def test_document_matches_its_schema(tmp_path: Path) -> None:
    run = _run()
    out = tmp_path / "sub" / "report.json"
    json_report.write(run, out)
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(json_report.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["baseline"] == {"name": "test", "version": "1.0.0", "sha256": "0" * 64}
    assert document["summary"]["pass"] == 1 and document["summary"]["unknown"] == 1
    hosts = {h["name"]: h for h in document["hosts"]}
    assert hosts["down"]["status"] == "unreachable"
    assert hosts["good"]["checks"][0]["title"] == "A test check"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["report.json"], "temporary file left"


def test_failed_checks_say_how_they_are_fixed(tmp_path: Path) -> None:
    from verifier.models import Remediation

    automated = check(id="linux.t.auto", remediation=Remediation(role="ssh_hardening"))
    manual = check(id="linux.t.manual", remediation=Remediation(manual="Replace the disk."))
    run = evaluate_run(
        baseline(automated, manual, check(id="linux.t.ok", expected=False)),
        Path("inv.yml"),
        [reachable({"a": {"b": False}}, name="h1")],
        "2026-11-23T00:00:00+00:00",
    )
    document = json_report.to_document(run)
    jsonschema.validate(document, json.loads(json_report.SCHEMA_PATH.read_text(encoding="utf-8")))
    checks = {c["id"]: c for c in document["hosts"][0]["checks"]}
    assert checks["linux.t.auto"]["fix"] == {"kind": "automated", "role": "ssh_hardening"}
    assert checks["linux.t.manual"]["fix"] == {"kind": "manual", "instruction": "Replace the disk."}
    assert "fix" not in checks["linux.t.ok"]  # passing checks need no fix
