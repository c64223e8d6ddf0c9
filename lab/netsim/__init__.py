"""SSH simulators of network devices that netmiko talks to with its real device classes.

    from lab.netsim import Behaviour, SimDevice, start
    sim = start([SimDevice("lab/netsim/devices/core-sw", "netops", "pw", enable_password="en")])
    sim.devices[0].port        # 127.0.0.1:port speaks SSH like a Catalyst 9300 on IOS-XE 17.9
    sim.stop()

A device is a folder in capture layout (``lab/netsim/capture.py``): ``device.yml`` with
``platform`` (netmiko device_type) and ``hostname``, and one ``<command>.txt`` per command.
Platforms: cisco_ios, cisco_asa, fortinet, juniper_junos, arista_eos, mikrotik_routeros.
Lab profiles with real-format outputs: ``lab/netsim/devices/`` (``lab/netsim/profiles.py``).

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

__all__ = [
    "DEVICES_DIR",
    "PLATFORMS",
    "PLATFORM_COMMANDS",
    "PROFILES",
    "Behaviour",
    "CaptureError",
    "DeviceCapture",
    "DeviceProfile",
    "NetSim",
    "RunningDevice",
    "SimDevice",
    "command_file_name",
    "command_stem",
    "host_key",
    "lab_devices",
    "load_capture",
    "sim_device",
    "start",
]
