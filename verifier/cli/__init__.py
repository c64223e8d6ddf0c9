"""Thin Click commands over the library API."""
