"""What redaction leaves in place of a secret, shared by the redactor and the parsers.

Captures are stored redacted and parsed again later, so a parser must read these markers
correctly: a redacted community still counts, and whether it was a vendor default stays known.
"""

from __future__ import annotations

REDACTED = "<redacted>"
# A community string that was `public` or `private`: the only thing the fact schema reports.
REDACTED_DEFAULT = "<redacted:default>"
MARKERS = frozenset({REDACTED, REDACTED_DEFAULT})
DEFAULT_COMMUNITIES = frozenset({"public", "private"})


def is_default_community(name: str) -> bool:
    return name == REDACTED_DEFAULT or name.lower() in DEFAULT_COMMUNITIES
