"""Strip secrets from facts before they are stored: history outlives the run that made it.

Collectors already keep credentials out of facts (network configurations arrive redacted), so
this is the second line: any string under a key that names a secret is replaced. Booleans and
numbers stay (`snmp.default_community: true` is a finding, not a secret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"
_SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|secret|token|community|psk|private_key|api_key|credential)",
    re.IGNORECASE,
)
# Facts whose names match but whose values are findings, not secrets (account names, sudoers
# rules; `password_required` is the key of the check win.accounts.password_required).
_ALLOWED = frozenset(
    {
        "partial_product_key",
        "password_encryption",
        "no_password_required",
        "empty_password",
        "nopasswd_sudo",
        "password_required",
    }
)


def is_secret_key(key: str) -> bool:
    return bool(key) and key not in _ALLOWED and _SECRET_KEY.search(key) is not None


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _redact_value(v) for k, v in value.items()}
    return value


def redact_facts(value: Any, key: str = "") -> Any:
    """A copy of `value` with every string under a secret-named key replaced by <redacted>."""
    if is_secret_key(key):
        return _redact_value(value)
    if isinstance(value, Mapping):
        return {str(k): redact_facts(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_facts(v, key) for v in value]
    return value
