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
    assert not list(tmp_path.glob("sub/.report-*")), "temporary file left behind"
