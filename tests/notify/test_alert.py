"""Alert: the contract other modules build alerts with."""

from __future__ import annotations

import dataclasses

import pytest

from verifier.notify.alert import Alert, DeliveryFailure


def test_alert_is_frozen_and_keeps_its_parts() -> None:
    alert = Alert("verify: drift on acme (1 change)", "line 1\nline 2", {"changes": [1]})
    assert alert.payload == {"changes": [1]}
    with pytest.raises(dataclasses.FrozenInstanceError):
        alert.title = "other"  # type: ignore[misc]


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "carriage\rreturn"])
def test_title_must_be_one_non_empty_line(title: str) -> None:
    # The title becomes an e-mail Subject header: a line break there would inject headers.
    with pytest.raises(ValueError, match="title"):
        Alert(title, "body", {})


def test_delivery_failure_is_one_line_and_says_whether_to_retry() -> None:
    failure = DeliveryFailure("HTTP 500\n  Internal   Server Error", retry=True, retry_after=3)
    assert failure.reason == "HTTP 500 Internal Server Error"
    assert failure.retry and failure.retry_after == 3
    assert not DeliveryFailure("no", retry=False).retry
