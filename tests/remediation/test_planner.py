from tests.helpers import baseline, check, host
from verifier.models import (
    CheckResult,
    FactSet,
    HostResult,
    HostStatus,
    Platform,
    Remediation,
    RunResult,
    Severity,
    Status,
)
from verifier.remediation.planner import Failure, failures_from_report, failures_from_run, plan

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


# --- network devices: roles that configure some platforms only -----------------------------------

TELNET = check(id="net.mgmt.telnet_disabled", severity=Severity.CRITICAL, tags=("manual",),
               remediation=Remediation(role="network_management_plane", vars={"network_telnet_enabled": False}))


def _network_plan(*failures: Failure):
    platforms = {"network_management_plane": frozenset({"ios", "eos"})}
    return plan(baseline(TELNET), failures, "run", lambda r: True, platforms.get)


def test_role_tasks_do_not_carry_the_manual_tag_of_the_check() -> None:
    [call] = _network_plan(Failure("rtr", Platform.NETWORK, "net.mgmt.telnet_disabled", "ios")).plays[Platform.NETWORK]
    assert call.tags == ("net.mgmt.telnet_disabled", "critical")


def test_a_platform_the_role_does_not_configure_is_a_manual_action() -> None:
    result = _network_plan(
        Failure("rtr", Platform.NETWORK, "net.mgmt.telnet_disabled", "ios"),
        Failure("sw", Platform.NETWORK, "net.mgmt.telnet_disabled", "eos"),
        Failure("fw", Platform.NETWORK, "net.mgmt.telnet_disabled", "fortios"),
        Failure("srx", Platform.NETWORK, "net.mgmt.telnet_disabled", "junos"),
        Failure("unknown", Platform.NETWORK, "net.mgmt.telnet_disabled"),  # from a report: no facts
    )
    [call] = result.plays[Platform.NETWORK]
    assert call.hosts == ("rtr", "sw", "unknown")  # the role refuses an unsupported one at run time
    assert [(m.hosts, m.check.id) for m in result.manual] == [
        (("fw",), "net.mgmt.telnet_disabled"), (("srx",), "net.mgmt.telnet_disabled")]
    fortios, junos = (m.instruction for m in result.manual)
    assert "role network_management_plane" in fortios and "Arista EOS, Cisco IOS / IOS XE only" in fortios
    assert "FortiOS is configured through its REST API" in fortios
    assert "NETCONF" in junos


def test_every_device_unsupported_leaves_no_play() -> None:
    result = _network_plan(Failure("fw", Platform.NETWORK, "net.mgmt.telnet_disabled", "fortios"))
    assert result.plays == {} and len(result.manual) == 1


def test_a_role_without_a_platform_list_runs_everywhere() -> None:
    result = plan(baseline(TELNET), [Failure("fw", Platform.NETWORK, "net.mgmt.telnet_disabled", "fortios")],
                  "run", lambda r: True)
    assert result.plays[Platform.NETWORK][0].hosts == ("fw",)


def test_failures_from_run_know_the_network_platform() -> None:
    def host_result(name: str, platform: Platform, facts: dict[str, object]) -> HostResult:
        h = host(name, "network" if platform is Platform.NETWORK else "server", platform)
        fact_set = FactSet(name, platform, "2026-11-23T00:00:00+00:00", "test", facts)
        result = CheckResult("x.check", name, Status.FAIL, Severity.LOW)
        return HostResult(h, HostStatus.REACHABLE, "", (result,), fact_set)

    run = RunResult(baseline(), "inv", "", "", (
        host_result("core", Platform.NETWORK, {"os": {"name": "ios-xe"}}),
        host_result("fw", Platform.NETWORK, {"os": {"name": "fortios"}}),
        host_result("odd", Platform.NETWORK, {}),
        host_result("web", Platform.LINUX, {"os": {"name": "ubuntu"}}),
    ))
    assert [(f.host, f.network_os) for f in failures_from_run(run)] == [
        ("core", "ios"), ("fw", "fortios"), ("odd", None), ("web", None)]


def test_windows_below_powershell_5_1_cannot_take_any_role() -> None:
    from verifier.remediation.planner import windows_blocker

    assert windows_blocker({"os": {"powershell_version": "5.1.19041.5247"}}) is None
    assert windows_blocker({"os": {}}) is None  # unknown: plan it, Ansible says at run time
    assert windows_blocker({"os": {"powershell_version": "n/a"}}) is None
    win7 = windows_blocker({"os": {"powershell_version": "2.0", "build": 7601}})
    assert win7 is not None and "PowerShell 2.0" in win7 and "Management Framework 5.1" in win7
    xp = windows_blocker({"os": {"powershell_version": "2.0", "build": 2600}})
    assert xp is not None and "cannot run PowerShell 5.1" in xp


def test_unmanageable_windows_hosts_get_manual_actions_the_others_the_role() -> None:
    result = _plan(
        Failure("pc-7", Platform.WINDOWS, "win.firewall.active", unmanageable="Old PowerShell."),
        Failure("pc-11", Platform.WINDOWS, "win.firewall.active"),
        shipped=frozenset({"windows_firewall"}),
    )
    [call] = result.plays[Platform.WINDOWS]
    assert call.hosts == ("pc-11",)
    [action] = result.manual
    assert action.hosts == ("pc-7",)
    assert action.instruction == "Old PowerShell. The automated fix is role windows_firewall."


def test_failures_from_run_know_which_windows_hosts_ansible_cannot_change() -> None:
    def win(name: str, facts: dict[str, object]) -> HostResult:
        fact_set = FactSet(name, Platform.WINDOWS, "2026-11-23T00:00:00+00:00", "test", facts)
        result = CheckResult("win.x", name, Status.FAIL, Severity.LOW)
        return HostResult(host(name, "workstation", Platform.WINDOWS), HostStatus.REACHABLE, "",
                          (result,), fact_set)

    run = RunResult(baseline(), "inv", "", "", (
        win("xp", {"os": {"powershell_version": "2.0", "build": 2600}}),
        win("w11", {"os": {"powershell_version": "5.1.26100.1", "build": 26100}}),
    ))
    blockers = {f.host: f.unmanageable for f in failures_from_run(run)}
    assert blockers["w11"] is None and "PowerShell 2.0" in str(blockers["xp"])
