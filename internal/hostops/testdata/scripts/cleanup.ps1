# Remove the config, which holds the join token, and the scheduled task; keep the transcript.
$ErrorActionPreference = 'Stop'
Remove-Item -Path 'C:\ProgramData\aksee\aksedge-config.json', 'C:\ProgramData\aksee\deploy.ps1' -Force -ErrorAction SilentlyContinue
Unregister-ScheduledTask -TaskName 'aksee-join' -Confirm:$false -ErrorAction SilentlyContinue
if (Test-Path -Path 'C:\ProgramData\aksee\aksedge-config.json') {
    throw 'the config file is still on the host'
}
'The config is removed'
