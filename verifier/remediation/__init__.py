"""Remediation: failed checks -> a plan (roles per platform, manual actions) -> a playbook."""
