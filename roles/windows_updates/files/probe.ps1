# verify-role windows_updates: probe
# Read-only: what the windows_updates role decides on. Declares ShouldProcess so that it also
# runs in check mode; it changes nothing. The lab's simulation: lab/winrm/winupdate.py (probe).
[CmdletBinding(SupportsShouldProcess)]
param ()

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$os = Get-CimInstance -ClassName Win32_OperatingSystem -Property LastBootUpTime
$boot = $os.LastBootUpTime.ToUniversalTime()
$uptime = [int64]([DateTime]::UtcNow - $boot).TotalSeconds

# The three indicators verify's collection reads (playbooks/files/verify_windows_facts.ps1).
$cbs = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
$wu = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
$sessionManager = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue
$renames = $null -ne $sessionManager -and $null -ne $sessionManager.PendingFileRenameOperations

$service = $null
$wmiService = Get-CimInstance -ClassName Win32_Service -Filter "Name='wuauserv'"
if ($wmiService) {
    $service = @{
        name = 'wuauserv'
        start_mode = ([string]$wmiService.StartMode).ToLowerInvariant()
        state = ([string]$wmiService.State).ToLowerInvariant()
    }
}

$Ansible.Result = @{
    uptime_seconds = $uptime
    last_boot = $boot.ToString('yyyy-MM-ddTHH:mm:ssZ')
    reboot_pending = [bool]($cbs -or $wu -or $renames)
    reboot_indicators = @{
        cbs_reboot_pending = $cbs
        wu_reboot_required = $wu
        pending_file_rename = $renames
    }
    service = $service
}
