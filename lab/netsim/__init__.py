"""SSH simulators of network devices that netmiko talks to with its real device classes.

    from lab.netsim import Behaviour, SimDevice, start
    sim = start([SimDevice("lab/netsim/devices/core-sw", "netops", "pw", enable_password="en")])
    sim.devices[0].port        # 127.0.0.1:port speaks SSH like a Catalyst 9300 on IOS-XE 17.9
    sim.stop()

A device is a folder in capture layout (``lab/netsim/capture.py``): ``device.yml`` with
``platform`` (netmiko device_type) and ``hostname``, and one ``<command>.txt`` per command.
Platforms: cisco_ios, cisco_asa, fortinet, juniper_junos, arista_eos, mikrotik_routeros.
Lab profiles with real-format outputs: ``lab/netsim/devices/`` (``lab/netsim/profiles.py``).

IOS and EOS devices have a configuration mode that changes their running configuration
(``lab/netsim/config.py``, ``lab/netsim/state.py``): after ``configure terminal`` ... ``end``
the next ``show running-config`` of any session shows the change, ``show startup-config`` only
after ``write memory``; ``start(..., journal_dir=DIR)`` journals every configuration command to
``DIR/<name>.jsonl`` (``read_journal``).

CLI: ``python -m lab.netsim --device FOLDER:PORT:USER:PASSWORD[:options] ...``.
"""

from __future__ import annotations

from lab.netsim.capture import (
    PLATFORM_COMMANDS,
    PLATFORMS,
    CaptureError,
    DeviceCapture,
    command_file_name,
    command_stem,
    load_capture,
)
from lab.netsim.profiles import DEVICES_DIR, PROFILES, DeviceProfile, lab_devices, sim_device
from lab.netsim.server import NetSim, RunningDevice, SimDevice, host_key, start
from lab.netsim.session import Behaviour
from lab.netsim.state import DeviceState, journal_path, read_journal

__all__ = [
    "DEVICES_DIR",
    "PLATFORMS",
    "PLATFORM_COMMANDS",
    "PROFILES",
    "Behaviour",
    "CaptureError",
    "DeviceCapture",
    "DeviceProfile",
    "DeviceState",
    "NetSim",
    "RunningDevice",
    "SimDevice",
    "command_file_name",
    "command_stem",
    "host_key",
    "journal_path",
    "lab_devices",
    "load_capture",
    "read_journal",
    "sim_device",
    "start",
]
