"""Versioned baselines: find, validate, resolve `extends`, hash."""
