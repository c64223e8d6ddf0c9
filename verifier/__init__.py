"""verify: agentless infrastructure baseline verifier."""

__version__ = "0.1.0"
