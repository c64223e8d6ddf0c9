"""The filter that packs the Windows collection script into one raw command."""

import base64
import gzip
import importlib.util
import re
from pathlib import Path

PLAYBOOKS = Path(__file__).parents[2] / "playbooks"
_spec = importlib.util.spec_from_file_location(
    "verify_powershell", PLAYBOOKS / "filter_plugins" / "verify_powershell.py"
)
assert _spec and _spec.loader
verify_powershell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_powershell)

SCRIPT = (PLAYBOOKS / "files" / "verify_windows_facts.ps1").read_text(encoding="utf-8")


def test_round_trip_and_deterministic() -> None:
    command = verify_powershell.verify_powershell_bootstrap(SCRIPT)
    assert "\n" not in command
    payload = re.search(r"FromBase64String\('([^']+)'\)", command)
    assert payload is not None
    assert gzip.decompress(base64.b64decode(payload.group(1))).decode("utf-8") == SCRIPT
    assert command == verify_powershell.verify_powershell_bootstrap(SCRIPT)


def test_fits_windows_command_line_once_encoded_like_ansible() -> None:
    # Ansible sends -EncodedCommand with base64 of UTF-16-LE; CreateProcess caps the line at 32767.
    command = verify_powershell.verify_powershell_bootstrap(SCRIPT)
    encoded = base64.b64encode(command.encode("utf-16-le"))
    assert len(encoded) + 100 < 32767


def test_registered_as_an_ansible_filter() -> None:
    filters = verify_powershell.FilterModule().filters()
    assert filters["verify_powershell_bootstrap"] is verify_powershell.verify_powershell_bootstrap
