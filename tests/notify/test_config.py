"""Loading and validating notify.yml: one-line errors naming file and line; secrets stay out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.notify.alert import DeliveryFailure
from verifier.notify.config import (
    DEFAULT_CONFIG_ENV,
    EmailChannel,
    RetryPolicy,
    Secret,
    WebhookChannel,
    default_config_path,
    load_config,
)

REPO = Path(__file__).resolve().parents[2]

FULL = """\
retry:
  attempts: 4
  backoff_seconds: 1.5
  timeout_seconds: 5
webhooks:
  - name: ops-slack
    format: slack
    url_env: VERIFY_SLACK_WEBHOOK
  - name: ops-teams
    format: teams
    url_file: secrets/teams-url
email:
  - name: ops-mail
    host: smtp.example.com
    username: alerts@example.com
    password_env: VERIFY_SMTP_PASSWORD
    from: "verify <verify@example.com>"
    to: [noc@example.com, oncall@example.com]
  - name: local-relay
    host: 127.0.0.1
    security: none
    from: verify@example.com
    to: root@localhost.localdomain
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_loads(config_file: Path) -> None:
    config = load_config(_write(config_file, FULL))
    assert config.retry == RetryPolicy(attempts=4, backoff_seconds=1.5, timeout_seconds=5)
    assert [c.name for c in config.channels] == [
        "ops-slack",
        "ops-teams",
        "ops-mail",
        "local-relay",
    ]
    slack, teams = config.webhooks
    assert slack == WebhookChannel(
        "ops-slack", "slack", Secret(slack.url.label, env="VERIFY_SLACK_WEBHOOK")
    )
    # Relative paths are relative to the config file, not the working directory.
    assert teams.url.file == config_file.parent / "secrets/teams-url"
    mail, relay = config.email
    assert (mail.port, mail.security, mail.username) == (587, "starttls", "alerts@example.com")
    assert mail.password is not None and mail.password.env == "VERIFY_SMTP_PASSWORD"
    assert mail.sender == "verify <verify@example.com>"
    assert mail.to == ("noc@example.com", "oncall@example.com")
    assert (relay.port, relay.security, relay.password) == (25, "none", None)
    assert relay.to == ("root@localhost.localdomain",)
    assert config.source == config_file


def test_defaults(config_file: Path) -> None:
    config = load_config(
        _write(
            config_file,
            "email:\n  - {name: m, host: mx.example.com, security: ssl, from: a@b.c, to: [d@e.f]}\n",
        )
    )
    assert config.retry == RetryPolicy(attempts=3, backoff_seconds=2, timeout_seconds=10)
    assert config.email[0].port == 465 and config.webhooks == ()


def test_documented_example_is_valid(tmp_path: Path) -> None:
    """docs/alerts.md's full example must load as documented."""
    text = (REPO / "docs/alerts.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example, "docs/alerts.md has no yaml example"
    (tmp_path / "ca.pem").write_text("placeholder", encoding="utf-8")
    body = example.group(1).replace("/etc/verify/internal-ca.pem", str(tmp_path / "ca.pem"))
    config = load_config(_write(tmp_path / "notify.yml", body))
    assert {c.kind for c in config.channels} == {"webhook", "email"}
    assert {c.format for c in config.webhooks} == {"slack", "teams", "json"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "webhooks:\n  - name: a\n    format: slack\n    urll: x\n",
            "notify.yml:4: webhooks[0]: unknown key 'urll'",
        ),
        (
            "webhooks:\n  - name: a\n    format: slack\n    url: https://hooks.slack.com/services/T/B/secret\n",
            "notify.yml:4: webhooks[0]: 'url' is not allowed: a webhook URL holds its token; give it with url_env or url_file",
        ),
        (
            "email:\n  - name: m\n    host: mx.example.com\n    username: u\n    password: hunter2\n    from: a@b.c\n    to: d@e.f\n",
            "notify.yml:5: email[0]: 'password' is not allowed",
        ),
        (
            "webhooks:\n  - {name: a, format: slack, url_env: X, url_file: /f}\n",
            "notify.yml:2: webhooks[0]: give either url_env or url_file, not both",
        ),
        (
            "webhooks:\n  - {name: a, format: slack}\n",
            "notify.yml:2: webhooks[0]: missing key 'url_env' or 'url_file'",
        ),
        (
            "webhooks:\n  - {format: slack, url_env: X}\n",
            "notify.yml:2: webhooks[0]: missing key 'name'",
        ),
        (
            "webhooks:\n  - name: a\n    format: slak\n    url_env: X\n",
            "notify.yml:3: webhooks[0].format: must be one of slack, teams, json (got 'slak')",
        ),
        (
            "webhooks:\n  - {name: a, format: json, url_env: 'not a name'}\n",
            "webhooks[0].url_env: not an environment variable name: 'not a name'",
        ),
        (
            "webhooks:\n  - {name: a, format: json, url_env: X}\n  - {name: a, format: json, url_env: Y}\n",
            "notify.yml:3: webhooks[1].name: duplicate channel name 'a'",
        ),
        (
            "webhooks:\n  - {name: 'a b', format: json, url_env: X}\n",
            "webhooks[0].name: 'a b': use letters",
        ),
        (
            "webhooks:\n  - name: a\n    name: b\n    format: json\n    url_env: X\n",
            "notify.yml:3: duplicate key 'name'",
        ),
        ("webhooks: {name: a}\n", "notify.yml:1: webhooks: must be a list (got a mapping)"),
        (
            "email:\n  - name: m\n    host: mail.example.com\n    security: none\n    from: a@b.c\n    to: d@e.f\n",
            "notify.yml:4: email[0].security: 'none' (no encryption) is only allowed to a relay on this machine",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, port: '587', from: a@b.c, to: d@e.f}\n",
            "email[0].port: must be an integer (got a string)",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, port: 70000, from: a@b.c, to: d@e.f}\n",
            "email[0].port: must be between 1 and 65535 (got 70000)",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, username: u, from: a@b.c, to: d@e.f}\n",
            "notify.yml:2: email[0]: username given without password_env or password_file",
        ),
        (
            "email:\n  - name: m\n    host: mx.example.com\n    password_env: P\n    from: a@b.c\n    to: d@e.f\n",
            "notify.yml:4: email[0]: password given without username",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, from: a@b.c, to: []}\n",
            "email[0].to: must be an address or a non-empty list",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, from: a@b.c, to: [noc]}\n",
            "email[0].to[0]: not an e-mail address: 'noc'",
        ),
        (
            "email:\n  - {name: m, host: 'mx example', from: a@b.c, to: d@e.f}\n",
            "email[0].host: not a host name",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, to: d@e.f}\n",
            "email[0]: missing key 'from'",
        ),
        (
            "email:\n  - {name: m, host: mx.example.com, from: a@b.c, to: d@e.f, ca_file: /nonexistent/ca.pem}\n",
            "email[0].ca_file: /nonexistent/ca.pem: file not found",
        ),
        (
            "retry: {attempts: 0}\nwebhooks: [{name: a, format: json, url_env: X}]\n",
            "notify.yml:1: retry.attempts: must be between 1 and 10",
        ),
        (
            "retry: {attempts: true}\nwebhooks: [{name: a, format: json, url_env: X}]\n",
            "retry.attempts: must be an integer (got a boolean)",
        ),
        (
            "retry: {timeout_seconds: 0}\nwebhooks: [{name: a, format: json, url_env: X}]\n",
            "retry.timeout_seconds: must be more than 0",
        ),
        (
            "retry: {backof_seconds: 1}\nwebhooks: [{name: a, format: json, url_env: X}]\n",
            "retry: unknown key 'backof_seconds' (did you mean 'backoff_seconds'?)",
        ),
        ("retry: {attempts: 2}\n", "notify.yml:1: no channels configured"),
        ("- a\n- b\n", "notify.yml:1: must be a mapping (got a list)"),
        ("", "notify.yml:1: empty file"),
        ("webhooks: [\n", "notify.yml:2: invalid YAML"),
    ],
)
def test_bad_config_is_one_line_with_file_and_line(
    config_file: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_config(_write(config_file, text))
    assert message in caught.value.message
    assert caught.value.message.startswith(str(config_file.parent))
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == 2


def test_inline_secret_is_not_echoed(config_file: Path) -> None:
    text = "webhooks:\n  - {name: a, format: slack, url: 'https://hooks.slack.com/services/T/B/SEKRIT'}\n"
    with pytest.raises(InputError) as caught:
        load_config(_write(config_file, text))
    assert "SEKRIT" not in caught.value.message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.yml: alert config not found"):
        load_config(tmp_path / "nope.yml")


def test_default_path_env_then_xdg_then_home() -> None:
    assert default_config_path({DEFAULT_CONFIG_ENV: "/etc/verify/n.yml", "HOME": "/h"}) == Path(
        "/etc/verify/n.yml"
    )
    assert default_config_path({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path(
        "/x/verify/notify.yml"
    )
    assert default_config_path({"HOME": "/h"}) == Path("/h/.config/verify/notify.yml")


def test_secret_from_env_is_read_at_delivery_time() -> None:
    secret = Secret("webhook a: URL", env="HOOK")
    assert secret.read({"HOOK": " https://x/y \n"}) == "https://x/y"
    with pytest.raises(DeliveryFailure) as caught:
        secret.read({})
    assert caught.value.reason == "webhook a: URL: environment variable HOOK is not set or empty"
    assert not caught.value.retry


def test_secret_from_file(tmp_path: Path) -> None:
    path = tmp_path / "password"
    secret = Secret("email m: password", file=path)
    with pytest.raises(DeliveryFailure, match=r"cannot read file .*password: No such file"):
        secret.read()
    path.write_text("", encoding="utf-8")
    with pytest.raises(DeliveryFailure, match="is empty"):
        secret.read()
    path.write_text("s3cret\n", encoding="utf-8")
    assert secret.read() == "s3cret"
    assert "s3cret" not in repr(secret)


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(attempts=10, backoff_seconds=2, timeout_seconds=1)
    assert [policy.delay(n) for n in (1, 2, 3)] == [2, 4, 8]
    assert policy.delay(9) == 300
    assert RetryPolicy(backoff_seconds=0).delay(3) == 0


def test_channel_kinds() -> None:
    assert WebhookChannel.kind == "webhook" and EmailChannel.kind == "email"
