"""Secret redaction: rules per platform, idempotence, and no canary anywhere it must not be.

Every secret in the recorded fixtures contains the marker CANARY, and nothing else does.
"""

from __future__ import annotations

import json

import pytest

from tests.collectors.parsers.golden import TODAY, cases, load_outputs, parsed
from verifier.collectors.parsers import COMMANDS, parse_device
from verifier.collectors.parsers.markers import REDACTED, REDACTED_DEFAULT
from verifier.collectors.parsers.redact import redact

CANARY = "CANARY"
ALL_CASES = [(p, c) for p in sorted(COMMANDS) for c in cases(p)]


@pytest.mark.parametrize(("platform", "case"), ALL_CASES)
def test_fixtures_carry_canaries(platform: str, case: str) -> None:
    """Guard for the tests below: the raw outputs really contain secrets to leak."""
    assert any(CANARY in text for text in load_outputs(platform, case).values())


@pytest.mark.parametrize(("platform", "case"), ALL_CASES)
def test_no_canary_in_parsed_document(platform: str, case: str) -> None:
    """Nothing a parser returns (facts, redacted config, probe errors) holds a secret."""
    assert CANARY not in json.dumps(parsed(platform, case))


@pytest.mark.parametrize(("platform", "case"), ALL_CASES)
def test_no_canary_in_redacted_outputs(platform: str, case: str) -> None:
    """Capture folders store every output through redact(): none may keep a secret."""
    for command, text in load_outputs(platform, case).items():
        assert CANARY not in redact(platform, text), command


@pytest.mark.parametrize(("platform", "case"), ALL_CASES)
def test_redaction_is_idempotent(platform: str, case: str) -> None:
    for text in load_outputs(platform, case).values():
        once = redact(platform, text)
        assert redact(platform, once) == once


@pytest.mark.parametrize(("platform", "case"), [(p, c) for p, c in ALL_CASES if c != "malformed"])
def test_captures_give_the_same_facts(platform: str, case: str) -> None:
    """`--from-captures` parses redacted outputs: the facts, hash included, must not change."""
    outputs = load_outputs(platform, case)
    live = parse_device(platform, outputs, TODAY)
    captured = parse_device(platform, {c: redact(platform, t) for c, t in outputs.items()}, TODAY)
    assert captured == live


def test_unknown_platform() -> None:
    with pytest.raises(ValueError, match="no redaction rules"):
        redact("hp_procurve", "password x")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("enable secret 9 $9$abc$def", "enable secret 9 <redacted>"),
        ("enable password s3cret", "enable password <redacted>"),
        (
            "username bob privilege 15 password 7 0822455D0A16",
            "username bob privilege 15 password 7 <redacted>",
        ),
        (
            "username eos role network-admin secret sha512 $6$x$y",
            "username eos role network-admin secret sha512 <redacted>",
        ),
        ("snmp-server community public RO", f"snmp-server community {REDACTED_DEFAULT} RO"),
        ("snmp-server community Private RW 10", f"snmp-server community {REDACTED_DEFAULT} RW 10"),
        ("snmp-server community n0tPublic RO", "snmp-server community <redacted> RO"),
        (
            "snmp-server host 10.1.1.1 version 2c s3cret",
            "snmp-server host 10.1.1.1 version 2c <redacted>",
        ),
        (
            "snmp-server host 10.1.1.1 informs version 2c public",
            f"snmp-server host 10.1.1.1 informs version 2c {REDACTED_DEFAULT}",
        ),
        (
            "snmp-server host 10.1.1.1 version 3 priv netmon",
            "snmp-server host 10.1.1.1 version 3 priv netmon",
        ),
        (
            "tacacs-server host 10.0.0.9 key 7 0822455D0A16",
            "tacacs-server host 10.0.0.9 key 7 <redacted>",
        ),
        ("radius-server key s3cret", "radius-server key <redacted>"),
        (" key 7 0822455D0A16", " key 7 <redacted>"),
        (" key 1", " key 1"),
        (" key-string 7 0822455D0A16", " key-string 7 <redacted>"),
        (
            "crypto isakmp key s3cret address 203.0.113.1",
            "crypto isakmp key <redacted> address 203.0.113.1",
        ),
        (
            " pre-shared-key address 0.0.0.0 0.0.0.0 key s3cret",
            " pre-shared-key <redacted> 0.0.0.0 0.0.0.0 key <redacted>",
        ),
        (
            " ip ospf message-digest-key 1 md5 7 0822455D",
            " ip ospf message-digest-key 1 md5 7 <redacted>",
        ),
        (" ip ospf authentication-key 7 0822455D", " ip ospf authentication-key 7 <redacted>"),
        ("ntp authentication-key 1 md5 s3cret 7", "ntp authentication-key 1 md5 <redacted> 7"),
        (" neighbor 10.0.0.2 password 7 0822455D", " neighbor 10.0.0.2 password 7 <redacted>"),
        ("key config-key password-encrypt s3cret", "key config-key password-encrypt <redacted>"),
        (
            "snmp-server user u g v3 auth sha s3cret priv aes 128 s3cret2",
            "snmp-server user u g v3 auth sha <redacted> priv aes 128 <redacted>",
        ),
        ("+snmp-server community s3cret rw", "+snmp-server community <redacted> rw"),
        ("service password-encryption", "service password-encryption"),
        ("password encryption aes", "password encryption aes"),
        ("username admin nopassword", "username admin nopassword"),
        ("Key Version               : A", "Key Version               : A"),
    ],
)
def test_cisco_rules(line: str, expected: str) -> None:
    assert redact("cisco_ios", line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("enable password 8Ry2YjIyt7RRXU24 encrypted", "enable password <redacted> encrypted"),
        (
            "username a password $sha512$5000$x==$y== pbkdf2 privilege 15",
            "username a password <redacted> pbkdf2 privilege 15",
        ),
        (
            "snmp-server host inside 10.1.1.1 community s3cret version 2c",
            "snmp-server host inside 10.1.1.1 community <redacted> version 2c",
        ),
        ("snmp-server community *****", "snmp-server community *****"),
        (" ikev1 pre-shared-key s3cret", " ikev1 pre-shared-key <redacted>"),
        (" key s3cret", " key <redacted>"),
        ("passwd 2KFQnbNIdI.2KYOU encrypted", "passwd <redacted> encrypted"),
        (" ldap-login-password s3cret", " ldap-login-password <redacted>"),
    ],
)
def test_asa_rules(line: str, expected: str) -> None:
    assert redact("cisco_asa", line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'set system root-authentication encrypted-password "$6$a$b"',
            "set system root-authentication encrypted-password <redacted>",
        ),
        (
            "set snmp community public authorization read-only",
            f"set snmp community {REDACTED_DEFAULT} authorization read-only",
        ),
        (
            'set snmp community "s3 cret" clients 10.0.0.0/8',
            "set snmp community <redacted> clients 10.0.0.0/8",
        ),
        (
            'set system tacplus-server 10.0.0.9 secret "$9$abc"',
            "set system tacplus-server 10.0.0.9 secret <redacted>",
        ),
        (
            'set security ike policy p pre-shared-key ascii-text "$9$abc"',
            "set security ike policy p pre-shared-key ascii-text <redacted>",
        ),
        (
            'set protocols bgp group g authentication-key "$9$abc"',
            "set protocols bgp group g authentication-key <redacted>",
        ),
        ('set system login message "hello"', 'set system login message "hello"'),
    ],
)
def test_junos_rules(line: str, expected: str) -> None:
    assert redact("juniper_junos", line) == expected


def test_fortios_rules() -> None:
    text = "\n".join(
        [
            "config system snmp community",
            "    edit 1",
            '        set name "public"',
            "        config hosts",
            "            edit 1",
            "                set ip 10.0.0.1 255.255.255.255",
            "            next",
            "        end",
            "    next",
            "    edit 2",
            '        set name "s3cret"',
            "    next",
            "end",
            "config firewall address",
            "    edit 1",
            '        set name "not-a-secret"',
            "    next",
            "end",
            "config system admin",
            '    edit "admin"',
            "        set password ENC SH2abc==",
            "    next",
            "end",
            "config vpn certificate local",
            '    edit "c"',
            '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----',
            "MIIF",
            '-----END ENCRYPTED PRIVATE KEY-----"',
            '        set certificate "-----BEGIN CERTIFICATE-----',
            '-----END CERTIFICATE-----"',
            "    next",
            "end",
        ]
    )
    out = redact("fortinet", text).splitlines()
    assert out[2] == f"        set name {REDACTED_DEFAULT}"
    assert out[10] == f"        set name {REDACTED}"
    assert out[15] == '        set name "not-a-secret"'
    assert "        set password ENC <redacted>" in out
    assert "        set private-key <redacted>" in out
    assert "MIIF" not in out
    assert '        set certificate "-----BEGIN CERTIFICATE-----' in out


def test_routeros_export_rules() -> None:
    text = "\n".join(
        [
            "/snmp community",
            "set [ find default=yes ] addresses=10.0.0.0/8 name=\\",
            "    s3cret",
            "add name=public",
            "/interface wireguard",
            'add name=wg0 private-key="abc="',
            "/ppp secret",
            "add name=vpn password=s3cret",
            "/system identity",
            "set name=router",
        ]
    )
    assert redact("mikrotik_routeros", text).splitlines() == [
        "/snmp community",
        "set [ find default=yes ] addresses=10.0.0.0/8 name=<redacted>",
        f"add name={REDACTED_DEFAULT}",
        "/interface wireguard",
        "add name=wg0 private-key=<redacted>",
        "/ppp secret",
        "add name=vpn password=<redacted>",
        "/system identity",
        "set name=router",
    ]


def test_routeros_community_table_keeps_columns_aligned() -> None:
    text = (
        "Flags: * - DEFAULT\n"
        "#   NAME    ADDRESSES  SECURITY  READ-ACCESS  WRITE-ACCESS\n"
        "0 * public  ::/0       none      yes          no\n"
        "1   s3cr    ::/0       none      yes          yes\n"
    )
    out = redact("mikrotik_routeros", text)
    assert "public" not in out and "s3cr" not in out
    from verifier.collectors.parsers.routeros_print import parse_table

    rows = parse_table(out)
    assert [r.values["NAME"] for r in rows] == [REDACTED_DEFAULT, REDACTED]
    assert [r.values["WRITE-ACCESS"] for r in rows] == ["no", "yes"]
    assert [r.values["ADDRESSES"] for r in rows] == ["::/0", "::/0"]


def test_routeros_v6_community_comment_is_kept() -> None:
    text = (
        "Flags: * - default, X - disabled \n"
        " #    NAME      ADDRESSES  SECURITY   READ-ACCESS WRITE-ACCESS\n"
        " 0 *  ;;; monitoring system\n"
        "      s3cret    0.0.0.0/0  none       yes         no\n"
    )
    out = redact("mikrotik_routeros", text)
    assert ";;; monitoring system" in out
    assert "s3cret" not in out
    from verifier.collectors.parsers.routeros_print import parse_table

    [row] = parse_table(out)
    assert (row.comment, row.values["NAME"], row.values["SECURITY"]) == (
        "monitoring system",
        REDACTED,
        "none",
    )
