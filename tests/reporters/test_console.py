import io
from pathlib import Path

from rich.console import Console

from tests.helpers import baseline, check, reachable
from verifier.models import Collection, HostStatus
from verifier.pipeline import evaluate_run
from verifier.reporters import console


def _render(run) -> str:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    console.render(run, Console(file=buffer, width=200, color_system=None))
    return buffer.getvalue()


def test_failures_show_expected_and_actual() -> None:
    run = evaluate_run(
        baseline(check(expected=False)),
        Path("inv.yml"),
        [reachable({"a": {"b": True}}, name="web1")],
        "2026-11-23T00:00:00+00:00",
    )
    text = _render(run)
    assert "test@1.0.0" in text and "web1" in text
    assert "HIGH" in text and "linux.test.check" in text
    assert "expected eq false  actual true" in text
    assert "fix manual: No remediation is defined in the baseline." in text


def test_failures_name_the_role_that_fixes_them() -> None:
    from verifier.models import Remediation

    run = evaluate_run(
        baseline(check(expected=False, remediation=Remediation(role="ssh_hardening"))),
        Path("inv.yml"),
        [reachable({"a": {"b": True}}, name="web1")],
        "2026-11-23T00:00:00+00:00",
    )
    assert "fix automated: role ssh_hardening" in _render(run)


def test_host_text_is_not_markup() -> None:
    hostile = "[bold red]pwn[/bold red]"
    down = Collection(reachable({}, name=hostile).host, HostStatus.ERROR, message="[link=x]y")
    run = evaluate_run(baseline(check()), Path("i"), [down], "2026-11-23T00:00:00+00:00")
    text = _render(run)
    assert hostile in text and "[link=x]y" in text
