"""Run history (SQLite), accepted snapshots and drift between runs."""
