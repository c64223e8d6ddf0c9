# verify-role windows_defender: probe
# Read-only: is another antivirus in charge, and what state is Microsoft Defender in. Declares
# ShouldProcess so that it also runs in check mode; it changes nothing.
# The lab's simulation: lab/winrm/defender.py (probe).
[CmdletBinding(SupportsShouldProcess)]
param (
    # Services of other antivirus/EDR products (the role's windows_defender_third_party_services).
    [string[]]$ThirdPartyServices = @()
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

$workstation = (Get-CimInstance -ClassName Win32_OperatingSystem -Property ProductType).ProductType -eq 1

# Security Center knows every registered antivirus, on client editions only.
$products = @()
if ($workstation) {
    $registered = Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct -ErrorAction SilentlyContinue
    foreach ($p in @($registered)) {
        if ($p) { $products += @{ name = [string]$p.displayName; product_state = [int]$p.productState } }
    }
}
$thirdParty = @($products | Where-Object { $_.name -notmatch '^(Windows|Microsoft) Defender' } | ForEach-Object { $_.name })

$services = @()
foreach ($name in $ThirdPartyServices) {
    $s = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($s) { $services += $s.Name }
}

$windefend = Get-Service -Name WinDefend -ErrorAction SilentlyContinue
$status = $null
if ($windefend -and (Get-Command -Name Get-MpComputerStatus -ErrorAction SilentlyContinue)) {
    try {
        $mp = Get-MpComputerStatus
        $status = @{
            am_service_enabled = $mp.AMServiceEnabled
            antivirus_enabled = $mp.AntivirusEnabled
            realtime = $mp.RealTimeProtectionEnabled
            running_mode = [string]$mp.AMRunningMode
            signature_age_days = [int]$mp.AntivirusSignatureAge
            signatures_out_of_date = [bool]$mp.DefenderSignaturesOutOfDate
            tamper_protected = $mp.IsTamperProtected
        }
    }
    catch {
        $status = $null  # the service is not running: Get-MpComputerStatus fails (0x800106ba)
    }
}

function Get-PolicyValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($item) { [int]$item.$Name } else { $null }
}
$policy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender'

$Ansible.Result = @{
    workstation = $workstation
    security_center = $products
    third_party = $thirdParty
    third_party_services = $services
    defender = @{
        installed = $null -ne $windefend
        service_state = if ($windefend) { ([string]$windefend.Status).ToLowerInvariant() } else { $null }
        service_start_type = if ($windefend) { ([string]$windefend.StartType).ToLowerInvariant() } else { $null }
        status = $status
    }
    policy = @{
        disable_antispyware = Get-PolicyValue $policy 'DisableAntiSpyware'
        disable_realtime_monitoring = Get-PolicyValue "$policy\Real-Time Protection" 'DisableRealtimeMonitoring'
    }
}
