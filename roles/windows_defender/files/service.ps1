# verify-role windows_defender: service
# Start the Microsoft Defender Antivirus service when it is not running. Its start type is
# protected (Administrators may not change it), so a disabled service is reported, not forced.
# The lab's simulation: lab/winrm/defender.py (start_service).
[CmdletBinding(SupportsShouldProcess)]
param ()

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$service = Get-Service -Name WinDefend -ErrorAction SilentlyContinue
if (-not $service) {
    throw 'Microsoft Defender Antivirus is not installed (no WinDefend service)'
}
if ($service.Status -ne 'Running') {
    if ($service.StartType -eq 'Disabled') {
        throw ('The WinDefend service is disabled and its configuration is protected: Defender ' +
            'was switched off by another antivirus or by tampering; repair it on the host')
    }
    if ($PSCmdlet.ShouldProcess('WinDefend', 'Start-Service')) {
        Start-Service -Name WinDefend
        $service.WaitForStatus('Running', [TimeSpan]::FromSeconds(60))
        $service.Refresh()
    }
    $Ansible.Changed = $true
}
$Ansible.Result = @{ service_state = ([string]$service.Status).ToLowerInvariant() }
