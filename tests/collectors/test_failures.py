import pytest

from verifier.collectors.failures import classify, one_line
from verifier.models import HostStatus


@pytest.mark.parametrize(
    ("unreachable", "message", "status"),
    [
        (True, "ntlm: the specified credentials were rejected by the server", HostStatus.AUTH_FAILED),
        (
            True,
            "Failed to connect to the host via ssh: root@127.0.0.1: Permission denied (publickey).",
            HostStatus.AUTH_FAILED,
        ),
        (
            True,
            "Invalid/incorrect password: Permission denied, please try again.",
            HostStatus.AUTH_FAILED,
        ),
        (True, "ssh: connect to host 127.0.0.1 port 2: Connection refused", HostStatus.UNREACHABLE),
        (True, "Connection timed out during banner exchange", HostStatus.TIMEOUT),
        (False, "Missing sudo password", HostStatus.AUTH_FAILED),
        (False, "The task timed out after 30 seconds", HostStatus.TIMEOUT),
        (False, "MODULE FAILURE", HostStatus.ERROR),
    ],
)
def test_classify(unreachable: bool, message: str, status: HostStatus) -> None:
    assert classify(unreachable, message) is status


def test_one_line_drops_ansible_preamble() -> None:
    text = 'Task failed: Data could not be sent to remote host "127.0.0.1". Make sure this host can be reached over ssh: ssh: connect to host 127.0.0.1 port 2: Connection refused\r\n'
    assert one_line(text) == "ssh: connect to host 127.0.0.1 port 2: Connection refused"


def test_one_line_folds_and_bounds() -> None:
    text = "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\r\nroot@x: Permission\n denied"
    assert one_line(text) == "root@x: Permission denied"
    assert len(one_line("x" * 1000)) == 300
