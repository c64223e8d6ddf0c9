import io

from rich.console import Console

from tests.helpers import reachable
from verifier.cli.progress import CollectionProgress
from verifier.events import CollectionFinished, CollectionStarted, HostCollected
from verifier.models import Collection, HostStatus


def test_progress_names_each_failed_host_as_it_happens() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, force_terminal=False)
    ok = reachable({}, name="good")
    bad = Collection(reachable({}, name="[b]bad").host, HostStatus.AUTH_FAILED, message="denied")
    with CollectionProgress(console) as progress:
        progress(CollectionStarted(total=2))
        progress(HostCollected(ok))
        progress(HostCollected(bad))
        progress(CollectionFinished())
    text = buffer.getvalue()
    assert "! [b]bad auth_failed: denied" in text
    assert "good auth_failed" not in text
