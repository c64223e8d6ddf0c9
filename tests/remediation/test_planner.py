from tests.helpers import baseline, check
from verifier.models import Platform, Remediation, Severity
from verifier.remediation.planner import Failure, failures_from_report, plan

SSH = check(id="linux.ssh.root_login", remediation=Remediation(role="ssh_hardening", vars={"ssh_permit_root_login": "no"}), tags=("reboot",))
EOL = check(id="linux.os.supported", severity=Severity.CRITICAL, remediation=Remediation(manual="Upgrade."))
FW = check(id="win.firewall.active", remediation=Remediation(role="windows_firewall", vars={"p": 1}))
NOFIX = check(id="net.x", severity=Severity.LOW)


def _plan(*failures: Failure, shipped: frozenset[str] = frozenset({"ssh_hardening"})):
    return plan(baseline(SSH, EOL, FW, NOFIX), failures, "r.json", shipped.__contains__)


def test_only_failed_hosts_per_check_and_platform() -> None:
    result = _plan(
        Failure("b", Platform.LINUX, "linux.ssh.root_login"),
        Failure("a", Platform.LINUX, "linux.ssh.root_login"),
    )
    [call] = result.plays[Platform.LINUX]
    assert call.hosts == ("a", "b") and call.role == "ssh_hardening"
    assert call.vars == {"ssh_permit_root_login": "no"}
    assert call.tags == ("linux.ssh.root_login", "high", "reboot")
    assert result.hosts(Platform.LINUX) == ("a", "b") and result.manual == ()


def test_manual_unshipped_and_undefined_fixes_are_manual_actions_most_severe_first() -> None:
    result = _plan(
        Failure("pc", Platform.WINDOWS, "win.firewall.active"),
        Failure("a", Platform.LINUX, "linux.os.supported"),
        Failure("sw", Platform.NETWORK, "net.x"),
    )
    assert result.plays == {}
    assert [m.check.id for m in result.manual] == ["linux.os.supported", "win.firewall.active", "net.x"]
    assert result.manual[0].instruction == "Upgrade."
    assert "windows_firewall" in result.manual[1].instruction and "not shipped" in result.manual[1].instruction
    assert "No remediation" in result.manual[2].instruction


def test_nothing_failed_is_an_empty_plan() -> None:
    assert _plan().empty


def test_failures_from_report_reads_only_fail() -> None:
    document = {"hosts": [{"name": "a", "platform": "linux", "checks": [
        {"id": "x", "status": "fail"}, {"id": "y", "status": "unknown"}, {"id": "z", "status": "pass"},
    ]}]}
    assert failures_from_report(document) == [Failure("a", Platform.LINUX, "x")]
