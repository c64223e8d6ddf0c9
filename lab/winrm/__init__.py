"""A WS-Management (WinRM) endpoint for tests: pywinrm and Ansible's winrm plugin talk to it
unchanged.

    handle = start([Endpoint(port=0, username="lab", password="pw")])
    handle.endpoints[0].url        # http://127.0.0.1:PORT/wsman
    handle.stop()

CLI: ``python -m lab.winrm.server --listen 127.0.0.1:PORT:USER:PASSWORD [...]``.
Commands are answered by a :data:`Handler` (``lab/winrm/handlers.py``).
"""

from __future__ import annotations

from lab.winrm.handlers import CommandRequest, CommandResult, Handler, default_handler
from lab.winrm.server import Endpoint, RunningEndpoint, ServerHandle, start

__all__ = [
    "CommandRequest",
    "CommandResult",
    "Endpoint",
    "Handler",
    "RunningEndpoint",
    "ServerHandle",
    "default_handler",
    "start",
]
