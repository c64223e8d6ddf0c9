"""run_baseline: inventory -> collectors -> check engine -> RunResult. No Click, no printing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from verifier.baselines.loader import load as load_baseline
from verifier.checks.engine import evaluate
from verifier.collectors.base import CollectOptions, collector_for
from verifier.collectors.failures import one_line
from verifier.errors import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK, InventoryError
from verifier.events import (
    CollectionFinished,
    CollectionStarted,
    Event,
    EventSink,
    HostCollected,
    ignore,
)
from verifier.inventory.loader import load_hosts
from verifier.models import (
    Baseline,
    Collection,
    Host,
    HostResult,
    HostStatus,
    Platform,
    RunResult,
    Status,
)


@dataclass(frozen=True)
class RunRequest:
    inventory: Path
    baseline: str | None = None
    limit: str | None = None
    forks: int = 10
    connect_timeout: int = 15
    task_timeout: int = 300
    vault_password_file: Path | None = None
    capture_dir: Path | None = None
    # Restrict to these inventory host names (after --limit); used to re-verify touched hosts.
    only_hosts: frozenset[str] | None = None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _collect_platform(
    platform: Platform, hosts: Sequence[Host], options: CollectOptions, emit: EventSink
) -> None:
    try:
        collector_for(platform).collect(hosts, options, emit)
    except Exception as exc:  # a collector crash costs its hosts, not the whole run
        message = f"collector failed: {one_line(str(exc))}"
        for host in hosts:
            emit(HostCollected(Collection(host, HostStatus.ERROR, message=message)))


def collect(
    hosts: Sequence[Host], options: CollectOptions, emit: EventSink
) -> tuple[list[Collection], bool]:
    """Run each platform's collector concurrently. Returns (collections, interrupted).

    Results are taken from HostCollected events as each host finishes, so Ctrl-C keeps every
    host done so far; the rest are reported as `error: run interrupted`.
    """
    by_platform: dict[Platform, list[Host]] = defaultdict(list)
    for host in hosts:
        by_platform[host.platform].append(host)
    done: dict[str, Collection] = {}

    def record(event: Event) -> None:
        # First report per host wins: a collector that crashes part-way re-reports its hosts.
        if isinstance(event, HostCollected):
            if event.host in done:
                return
            done[event.host] = event.collection
        emit(event)

    interrupted = False
    with ThreadPoolExecutor(
        max_workers=len(by_platform) or 1, thread_name_prefix="collect"
    ) as pool:
        futures = [
            pool.submit(_collect_platform, platform, group, options, record)
            for platform, group in by_platform.items()
        ]
        try:
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            # Collectors poll this and stop their subprocesses; the pool then joins quickly.
            interrupted = True
            options.cancel.set()
    collections = [
        done.get(h.name) or Collection(h, HostStatus.ERROR, message="run interrupted")
        for h in hosts
    ]
    return collections, interrupted


def run_baseline(
    request: RunRequest, emit: EventSink = ignore, today: date | None = None
) -> RunResult:
    """Load inputs (input errors raise before anything connects), collect, evaluate."""
    baseline = load_baseline(request.baseline)
    hosts = load_hosts(request.inventory, request.limit, request.vault_password_file)
    if request.only_hosts is not None:
        hosts = [h for h in hosts if h.name in request.only_hosts]
        if not hosts:
            raise InventoryError(f"{request.inventory}: none of the requested hosts is in it")
    started = utc_now()
    collections, interrupted = _collect_all(request, hosts, emit)
    return evaluate_run(baseline, request.inventory, collections, started, today, interrupted)


def capture_network(request: RunRequest, emit: EventSink = ignore) -> tuple[list[Collection], bool]:
    """`verify collect`: save the network devices' outputs under request.capture_dir."""
    if request.capture_dir is None:
        raise ValueError("capture_network needs a capture_dir")
    hosts = load_hosts(request.inventory, request.limit, request.vault_password_file)
    devices = [h for h in hosts if h.platform is Platform.NETWORK]
    if not devices:
        raise InventoryError(f"{request.inventory}: no network devices to capture")
    request.capture_dir.mkdir(parents=True, exist_ok=True)
    return _collect_all(request, devices, emit)


def _collect_all(
    request: RunRequest, hosts: Sequence[Host], emit: EventSink
) -> tuple[list[Collection], bool]:
    options = CollectOptions(
        inventory=request.inventory,
        forks=request.forks,
        connect_timeout=request.connect_timeout,
        task_timeout=request.task_timeout,
        vault_password_file=request.vault_password_file,
        capture_dir=request.capture_dir,
    )
    emit(CollectionStarted(total=len(hosts)))
    collections, interrupted = collect(hosts, options, emit)
    emit(CollectionFinished())
    return collections, interrupted


def run_from_captures(
    captures_dir: Path,
    baseline_spec: str | None = None,
    emit: EventSink = ignore,
    today: date | None = None,
) -> RunResult:
    """Evaluate saved device outputs (verify collect, or sent by a client) with no connection."""
    from verifier.collectors.captures import read_captures
    from verifier.collectors.network import collection_from_outputs

    baseline = load_baseline(baseline_spec)
    captures = read_captures(captures_dir)
    started = utc_now()
    emit(CollectionStarted(total=len(captures)))
    collections = []
    for capture in captures:
        collection = collection_from_outputs(
            capture.host, capture.platform, capture.outputs, today or date.today(), "captures"
        )
        collections.append(collection)
        emit(HostCollected(collection))
    emit(CollectionFinished())
    return evaluate_run(baseline, captures_dir, collections, started, today)


def evaluate_run(
    baseline: Baseline,
    inventory: Path,
    collections: Sequence[Collection],
    started: str,
    today: date | None = None,
    interrupted: bool = False,
) -> RunResult:
    results = evaluate(baseline.checks, collections, today or date.today())
    host_results = tuple(
        HostResult(
            host=c.host,
            status=c.status,
            message=c.message,
            results=tuple(results[c.host.name]),
            facts=c.facts,
        )
        for c in collections
    )
    return RunResult(
        baseline=baseline,
        inventory=str(inventory),
        started_at=started,
        finished_at=utc_now(),
        hosts=host_results,
        interrupted=interrupted,
    )


def exit_code(run: RunResult) -> int:
    """0 all pass/skipped/waived; 1 any fail; 3 no fail but unreachable hosts or unknown/error."""
    statuses = {r.status for r in run.results()}
    if Status.FAIL in statuses:
        return EXIT_FAIL
    unreachable = any(h.status is not HostStatus.REACHABLE for h in run.hosts)
    if unreachable or run.interrupted or statuses & {Status.UNKNOWN, Status.ERROR}:
        return EXIT_INCOMPLETE
    return EXIT_OK
