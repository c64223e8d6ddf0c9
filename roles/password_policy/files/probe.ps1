# verify-role password_policy: probe
# Read-only: domain membership and the account policy the local account database enforces now
# (the values `net accounts` shows, read through ADSI so the output language does not matter).
# Declares ShouldProcess so that it also runs in check mode; it changes nothing.
# The lab's simulation: lab/winrm/secpol.py (probe).
[CmdletBinding(SupportsShouldProcess)]
param ()

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$cs = Get-CimInstance -ClassName Win32_ComputerSystem -Property PartOfDomain, Domain, DomainRole
$sam = [ADSI]"WinNT://$env:COMPUTERNAME"

function Get-Minutes($Seconds) {
    # AutoUnlockInterval is -1 (0xFFFFFFFF) when an administrator must unlock.
    $value = [int64]$Seconds
    if ($value -lt 0 -or $value -ge [uint32]::MaxValue) { -1 } else { [int]($value / 60) }
}

$Ansible.Result = @{
    part_of_domain = [bool]$cs.PartOfDomain
    domain = [string]$cs.Domain
    domain_role = [int]$cs.DomainRole
    min_length = [int]$sam.MinPasswordLength.Value
    lockout_threshold = [int]$sam.MaxBadPasswordsAllowed.Value
    lockout_duration_minutes = Get-Minutes $sam.AutoUnlockInterval.Value
    lockout_window_minutes = Get-Minutes $sam.LockoutObservationInterval.Value
}
