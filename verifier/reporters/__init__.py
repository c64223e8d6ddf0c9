"""Reporters: one module per format, all over the same RunResult."""
