from pathlib import Path

from tests.helpers import baseline, check, reachable
from verifier.errors import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK
from verifier.events import Event, HostCollected
from verifier.models import Collection, HostStatus, Status
from verifier.pipeline import RunRequest, evaluate_run, exit_code, run_baseline


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


def test_hosts_without_a_collector_are_errors_not_passes(tmp_path: Path) -> None:
    inventory = tmp_path / "win.yml"
    inventory.write_text(
        "all:\n  hosts:\n    pc1: {ansible_connection: winrm}\n    sw1: {ansible_network_os: cisco.ios.ios}\n",
        encoding="utf-8",
    )
    events: list[Event] = []
    run = run_baseline(RunRequest(inventory=inventory), emit=events.append)
    assert [h.status for h in run.hosts] == [HostStatus.ERROR, HostStatus.ERROR]
    assert "windows hosts is not supported yet" in run.hosts[0].message
    statuses = {r.status for r in run.results()}
    assert Status.PASS not in statuses
    assert exit_code(run) == EXIT_INCOMPLETE
    assert {e.host for e in events if isinstance(e, HostCollected)} == {"pc1", "sw1"}
