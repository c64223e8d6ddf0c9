"""WS-Management SOAP: parse the requests pywinrm/Ansible send, build the replies they parse.

Only what WinRS needs (MS-WSMV 3.1.4): Create/Delete (transfer) and Command/Send/Receive/Signal.
"""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
CREATE, DELETE = f"{TRANSFER}/Create", f"{TRANSFER}/Delete"
COMMAND, SEND = f"{SHELL_URI}/Command", f"{SHELL_URI}/Send"
RECEIVE, SIGNAL = f"{SHELL_URI}/Receive", f"{SHELL_URI}/Signal"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


class SoapError(ValueError):
    """The request is not a WS-Management message we understand."""


@dataclass
class Request:
    action: str
    message_id: str
    resource_uri: str
    shell_id: str | None
    options: dict[str, str] = field(default_factory=dict)
    body: ET.Element | None = None

    def find(self, path: str) -> ET.Element | None:
        return None if self.body is None else self.body.find(path, NS)


def parse(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SoapError(f"malformed XML: {exc}") from exc
    header, body = root.find("s:Header", NS), root.find("s:Body", NS)
    if root.tag != f"{{{NS['s']}}}Envelope" or header is None:
        raise SoapError("not a SOAP 1.2 envelope")

    def text(path: str) -> str:
        el = header.find(path, NS)
        return (el.text or "").strip() if el is not None else ""

    shell_id = None
    for sel in header.findall("w:SelectorSet/w:Selector", NS):
        if sel.get("Name") == "ShellId":
            shell_id = (sel.text or "").strip()
    options = {
        o.get("Name", ""): (o.text or "").strip()
        for o in header.findall("w:OptionSet/w:Option", NS)
    }
    return Request(
        action=text("a:Action"),
        message_id=text("a:MessageID"),
        resource_uri=text("w:ResourceURI"),
        shell_id=shell_id,
        options=options,
        body=body,
    )


def _envelope(action: str, relates_to: str, body: str, extra_header: str = "") -> bytes:
    return (
        '<s:Envelope xml:lang="en-US"'
        f' xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}"'
        f' xmlns:x="{NS["x"]}" xmlns:rsp="{NS["rsp"]}" xmlns:p="{NS["p"]}">'
        "<s:Header>"
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>"
        f"{extra_header}"
        "</s:Header>"
        f"<s:Body>{body}</s:Body>"
        "</s:Envelope>"
    ).encode()


def create_response(req: Request, shell_id: str, address: str) -> bytes:
    body = (
        "<x:ResourceCreated>"
        f"<a:Address>{escape(address)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{escape(req.resource_uri)}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters>"
        "</x:ResourceCreated>"
        f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId>"
        f"<rsp:ResourceUri>{escape(req.resource_uri)}</rsp:ResourceUri>"
        "<rsp:InputStreams>stdin</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>"
    )
    return _envelope(f"{TRANSFER}/CreateResponse", req.message_id, body)


def delete_response(req: Request) -> bytes:
    return _envelope(f"{TRANSFER}/DeleteResponse", req.message_id, "")


def command_response(req: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(f"{SHELL_URI}/CommandResponse", req.message_id, body)


def send_response(req: Request) -> bytes:
    return _envelope(f"{SHELL_URI}/SendResponse", req.message_id, "<rsp:SendResponse/>")


def signal_response(req: Request) -> bytes:
    return _envelope(f"{SHELL_URI}/SignalResponse", req.message_id, "<rsp:SignalResponse/>")


def receive_response(
    req: Request, command_id: str, stdout: bytes, stderr: bytes, exit_code: int
) -> bytes:
    """All output at once, each stream ended, command Done (what WinRS sends for a short
    command; clients loop on Receive until they see State=.../Done)."""
    cid = quoteattr(command_id)
    streams = []
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            b64 = base64.b64encode(data).decode("ascii")
            streams.append(f'<rsp:Stream Name="{name}" CommandId={cid}>{b64}</rsp:Stream>')
        streams.append(f'<rsp:Stream Name="{name}" CommandId={cid} End="true"></rsp:Stream>')
    body = (
        "<rsp:ReceiveResponse>"
        + "".join(streams)
        + f'<rsp:CommandState CommandId={cid} State="{SHELL_URI}/CommandState/Done">'
        f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        "</rsp:ReceiveResponse>"
    )
    return _envelope(f"{SHELL_URI}/ReceiveResponse", req.message_id, body)


def fault(relates_to: str, subcode: str, reason: str, wsman_code: int) -> bytes:
    """A SOAP fault as WinRM sends it (HTTP 500); pywinrm turns it into WSManFaultError."""
    body = (
        "<s:Fault>"
        "<s:Code><s:Value>s:Sender</s:Value>"
        f"<s:Subcode><s:Value>{escape(subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason>'
        "<s:Detail>"
        f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{wsman_code}" Machine="localhost">'
        f"<f:Message>{escape(reason)}</f:Message></f:WSManFault>"
        "</s:Detail></s:Fault>"
    )
    return _envelope(FAULT_ACTION, relates_to, body)
