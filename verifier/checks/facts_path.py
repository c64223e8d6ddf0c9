"""Read a dotted path out of a FactSet's facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.checks.operators import MISSING


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    """The value at `path`, or MISSING when any part is absent or null."""
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return MISSING if node is None else node
