"""Filter `verify_powershell_bootstrap`: a PowerShell script as one short command line.

Ansible's winrm/psrp plugins send a `raw` command as `powershell -EncodedCommand <base64 of
UTF-16>`, which Windows caps at 32767 characters. The collection script is gzipped and embedded
in a one-line PowerShell 2.0 compatible loader, about a third of the plain encoding's size.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

LOADER = (
    "$d=[Convert]::FromBase64String('{payload}');"
    "$m=New-Object IO.MemoryStream(,$d);"
    "$g=New-Object IO.Compression.GZipStream($m,[IO.Compression.CompressionMode]::Decompress);"
    "$r=New-Object IO.StreamReader($g,[Text.Encoding]::UTF8);"
    "$s=$r.ReadToEnd();$r.Close();"
    "& ([ScriptBlock]::Create($s))"
)


def verify_powershell_bootstrap(script: str) -> str:
    # mtime=0: the same script always gives the same command (stable across runs and tests).
    payload = base64.b64encode(gzip.compress(script.encode("utf-8"), mtime=0)).decode("ascii")
    return LOADER.replace("{payload}", payload)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"verify_powershell_bootstrap": verify_powershell_bootstrap}
