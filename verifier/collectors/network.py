"""Collect facts from routers, switches and firewalls with netmiko, one thread per device.

Runs beside the Ansible collectors (the pipeline starts every platform at once), bounded by
--forks. Each device: connect, enter enable mode where the platform has one and a secret is
given, run the driver's read-only commands, disconnect, parse. Connection settings come from
the inventory (verifier.inventory.network_targets); secrets never leave the netmiko call.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from verifier.collectors.base import CollectOptions
from verifier.collectors.captures import write_capture
from verifier.collectors.failures import one_line
from verifier.collectors.network_types import device_type_for
from verifier.collectors.parsers import COMMANDS, parse_device
from verifier.errors import VerifierError
from verifier.events import EventSink, HostCollected
from verifier.inventory.network_targets import NetworkTarget, load_network_targets
from verifier.models import Collection, FactSet, Host, HostStatus, Platform

# Platforms whose CLI has a privileged (enable) mode that netmiko enters with `secret`.
_ENABLE_PLATFORMS = frozenset({"cisco_ios", "cisco_asa", "arista_eos"})
# Longest a single show command may take before the device counts as not answering.
COMMAND_TIMEOUT = 60


@dataclass(frozen=True)
class DeviceOutputs:
    platform: str
    outputs: Mapping[str, str]


class DeviceFailure(Exception):
    def __init__(self, status: HostStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _classify(exc: BaseException, stage: str) -> DeviceFailure:
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )

    text = one_line(str(exc)) or type(exc).__name__
    # netmiko wraps socket errors in its own exceptions with a generic text; the cause says why.
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and len(chain) < 5:
        chain.append(link)
        link = link.__cause__ or link.__context__
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return DeviceFailure(HostStatus.UNREACHABLE, f"connection refused: {text}")
    # paramiko's NoValidConnectionsError: every address refused or unroutable (not a timeout).
    refused = [e for e in chain if type(e).__name__ == "NoValidConnectionsError"]
    if refused:
        return DeviceFailure(HostStatus.UNREACHABLE, one_line(str(refused[0])))
    if isinstance(exc, NetmikoAuthenticationException):
        return DeviceFailure(HostStatus.AUTH_FAILED, f"authentication failed: {text}")
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return DeviceFailure(HostStatus.UNREACHABLE, f"connection refused: {text}")
    if isinstance(exc, ReadTimeout) or (
        stage != "connect" and "pattern not detected" in text.lower()
    ):
        # Logged in, but the device never showed the prompt netmiko waits for: garbage or a hang.
        return DeviceFailure(
            HostStatus.ERROR, f"device did not answer the expected prompt ({stage}): {text}"
        )
    if isinstance(exc, NetmikoTimeoutException | socket.timeout | TimeoutError):
        if stage == "connect" and "pattern" in text.lower():
            return DeviceFailure(
                HostStatus.ERROR, f"device did not answer the expected prompt: {text}"
            )
        return DeviceFailure(HostStatus.TIMEOUT, f"timed out ({stage}): {text}")
    if isinstance(exc, OSError):
        return DeviceFailure(HostStatus.UNREACHABLE, f"{stage}: {text}")
    return DeviceFailure(HostStatus.ERROR, f"{stage}: {type(exc).__name__}: {text}")


def fetch(
    target: NetworkTarget, platform: str, commands: Sequence[str], options: CollectOptions
) -> dict[str, str]:
    """Run `commands` on one device; raises DeviceFailure with a host status."""
    from netmiko import ConnectHandler

    params: dict[str, Any] = {
        "device_type": platform,
        "host": target.address,
        "port": target.port,
        "username": target.username,
        "password": target.password or "",
        "secret": target.enable_password or "",
        "conn_timeout": options.connect_timeout,
        "auth_timeout": options.connect_timeout,
        "banner_timeout": options.connect_timeout,
        # Session set-up waits for prompts; a device that logs in and then never shows one (or
        # shows garbage) must fail within the connect timeout, not hang.
        "read_timeout_override": options.connect_timeout,
        "allow_agent": False,
        "ssh_config_file": None,
    }
    if target.key_file:
        params |= {"use_keys": True, "key_file": target.key_file}
    try:
        connection = ConnectHandler(**params)
    except Exception as exc:
        raise _classify(exc, "connect") from None
    connection.read_timeout_override = None  # commands get their own, longer limit below
    command_timeout = min(COMMAND_TIMEOUT, options.task_timeout)
    outputs: dict[str, str] = {}
    deadline = time.monotonic() + options.task_timeout
    try:
        if platform in _ENABLE_PLATFORMS and target.enable_password:
            try:
                if not connection.check_enable_mode():
                    connection.enable()
            except Exception as exc:
                raise _classify(exc, "enable") from None
        for command in commands:
            if options.cancel.is_set():
                raise DeviceFailure(HostStatus.ERROR, "run interrupted")
            if time.monotonic() > deadline:
                raise DeviceFailure(
                    HostStatus.TIMEOUT, f"collection took longer than {options.task_timeout}s"
                )
            try:
                outputs[command] = str(
                    connection.send_command(command, read_timeout=command_timeout)
                )
            except Exception as exc:
                raise _classify(exc, f"`{command}`") from None
    finally:
        with contextlib.suppress(Exception):  # the session is gone either way
            connection.disconnect()
    return outputs


def _collect_one(
    host: Host, target: NetworkTarget | None, options: CollectOptions, today: date
) -> Collection:
    if target is None:
        return Collection(host, HostStatus.ERROR, message="host not found in the inventory")
    try:
        platform = device_type_for(target.network_os, target.device_type_override)
    except ValueError as exc:
        return Collection(host, HostStatus.ERROR, message=one_line(str(exc)))
    commands = COMMANDS.get(platform)
    if commands is None:
        supported = ", ".join(sorted(COMMANDS))
        message = f"no facts driver for netmiko device type {platform!r} (supported: {supported})"
        return Collection(host, HostStatus.ERROR, message=message)
    try:
        outputs = fetch(target, platform, commands, options)
    except DeviceFailure as failure:
        return Collection(host, failure.status, message=failure.message)
    if options.capture_dir is not None:
        write_capture(options.capture_dir, host, platform, outputs)
    return collection_from_outputs(host, platform, outputs, today, "netmiko")


def collection_from_outputs(
    host: Host, platform: str, outputs: Mapping[str, str], today: date, collector: str
) -> Collection:
    """Parse one device's outputs into a reachable Collection (garbage -> probe errors)."""
    try:
        facts, probe_errors = parse_device(platform, outputs, today)
    except Exception as exc:  # a parser bug costs this device, not the run
        return Collection(
            host, HostStatus.ERROR, message=f"could not read facts: {one_line(str(exc))}"
        )
    factset = FactSet(
        host=host.name,
        platform=Platform.NETWORK,
        collected_at=datetime.now(UTC).isoformat(timespec="seconds"),
        collector=collector,
        facts=facts,
        probe_errors=probe_errors,
    )
    return Collection(host, HostStatus.REACHABLE, facts=factset)


@dataclass(frozen=True)
class NetmikoCollector:
    name: str = "netmiko"

    def collect(self, hosts: Sequence[Host], options: CollectOptions, emit: EventSink) -> None:
        try:
            targets = load_network_targets(options.inventory, hosts, options.vault_password_file)
        except VerifierError as exc:
            for host in hosts:
                emit(HostCollected(Collection(host, HostStatus.ERROR, message=str(exc))))
            return
        today = date.today()
        pool = ThreadPoolExecutor(max_workers=max(1, options.forks), thread_name_prefix="netmiko")
        pending: dict[Future[Collection], Host] = {
            pool.submit(_collect_one, host, targets.get(host.name), options, today): host
            for host in hosts
        }
        try:
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    host = pending.pop(future)
                    try:
                        collection = future.result()
                    except Exception as exc:  # never lose a host to a thread crash
                        message = f"collector failed: {one_line(str(exc))}"
                        collection = Collection(host, HostStatus.ERROR, message=message)
                    emit(HostCollected(collection))
                if options.cancel.is_set():
                    break  # unfinished devices are reported as interrupted by the pipeline
        finally:
            pool.shutdown(wait=not options.cancel.is_set(), cancel_futures=True)
