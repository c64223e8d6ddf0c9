"""Classify Ansible's failure messages into host statuses, and keep them to one clean line."""

from __future__ import annotations

import re

from verifier.models import HostStatus

_AUTH = re.compile(
    r"permission denied|authentication failed|invalid/incorrect password|incorrect password"
    r"|incorrect sudo password|missing sudo password|incorrect su password|no authentication"
    # Ansible's winrm plugin: "<transport>: the specified credentials were rejected by the server"
    r"|credentials were rejected",
    re.IGNORECASE,
)
_TIMEOUT = re.compile(r"timed out|timeout", re.IGNORECASE)


def classify(unreachable: bool, message: str) -> HostStatus:
    """The host status for a runner_on_unreachable (unreachable=True) or runner_on_failed event."""
    if _AUTH.search(message):
        return HostStatus.AUTH_FAILED
    if _TIMEOUT.search(message):
        return HostStatus.TIMEOUT
    return HostStatus.UNREACHABLE if unreachable else HostStatus.ERROR


def one_line(message: str, limit: int = 300) -> str:
    """First meaningful line of an Ansible message, whitespace folded, bounded in length."""
    text = " ".join(message.split())
    # ssh's own chatter ("Warning: Permanently added ...") says nothing about why it failed.
    text = re.sub(r"Warning: Permanently added .*? to the list of known hosts\.\s*", "", text)
    # Ansible wraps every SSH failure in the same preamble; the cause is what follows it.
    text = re.sub(
        r"^(Task failed: )?(Data could not be sent to remote host \"[^\"]*\"\. )?"
        r"(Make sure this host can be reached over ssh: )?",
        "",
        text,
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"
