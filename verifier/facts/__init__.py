"""Fact normalization: raw collector output -> FactSet facts (docs/facts.md)."""
