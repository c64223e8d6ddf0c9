# verify-role windows_defender: realtime
# Turn real-time protection on when the local preference turned it off, then require it on:
# a policy or another antivirus that keeps it off fails the task with the reason.
# The lab's simulation: lab/winrm/defender.py (realtime).
[CmdletBinding(SupportsShouldProcess)]
param ()

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

if ((Get-MpPreference).DisableRealtimeMonitoring) {
    if ($PSCmdlet.ShouldProcess('Microsoft Defender Antivirus', 'Turn real-time protection on')) {
        Set-MpPreference -DisableRealtimeMonitoring $false
    }
    $Ansible.Changed = $true
}

$on = $true
if (-not $WhatIfPreference) {
    # Defender applies the preference within seconds; give it up to 30.
    for ($i = 0; $i -lt 30; $i++) {
        $on = [bool](Get-MpComputerStatus).RealTimeProtectionEnabled
        if ($on) { break }
        Start-Sleep -Seconds 1
    }
    if (-not $on) {
        throw ('Real-time protection is still off after Set-MpPreference: a policy ' +
            '(DisableRealtimeMonitoring) or another antivirus keeps it off')
    }
}
$Ansible.Result = @{ realtime = $on }
