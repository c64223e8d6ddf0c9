"""Domain errors. Each carries the exit code the CLI maps it to and a one-line message."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERNAL = 4
EXIT_LOCKED = 5
# `verify drift`: an alert could not be delivered after its retries.
EXIT_ALERT_FAILED = 6


class VerifierError(Exception):
    """Base for every error the CLI reports as a one-line message."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        # One line: multi-line causes from libraries are folded so output stays greppable.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)


class InputError(VerifierError):
    """Bad input from the user: a file, an option, a name. Exit 2."""

    exit_code = EXIT_USAGE


class InventoryError(InputError):
    """The inventory cannot be loaded."""


class BaselineError(InputError):
    """A baseline cannot be found, parsed, validated or resolved."""


class CollectorError(VerifierError):
    """A collector failed as a whole (not one host): e.g. ansible-playbook missing."""
