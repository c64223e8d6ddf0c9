# verify-windows-facts v1: read-only collection of baseline facts from one Windows host.
# Runs on Windows PowerShell 2.0 (XP, Server 2003/2008) up to 5.1: no ConvertTo-Json, no
# Get-CimInstance, no PowerShell 3+ syntax. Output: one JSON object per line,
#   {"section": NAME, "data": {...}}   or   {"section": NAME, "error": "message"}
# and a final {"section": "end"}. Each section fails alone; a host that dies half-way still
# returns the sections before. Values are raw (WMI properties, registry values, command
# lines); verify normalizes them (verifier/facts/windows.py). Nothing here writes anything.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-VString([string]$Text) {
    $sb = New-Object Text.StringBuilder
    [void]$sb.Append('"')
    foreach ($c in $Text.ToCharArray()) {
        $n = [int]$c
        if ($c -eq [char]34) { [void]$sb.Append('\"') }
        elseif ($c -eq [char]92) { [void]$sb.Append('\\') }
        elseif ($n -lt 32 -or $n -gt 126) { [void]$sb.Append('\u' + $n.ToString('x4')) }
        else { [void]$sb.Append($c) }
    }
    [void]$sb.Append('"')
    $sb.ToString()
}

function ConvertTo-VJson($Value) {
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [bool]) { if ($Value) { return 'true' } else { return 'false' } }
    if ($Value -is [datetime]) {
        return ConvertTo-VString ($Value.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture))
    }
    if ($Value -is [byte] -or $Value -is [int16] -or $Value -is [uint16] -or $Value -is [int32] -or
        $Value -is [uint32] -or $Value -is [int64] -or $Value -is [uint64] -or $Value -is [double] -or
        $Value -is [single] -or $Value -is [decimal]) {
        return [string]::Format([Globalization.CultureInfo]::InvariantCulture, '{0}', $Value)
    }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [enum] -or $Value -is [version] -or $Value -is [guid]) {
        return ConvertTo-VString ([string]$Value)
    }
    if ($Value -is [Collections.IDictionary]) {
        $parts = @()
        foreach ($key in $Value.Keys) { $parts += (ConvertTo-VString ([string]$key)) + ':' + (ConvertTo-VJson $Value[$key]) }
        return '{' + ($parts -join ',') + '}'
    }
    if ($Value -is [Collections.IEnumerable]) {
        $parts = @()
        foreach ($item in $Value) { $parts += ConvertTo-VJson $item }
        return '[' + ($parts -join ',') + ']'
    }
    return ConvertTo-VString ([string]$Value)
}

function Write-Section([string]$Name, [scriptblock]$Body) {
    try {
        $data = & $Body
        $line = '{"section":' + (ConvertTo-VString $Name) + ',"data":' + (ConvertTo-VJson $data) + '}'
    } catch {
        $line = '{"section":' + (ConvertTo-VString $Name) + ',"error":' + (ConvertTo-VString ([string]$_.Exception.Message)) + '}'
    }
    Write-Output $line
}

function Get-RegValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -Path $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

function ConvertFrom-WmiDate($Text) {
    if (-not $Text) { return $null }
    return [Management.ManagementDateTimeConverter]::ToDateTime([string]$Text)
}

function Test-Command([string]$Name) {
    return $null -ne (Get-Command $Name -ErrorAction SilentlyContinue)
}

Write-Output '{"section":"begin","data":{"script":"verify-windows-facts","version":1}}'

$CurrentVersion = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'

Write-Section 'os' {
    $os = Get-WmiObject -Class Win32_OperatingSystem
    @{
        caption = $os.Caption; version = $os.Version; build_number = $os.BuildNumber
        csd_version = $os.CSDVersion; product_type = $os.ProductType; sku = $os.OperatingSystemSKU
        architecture = $os.OSArchitecture; last_boot = ConvertFrom-WmiDate $os.LastBootUpTime
        local_time = ConvertFrom-WmiDate $os.LocalDateTime; system_drive = $env:SystemDrive
        edition_id = Get-RegValue $CurrentVersion 'EditionID'
        product_name = Get-RegValue $CurrentVersion 'ProductName'
        display_version = Get-RegValue $CurrentVersion 'DisplayVersion'
        release_id = Get-RegValue $CurrentVersion 'ReleaseId'
        ubr = Get-RegValue $CurrentVersion 'UBR'
        installation_type = Get-RegValue $CurrentVersion 'InstallationType'
        powershell_version = [string]$PSVersionTable.PSVersion
    }
}

Write-Section 'computer' {
    $cs = Get-WmiObject -Class Win32_ComputerSystem
    $bios = Get-WmiObject -Class Win32_BIOS
    $cpu = @(Get-WmiObject -Class Win32_Processor)
    $cores = 0
    foreach ($p in $cpu) { if ($p.NumberOfCores) { $cores += $p.NumberOfCores } }
    @{
        name = $cs.Name; manufacturer = $cs.Manufacturer; model = $cs.Model
        domain = $cs.Domain; part_of_domain = $cs.PartOfDomain; domain_role = $cs.DomainRole
        total_physical_memory = $cs.TotalPhysicalMemory
        bios_manufacturer = $bios.Manufacturer; bios_version = $bios.SMBIOSBIOSVersion
        bios_serial = $bios.SerialNumber; bios_release_date = ConvertFrom-WmiDate $bios.ReleaseDate
        cpu_name = $cpu[0].Name; cpu_cores = $cores
    }
}

Write-Section 'license' {
    # Vista and later: the Software Licensing service. Only the last five characters of the
    # product key (PartialProductKey) are read: never the key itself.
    $slp = $null
    try {
        $slp = @(Get-WmiObject -Class SoftwareLicensingProduct -Filter "ApplicationID='55c92734-d682-4d71-983e-d6ec3f16059f' AND PartialProductKey IS NOT NULL")
    } catch { $slp = $null }
    if ($null -ne $slp) {
        $products = @()
        foreach ($p in $slp) {
            $products += @{ name = $p.Name; description = $p.Description; license_status = $p.LicenseStatus; partial_product_key = $p.PartialProductKey }
        }
        return @{ source = 'SoftwareLicensingProduct'; products = $products }
    }
    # XP/2003: Windows Product Activation; the key's last five characters decoded from
    # DigitalProductId, again without ever emitting more than those five.
    $wpa = Get-WmiObject -Class Win32_WindowsProductActivation
    $partial = $null
    $id = Get-RegValue $CurrentVersion 'DigitalProductId'
    if ($id) {
        $chars = 'BCDFGHJKMPQRTVWXY2346789'
        $key = ''
        $bytes = $id[52..66]
        for ($i = 24; $i -ge 0; $i--) {
            $cur = 0
            for ($j = 14; $j -ge 0; $j--) {
                $cur = $cur * 256 -bxor [int]$bytes[$j]
                $bytes[$j] = [int][math]::Floor($cur / 24)
                $cur = $cur % 24
            }
            $key = [string]$chars[$cur] + $key
        }
        $partial = $key.Substring($key.Length - 5)
    }
    @{ source = 'Win32_WindowsProductActivation'; activation_required = $wpa.ActivationRequired; remaining_grace_period = $wpa.RemainingGracePeriod; partial_product_key = $partial }
}

Write-Section 'hotfixes' {
    $items = @()
    foreach ($q in @(Get-WmiObject -Class Win32_QuickFixEngineering)) {
        $items += @{ id = $q.HotFixID; installed_on = [string]$q.InstalledOn; description = $q.Description }
    }
    @{ items = $items }
}

Write-Section 'update_history' {
    $session = New-Object -ComObject Microsoft.Update.Session
    $searcher = $session.CreateUpdateSearcher()
    $count = $searcher.GetTotalHistoryCount()
    $items = @()
    if ($count -gt 0) {
        foreach ($h in @($searcher.QueryHistory(0, [math]::Min($count, 30)))) {
            $items += @{ date = $h.Date; title = $h.Title; operation = [int]$h.Operation; result_code = [int]$h.ResultCode }
        }
    }
    @{ total = $count; items = $items }
}

Write-Section 'reboot' {
    @{
        cbs_reboot_pending = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
        wu_reboot_required = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
        pending_file_rename = $null -ne (Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations')
    }
}

Write-Section 'services' {
    $items = @()
    foreach ($s in @(Get-WmiObject -Class Win32_Service)) {
        $items += @{ name = $s.Name; state = $s.State; start_mode = $s.StartMode }
    }
    @{ items = $items }
}

Write-Section 'antivirus' {
    # SecurityCenter2 exists on client editions from Vista; XP SP2+ has SecurityCenter;
    # servers have neither (their Defender status is the next section).
    $items = @()
    try {
        foreach ($p in @(Get-WmiObject -Namespace 'root\SecurityCenter2' -Class AntiVirusProduct)) {
            $items += @{ name = $p.displayName; product_state = $p.productState; timestamp = $p.timestamp }
        }
        return @{ source = 'SecurityCenter2'; products = $items }
    } catch { }
    foreach ($p in @(Get-WmiObject -Namespace 'root\SecurityCenter' -Class AntiVirusProduct)) {
        $items += @{ name = $p.displayName; on_access = $p.onAccessScanningEnabled; up_to_date = $p.productUptoDate }
    }
    @{ source = 'SecurityCenter'; products = $items }
}

Write-Section 'defender' {
    if (Test-Command 'Get-MpComputerStatus') { $mp = Get-MpComputerStatus }
    else { $mp = Get-WmiObject -Namespace 'root\Microsoft\Windows\Defender' -Class MSFT_MpComputerStatus }
    @{
        am_service_enabled = $mp.AMServiceEnabled; antivirus_enabled = $mp.AntivirusEnabled
        realtime_enabled = $mp.RealTimeProtectionEnabled
        signature_last_updated = $mp.AntivirusSignatureLastUpdated
        signature_age_days = $mp.AntivirusSignatureAge; tamper_protected = $mp.IsTamperProtected
    }
}

Write-Section 'bitlocker' {
    $volumes = @()
    foreach ($v in @(Get-WmiObject -Namespace 'root\CIMV2\Security\MicrosoftVolumeEncryption' -Class Win32_EncryptableVolume)) {
        $conversion = $null; $percent = $null
        try { $c = $v.GetConversionStatus(); $conversion = $c.ConversionStatus; $percent = $c.EncryptionPercentage } catch { }
        $volumes += @{ drive = $v.DriveLetter; protection_status = $v.ProtectionStatus; conversion_status = $conversion; encryption_percentage = $percent }
    }
    @{ volumes = $volumes }
}

Write-Section 'firewall' {
    $profiles = @{}
    foreach ($name in @('DomainProfile', 'StandardProfile', 'PublicProfile')) {
        $profiles[$name] = @{
            local = Get-RegValue "HKLM:\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\$name" 'EnableFirewall'
            policy = Get-RegValue "HKLM:\SOFTWARE\Policies\Microsoft\WindowsFirewall\$name" 'EnableFirewall'
        }
    }
    @{ profiles = $profiles }
}

Write-Section 'accounts' {
    $admins = Get-WmiObject -Class Win32_Group -Filter "LocalAccount=True AND SID='S-1-5-32-544'"
    $group = [ADSI]("WinNT://$env:COMPUTERNAME/" + $admins.Name + ',group')
    $members = @()
    foreach ($m in @($group.psbase.Invoke('Members'))) {
        $members += $m.GetType().InvokeMember('ADsPath', 'GetProperty', $null, $m, $null)
    }
    $users = @()
    foreach ($u in @(Get-WmiObject -Class Win32_UserAccount -Filter "LocalAccount=True AND Domain='$env:COMPUTERNAME'")) {
        $users += @{ name = $u.Name; sid = $u.SID; disabled = $u.Disabled; password_required = $u.PasswordRequired }
    }
    @{ computer = $env:COMPUTERNAME; administrators = $members; users = $users }
}

Write-Section 'password_policy' {
    # `net accounts` works without admin rights on every version; verify parses its lines.
    $lines = @(& net.exe accounts 2>&1 | ForEach-Object { [string]$_ })
    if ($LASTEXITCODE -ne 0) { throw ('net accounts exited with ' + $LASTEXITCODE + ': ' + ($lines -join ' ')) }
    @{ net_accounts = $lines }
}

Write-Section 'smb' {
    $server = $null
    if (Test-Command 'Get-SmbServerConfiguration') { $server = (Get-SmbServerConfiguration).EnableSMB1Protocol }
    @{
        server_smb1_config = $server
        server_smb1_registry = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters' 'SMB1'
        client_mrxsmb10_start = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\mrxsmb10' 'Start'
    }
}

Write-Section 'rdp' {
    $ts = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
    @{
        deny_ts_connections = Get-RegValue $ts 'fDenyTSConnections'
        user_authentication = Get-RegValue "$ts\WinStations\RDP-Tcp" 'UserAuthentication'
        security_layer = Get-RegValue "$ts\WinStations\RDP-Tcp" 'SecurityLayer'
    }
}

Write-Section 'uac' {
    $p = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'
    @{
        enable_lua = Get-RegValue $p 'EnableLUA'
        consent_prompt_behavior_admin = Get-RegValue $p 'ConsentPromptBehaviorAdmin'
        prompt_on_secure_desktop = Get-RegValue $p 'PromptOnSecureDesktop'
    }
}

Write-Section 'disks' {
    $items = @()
    foreach ($d in @(Get-WmiObject -Class Win32_LogicalDisk -Filter 'DriveType=3')) {
        $items += @{ device_id = $d.DeviceID; file_system = $d.FileSystem; size = $d.Size; free_space = $d.FreeSpace }
    }
    @{ items = $items }
}

Write-Section 'tpm' {
    $tpm = Get-WmiObject -Namespace 'root\CIMV2\Security\MicrosoftTpm' -Class Win32_Tpm
    if ($null -eq $tpm) { return @{ present = $false } }
    @{ present = $true; enabled = $tpm.IsEnabled_InitialValue; activated = $tpm.IsActivated_InitialValue; spec_version = $tpm.SpecVersion }
}

Write-Section 'software' {
    $items = @()
    $roots = @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')
    foreach ($root in $roots) {
        if (-not (Test-Path $root)) { continue }
        foreach ($key in @(Get-ChildItem -Path $root)) {
            # One unreadable key (bad permissions, odd value types) must not cost the list.
            try { $p = Get-ItemProperty -Path $key.PSPath } catch { continue }
            if (-not $p.DisplayName -or $p.SystemComponent -eq 1) { continue }
            $items += @{ name = $p.DisplayName; version = $p.DisplayVersion; publisher = $p.Publisher }
        }
    }
    @{ items = $items }
}

Write-Output '{"section":"end"}'
