"""`verify notify test`: one line per channel, exit 0/1/2, no secret in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.notify.receivers import (
    PROXY_VARIABLES,
    SMTP_PASSWORD,
    SMTP_USER,
    WEBHOOK_TOKEN,
    HttpReceiver,
    SmtpReceiver,
    make_tls_files,
)
from verifier.cli.main import main


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _config(path: Path, hook_port: int, smtp_port: int, ca: Path) -> Path:
    path.write_text(
        f"""\
retry: {{attempts: 2, backoff_seconds: 0, timeout_seconds: 5}}
webhooks:
  - name: ops-slack
    format: slack
    url_env: TEST_VERIFY_HOOK
email:
  - name: ops-mail
    host: 127.0.0.1
    port: {smtp_port}
    username: {SMTP_USER}
    password_file: smtp-password
    from: verify@example.com
    to: [noc@example.com]
    ca_file: {ca}
""",
        encoding="utf-8",
    )
    (path.parent / "smtp-password").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    (path.parent / "smtp-password").chmod(0o600)
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as caught:
        main(args)
    out, err = capsys.readouterr()
    return int(caught.value.code or 0), out, err


@pytest.fixture
def tls_ca(tmp_path: Path) -> Path:
    return make_tls_files(tmp_path).ca


def test_all_channels_get_the_test_alert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = make_tls_files(tmp_path)
    with HttpReceiver([200]) as hook, SmtpReceiver(tls) as smtp:
        monkeypatch.setenv("TEST_VERIFY_HOOK", hook.url())
        config = _config(tmp_path / "notify.yml", hook.port, smtp.port, tls.ca)
        code, out, err = _run(["notify", "test", "--notify-config", str(config)], capsys)
    assert (code, out) == (0, "webhook ops-slack: ok\nemail ops-mail: ok\n"), err
    assert (
        hook.requests[0].json()["blocks"][0]["text"]["text"].startswith("verify: test alert from ")
    )
    (mail,) = smtp.messages
    assert mail.starttls and mail.authenticated
    assert mail.message()["Subject"].startswith("verify: test alert from ")
    assert "attempt 1/2 ok" in err
    assert WEBHOOK_TOKEN not in out + err and SMTP_PASSWORD not in out + err


def test_a_failed_channel_exits_1_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = make_tls_files(tmp_path)
    with HttpReceiver([503]) as hook, SmtpReceiver(tls, password="another one") as smtp:
        monkeypatch.setenv("TEST_VERIFY_HOOK", hook.url())
        monkeypatch.setenv(
            "VERIFY_NOTIFY_CONFIG", str(_config(tmp_path / "n.yml", hook.port, smtp.port, tls.ca))
        )
        code, out, err = _run(["notify", "test", "--quiet"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "webhook ops-slack: failed after 2 attempts: HTTP 503 Service Unavailable: ok",
        "email ops-mail: failed: authentication failed: 535 5.7.8 Authentication credentials invalid",
    ]
    assert err == ""
    assert len(hook.requests) == 2 and smtp.messages == []
    assert WEBHOOK_TOKEN not in out and SMTP_PASSWORD not in out


def test_missing_secret_is_a_failed_channel(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tls_ca: Path,
) -> None:
    monkeypatch.delenv("TEST_VERIFY_HOOK", raising=False)
    config = _config(tmp_path / "notify.yml", 1, 1, tls_ca)
    (tmp_path / "smtp-password").unlink()
    code, out, _err = _run(["notify", "test", "--notify-config", str(config)], capsys)
    assert code == 1
    assert out.splitlines() == [
        "webhook ops-slack: failed: webhook ops-slack: URL: environment variable TEST_VERIFY_HOOK is not set or empty",
        f"email ops-mail: failed: email ops-mail: password: cannot read file {tmp_path / 'smtp-password'}: No such file or directory",
    ]


def test_bad_config_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "notify.yml"
    config.write_text("webhooks:\n  - name: a\n    format: slack\n    urll: x\n", encoding="utf-8")
    code, out, err = _run(["notify", "test", "--notify-config", str(config)], capsys)
    assert (code, out) == (2, "")
    assert (
        err
        == f"verify: error: {config}:4: webhooks[0]: unknown key 'urll' (did you mean 'url_file'?)\n"
    )


def test_missing_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERIFY_NOTIFY_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code, _out, err = _run(["notify", "test"], capsys)
    assert code == 2
    assert err.startswith(
        f"verify: error: {tmp_path / 'verify' / 'notify.yml'}: alert config not found"
    )
    assert len(err.splitlines()) == 1
