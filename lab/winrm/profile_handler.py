"""A :data:`Handler` that answers as one Windows host profile would.

- verify's collection command (the loader around ``verify_windows_facts.ps1``, recognised by
  the script's ``# verify-windows-facts v1`` first line): the profile's recorded stdout (CRLF),
  stderr and exit code;
- Ansible's module exec wrapper: ``win_ping`` / ``setup`` as the real modules answer, or the
  bootstrap wrapper's own failure below PowerShell 5.1 (:mod:`lab.winrm.modules`); the
  remediation modules of verify's Windows roles (:mod:`lab.winrm.remediation`), which change
  this endpoint's copy of the records (:class:`lab.winrm.hoststate.HostState`), so a later
  collection shows the fixed state. Every module call goes to the journal, when there is one;
- the raw commands of Ansible's reboot code (``win_reboot``, ``win_updates`` with ``reboot``):
  boot time, ``shutdown.exe /r``, the post-restart test (:mod:`lab.winrm.power`);
- anything else: :func:`lab.winrm.handlers.default_handler`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lab.winrm import modules, power, remediation
from lab.winrm.commands import encoded_script, is_exec_wrapper, module_call, verify_collection
from lab.winrm.handlers import CommandRequest, CommandResult, Handler, default_handler
from lab.winrm.hostprofile import RECORDED_ON, WindowsProfile, load_profile
from lab.winrm.hoststate import HostState
from lab.winrm.timeshift import days_between, shift_text


def profile_state(
    profile: str | Path | WindowsProfile,
    hostname: str | None = None,
    today: dt.date | None = None,
) -> HostState:
    """A fresh changeable copy of the profile's records, as :func:`profile_handler` serves them
    (renamed, shifted to ``today``), with the Windows Update catalogue of its ``profile.yml``.
    Tests change it (a service disabled, a policy set) and pass it as ``state``."""
    prof = profile if isinstance(profile, WindowsProfile) else load_profile(profile)
    name = hostname or prof.hostname
    text = prof.collect_stdout.decode("utf-8")
    if name != prof.hostname:
        text = text.replace(prof.hostname, name)
    state = HostState(shift_text(text, days_between(RECORDED_ON, today)).encode("utf-8"))
    state.sim["wu_catalogue"] = [dict(u) for u in prof.raw.get("windows_update") or []]
    return state


def profile_handler(
    profile: str | Path | WindowsProfile,
    hostname: str | None = None,
    today: dt.date | None = None,
    journal: str | Path | None = None,
    state: HostState | None = None,
) -> Handler:
    """Answer as ``profile`` (a name, a profile directory, or a loaded profile).

    ``hostname`` renames the host everywhere in its output (copies of one profile in one lab
    must not share a computer name). ``today`` moves every recorded timestamp by
    ``today - RECORDED_ON`` days, so ages stay as recorded; None serves the recording as is.
    ``journal``: a file each module call is appended to (JSON lines: ``module``, ``args``,
    ``check_mode``, ``changed``, ``failed``, ``msg`` on failure; a ``win_updates`` start adds
    ``installed``, ``reboot_required``, ``update_failed``; a restart is module ``reboot``;
    see :func:`lab.winrm.hoststate.read_journal`).
    ``state``: the host's changeable records (a fresh copy of the profile's by default; pass
    one to look at it from the test).
    """
    prof = profile if isinstance(profile, WindowsProfile) else load_profile(profile)
    name = hostname or prof.hostname
    days = days_between(RECORDED_ON, today)
    host = state or profile_state(prof, hostname, today)
    if journal is not None:
        host.journal = Path(journal)

    def handle(req: CommandRequest) -> CommandResult:
        power.settle(host)
        argv = req.argv
        if argv and argv[0].lower().removesuffix(".exe") in ("powershell", "pwsh"):
            script = encoded_script(argv)
            if script is not None and prof.modern_powershell:
                restart = power.answer(host, script)
                if restart is not None:
                    return restart
            if script is not None and verify_collection(script) is not None:
                return CommandResult(
                    stdout=host.stdout(),
                    stderr=prof.collect_stderr,
                    exit_code=prof.collect_exit_code,
                )
            if script is not None and is_exec_wrapper(script):
                if not prof.modern_powershell:  # the wrapper's first statement, before stdin
                    return modules.OLD_POWERSHELL
                call = module_call(req.stdin)
                if call is not None and call.name in remediation.MODULES:
                    return remediation.answer(host, call)
                if call is not None:
                    result = modules.answer(prof, call, name, req.username, days=days, state=host)
                    host.record(
                        {
                            "module": call.name,
                            "args": call.params,
                            "check_mode": bool(call.args.get("_ansible_check_mode")),
                            "changed": False,
                            "failed": result.exit_code != 0,
                        }
                    )
                    return result
        return default_handler(req)

    return handle
