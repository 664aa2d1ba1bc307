# Start the deployment runner as a scheduled task unless it is running or has run already, so
# that running this again after a dropped connection cannot start a second deployment.
$ErrorActionPreference = 'Stop'
$task = Get-ScheduledTask -TaskName {{q .Task}} -ErrorAction SilentlyContinue
if ($task.State -eq 'Running') {
    'The deployment is already running'
    exit 0
}
if (Test-Path -Path {{q .Result}}) {
    'The deployment has already run'
    exit 0
}
$argument = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File ' + {{q .Runner}}
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argument
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
Register-ScheduledTask -TaskName {{q .Task}} -Action $action -Principal $principal -Force | Out-Null
Start-ScheduledTask -TaskName {{q .Task}}
'The deployment started'
