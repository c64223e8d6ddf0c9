"""WinRM over HTTPS in the lab: pywinrm validates the lab certificate for real."""

from pathlib import Path

import pytest
import winrm

from lab.winrm import Endpoint, start
from lab.winrm.tls import make_certificate


def test_https_with_validation_and_rejection(tmp_path: Path) -> None:
    tls = make_certificate(tmp_path)
    assert oct(tls.key.stat().st_mode & 0o777) == "0o600"
    assert make_certificate(tmp_path) == tls  # reused, not regenerated
    with start([Endpoint("verify", "pw", tls=tls)]) as handle:
        url = handle.endpoints[0].url
        assert url.startswith("https://127.0.0.1:")
        for transport in ("ntlm", "basic"):
            session = winrm.Session(
                url, auth=("verify", "pw"), transport=transport,
                server_cert_validation="validate", ca_trust_path=str(tls.cert),
            )
            assert session.run_cmd("hostname").std_out == b"WIN-LAB\r\n"
        untrusting = winrm.Session(
            url, auth=("verify", "pw"), transport="ntlm", server_cert_validation="validate",
            ca_trust_path=str(tmp_path / "other.pem"),
        )
        (tmp_path / "other.pem").write_text(make_certificate(tmp_path / "x").cert.read_text())
        with pytest.raises(Exception, match=r"(?i)certificate|ssl"):
            untrusting.run_cmd("hostname")
