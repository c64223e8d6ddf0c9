# verify-role windows_defender: signatures
# Update the security intelligence (Update-MpSignature) when it is older than MaxAgeDays or
# Defender itself marks it out of date; then require it current (an update source that does
# not answer fails the task).
# The lab's simulation: lab/winrm/defender.py (signatures).
[CmdletBinding(SupportsShouldProcess)]
param (
    [int]$MaxAgeDays = 7
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$status = Get-MpComputerStatus
$before = @{
    age_days = [int]$status.AntivirusSignatureAge
    last_updated = $status.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
}
$after = $before
if ($status.AntivirusSignatureAge -gt $MaxAgeDays -or $status.DefenderSignaturesOutOfDate) {
    if ($PSCmdlet.ShouldProcess('Microsoft Defender Antivirus', 'Update-MpSignature')) {
        Update-MpSignature
        $status = Get-MpComputerStatus
        $after = @{
            age_days = [int]$status.AntivirusSignatureAge
            last_updated = $status.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
        }
        if ($status.AntivirusSignatureAge -gt $MaxAgeDays -or $status.DefenderSignaturesOutOfDate) {
            throw ("Signatures are still $($status.AntivirusSignatureAge) days old after " +
                'Update-MpSignature: check the update source (WSUS, proxy, firewall)')
        }
    }
    $Ansible.Changed = $true
}
$Ansible.Result = @{ before = $before; after = $after }
