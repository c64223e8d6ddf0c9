"""Check evaluation: named operators, per-host engine and fleet-scope checks."""
