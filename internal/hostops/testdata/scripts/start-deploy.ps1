# Start the deployment runner as a scheduled task unless it is running or has run already, so
# that running this again after a dropped connection cannot start a second deployment.
$ErrorActionPreference = 'Stop'
$task = Get-ScheduledTask -TaskName 'aksee-join' -ErrorAction SilentlyContinue
if ($task.State -eq 'Running') {
    'The deployment is already running'
    exit 0
}
if (Test-Path -Path 'C:\ProgramData\aksee\deploy.result') {
    'The deployment has already run'
    exit 0
}
$argument = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File ' + 'C:\ProgramData\aksee\deploy.ps1'
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argument
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
Register-ScheduledTask -TaskName 'aksee-join' -Action $action -Principal $principal -Force | Out-Null
Start-ScheduledTask -TaskName 'aksee-join'
'The deployment started'
