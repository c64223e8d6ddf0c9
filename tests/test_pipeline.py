from pathlib import Path

import pytest

from tests.helpers import baseline, check, host, reachable
from verifier.collectors import base
from verifier.collectors.base import CollectOptions
from verifier.errors import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK
from verifier.events import Event, EventSink, HostCollected
from verifier.models import Collection, Host, HostStatus, Platform, Status
from verifier.pipeline import RunRequest, collect, evaluate_run, exit_code, run_baseline


def _exit(*collections: Collection, expected: object = True) -> int:
    run = evaluate_run(baseline(check(expected=expected)), Path("i"), collections, "t")
    return exit_code(run)


def test_exit_codes() -> None:
    good = reachable({"a": {"b": True}}, name="a")
    unknown = reachable({}, name="b")
    down = Collection(reachable({}, name="c").host, HostStatus.TIMEOUT, message="slow")
    assert _exit(good) == EXIT_OK
    assert _exit(good, unknown) == EXIT_INCOMPLETE
    assert _exit(good, down) == EXIT_INCOMPLETE
    assert _exit(good, down, expected=False) == EXIT_FAIL  # a fail outranks the unreachable host


def test_hosts_without_a_facts_driver_are_errors_not_passes(tmp_path: Path) -> None:
    inventory = tmp_path / "win.yml"
    inventory.write_text(
        "all:\n  hosts:\n    fw1: {ansible_network_os: paloaltonetworks.panos}\n    sw2: {ansible_network_os: sonicwall}\n",
        encoding="utf-8",
    )
    events: list[Event] = []
    run = run_baseline(RunRequest(inventory=inventory), emit=events.append)
    assert [h.status for h in run.hosts] == [HostStatus.ERROR, HostStatus.ERROR]
    assert "no facts driver" in run.hosts[0].message
    statuses = {r.status for r in run.results()}
    assert Status.PASS not in statuses
    assert exit_code(run) == EXIT_INCOMPLETE
    assert {e.host for e in events if isinstance(e, HostCollected)} == {"fw1", "sw2"}


def test_a_collector_crash_keeps_hosts_already_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    class HalfThenCrash:
        name = "half"

        def collect(self, hosts: list[Host], _options: CollectOptions, emit: EventSink) -> None:
            emit(HostCollected(reachable({"a": 1}, name=hosts[0].name)))
            raise RuntimeError("driver exploded")

    monkeypatch.setitem(base.REGISTRY, Platform.LINUX, HalfThenCrash)
    events: list[Event] = []
    collections, interrupted = collect(
        [host("a"), host("b")], CollectOptions(inventory=Path("i")), events.append
    )
    assert [c.status for c in collections] == [HostStatus.REACHABLE, HostStatus.ERROR]
    assert "driver exploded" in collections[1].message and not interrupted
    # Each host reported once, although the crash handler re-reports "a".
    assert [e.host for e in events if isinstance(e, HostCollected)] == ["a", "b"]


def test_utc_now_is_utc_to_the_second() -> None:
    from datetime import datetime, timedelta

    from verifier.pipeline import utc_now

    stamp = utc_now()
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.microsecond == 0 and stamp.endswith("+00:00") and len(stamp) == 25
