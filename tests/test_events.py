from tests.helpers import reachable
from verifier.events import HostCollected
from verifier.models import Collection, HostStatus


def test_host_collected_exposes_its_collection() -> None:
    event = HostCollected(Collection(reachable({}).host, HostStatus.TIMEOUT, message="slow"))
    assert (event.host, event.status, event.message) == ("h1", HostStatus.TIMEOUT, "slow")
