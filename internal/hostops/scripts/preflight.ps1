# Report what join needs to know about this host, one Name=Value per line.
$ErrorActionPreference = 'Stop'
# The AksEdge module is a script module: let it load whatever the machine's policy says.
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process -Force -ErrorAction SilentlyContinue
$identity = [Security.Principal.WindowsIdentity]::GetCurrent()
$principal = New-Object -TypeName Security.Principal.WindowsPrincipal -ArgumentList $identity
'Is64BitProcess=' + [Environment]::Is64BitProcess
'Elevated=' + $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
'ComputerName=' + $env:COMPUTERNAME
$uninstall = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*'
$product = Get-ItemProperty -Path $uninstall -ErrorAction SilentlyContinue |
    Where-Object { $_.DisplayName -like 'AKS Edge Essentials*' }
'Product=' + ($product | Select-Object -First 1).DisplayName
$module = Get-Module -ListAvailable -Name AksEdge
'Module=' + [bool]$module
$deployed = $false
if ($module) {
    Import-Module AksEdge
    $deployed = Test-AksEdgeDeployment
}
'Deployed=' + $deployed
$hyperv = Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -ErrorAction SilentlyContinue
'HostFeatures=' + ($hyperv.State -eq 'Enabled')
$task = Get-ScheduledTask -TaskName {{q .Task}} -ErrorAction SilentlyContinue
'DeployTask=' + $task.State
foreach ($adapter in Get-NetAdapter -Physical) {
    'Adapter=' + $adapter.Status + ',' + $adapter.Name
}
'FreeDiskGB=' + [math]::Floor((Get-PSDrive -Name C).Free / 1GB)
'FreeMemoryMB=' + [math]::Floor((Get-CimInstance -ClassName Win32_OperatingSystem).FreePhysicalMemory / 1KB)
'LogicalProcessors=' + [Environment]::ProcessorCount
