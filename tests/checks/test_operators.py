from datetime import date

import pytest

from verifier.checks.operators import MISSING, OPERATORS, OperatorTypeError, apply

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("name", "actual", "expected", "outcome"),
    [
        ("eq", "no", "no", True),
        ("eq", False, True, False),
        ("ne", 1, 2, True),
        ("in", "no", ["no", "prohibit-password"], True),
        ("not_in", "yes", ["no"], True),
        ("gt", 5, 4, True),
        ("ge", 4, 4, True),
        ("lt", 4, 4, False),
        ("le", 90.5, 90, False),
        ("version_ge", "9.10", "9.3", True),
        ("version_lt", "16.04.7", "18.04", True),
        ("version_gt", "9.3 (Blue Onyx)", "9.2", True),
        ("version_le", "12", "11.9", False),
        ("matches", "OpenSSH_9.2p1", r"OpenSSH_9\.", True),
        ("not_matches", "3des-cbc", "cbc$", False),
        ("max_age_days", "2026-11-20", 7, True),
        ("max_age_days", "2019-03-14T10:00:00Z", 35, False),
        ("min_age_days", "2026-11-20", 7, False),
        ("contains", ["clamav"], "clamav", True),
        ("not_contains", ["clamav"], "clamav", False),
        ("any_of", ["a", "b"], ["b", "c"], True),
        ("all_of", ["a", "b"], ["a", "b"], True),
        ("all_of", ["a"], ["a", "b"], False),
        ("none_of", ["aes256-ctr"], ["3des-cbc"], True),
        ("subset_of", ["a"], ["a", "b"], True),
        ("subset_of", ["a", "z"], ["a", "b"], False),
        ("empty", [], None, True),
        ("not_empty", [], None, False),
        ("length_le", ["a", "b", "c", "d"], 3, False),
        ("length_ge", ["a"], 1, True),
    ],
)
def test_operator_outcomes(name: str, actual: object, expected: object, outcome: bool) -> None:
    assert apply(name, actual, expected, TODAY) is outcome


def test_presence_operators_read_missing_facts() -> None:
    assert apply("present", MISSING, None, TODAY) is False
    assert apply("absent", MISSING, None, TODAY) is True
    assert OPERATORS["present"].reads_missing and not OPERATORS["eq"].reads_missing


@pytest.mark.parametrize(
    ("name", "actual", "expected"),
    [
        ("gt", "five", 4),
        ("le", True, 4),  # a boolean is not a number here, though Python says otherwise
        ("empty", "text", None),
        ("max_age_days", "last tuesday", 3),
        ("version_ge", "unknown", "1.0"),
        ("matches", 12, "1"),
    ],
)
def test_wrong_types_raise(name: str, actual: object, expected: object) -> None:
    with pytest.raises(OperatorTypeError):
        apply(name, actual, expected, TODAY)


def test_unknown_operator_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        apply("eqq", 1, 1, TODAY)
