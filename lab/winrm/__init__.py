"""A WS-Management (WinRM) endpoint for tests: pywinrm and Ansible's winrm plugin talk to it
unchanged, and it answers as recorded Windows hosts (``lab/winrm/profiles/``).

    handle = start([Endpoint(port=0, username="lab", password="pw")])
    handle = start([profile_endpoint("win10-22h2", "lab", "pw")])   # answers as that host
    handle.endpoints[0].url        # http://127.0.0.1:PORT/wsman
    handle.stop()

CLI: ``python -m lab.winrm.server --listen 127.0.0.1:PORT:USER:PASSWORD[:PROFILE] [...]``.
Commands are answered by a :data:`Handler`: ``default_handler`` (``lab/winrm/handlers.py``) or
``profile_handler(profile)`` (``lab/winrm/profile_handler.py``).
"""

from __future__ import annotations

from lab.winrm.handlers import CommandRequest, CommandResult, Handler, default_handler
from lab.winrm.hostprofile import (
    PROFILES_DIR,
    RECORDED_ON,
    WindowsProfile,
    load_profile,
    profile_names,
)
from lab.winrm.hoststate import HostState
from lab.winrm.profile_handler import profile_handler, profile_state
from lab.winrm.server import Endpoint, RunningEndpoint, ServerHandle, profile_endpoint, start

__all__ = [
    "PROFILES_DIR",
    "RECORDED_ON",
    "CommandRequest",
    "CommandResult",
    "Endpoint",
    "Handler",
    "HostState",
    "RunningEndpoint",
    "ServerHandle",
    "WindowsProfile",
    "default_handler",
    "load_profile",
    "profile_endpoint",
    "profile_handler",
    "profile_names",
    "profile_state",
    "start",
]
