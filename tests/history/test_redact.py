"""Secrets are stripped from facts before they are stored; findings and non-strings stay."""

from __future__ import annotations

import copy

import pytest

from verifier.history.redact import REDACTED, redact_facts


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "db_passwd",
        "ssh_passphrase",
        "client_secret",
        "API_TOKEN",
        "snmp_community",
        "ipsec_psk",
        "private_key",
        "api_key",
        "Credentials",
    ],
)
def test_strings_under_secret_named_keys_are_redacted(key: str) -> None:
    assert redact_facts({"app": {key: "hunter2", "port": "8443"}}) == {
        "app": {key: REDACTED, "port": "8443"}
    }


def test_everything_under_a_secret_key_is_redacted_but_numbers_and_bools_stay() -> None:
    facts = {
        "vpn": {
            "secrets": {"site_a": "k1", "nested": {"name": "s", "rotations": 3}},
            "tokens": ["t1", "t2", 7, None],
            "password_set": True,
        }
    }
    assert redact_facts(facts) == {
        "vpn": {
            "secrets": {"site_a": REDACTED, "nested": {"name": REDACTED, "rotations": 3}},
            "tokens": [REDACTED, REDACTED, 7, None],
            "password_set": True,
        }
    }


def test_lists_of_mappings_are_walked() -> None:
    facts = {"users": [{"name": "bob", "password": "x"}, {"name": "eve", "token": "y"}]}
    assert redact_facts(facts) == {
        "users": [{"name": "bob", "password": REDACTED}, {"name": "eve", "token": REDACTED}]
    }


def test_findings_named_like_secrets_are_kept() -> None:
    facts = {
        "snmp": {"default_community": True, "communities": [{"index": 1, "access": "ro"}]},
        "license": {"partial_product_key": "3V66T"},
        "accounts": {"password_encryption": "type7", "no_password_required": ["Guest"]},
        "password_policy": {"min_length": 8, "lockout_threshold": 0},
    }
    assert redact_facts(facts) == facts


@pytest.mark.parametrize(
    ("key", "value"),
    [
        # docs/facts.md: account names and sudoers rules, findings rather than secrets.
        ("empty_password", ["bob", "backup"]),
        ("nopasswd_sudo", ["/etc/sudoers.d/ops: ops ALL=(ALL) NOPASSWD: ALL"]),
        # the key a check id `win.accounts.password_required` is stored under
        ("password_required", ["Guest"]),
    ],
)
def test_account_findings_keep_their_names(key: str, value: list[str]) -> None:
    assert redact_facts({"accounts": {key: value}}) == {"accounts": {key: value}}


def test_top_level_scalars_and_key_argument() -> None:
    assert redact_facts("plain") == "plain"
    assert redact_facts("hunter2", "db_password") == REDACTED
    assert redact_facts(["a", 1], "api_token") == [REDACTED, 1]
    assert redact_facts(False, "password_auth") is False


def test_input_is_not_modified() -> None:
    facts = {"app": {"password": "hunter2"}, "list": [{"secret": "s"}]}
    before = copy.deepcopy(facts)
    redacted = redact_facts(facts)
    assert facts == before
    assert redacted["app"]["password"] == REDACTED
