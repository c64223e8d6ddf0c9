"""Inventories, loaded with Ansible's own loader (never re-parsed here)."""
