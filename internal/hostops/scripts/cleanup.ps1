# Remove the config, which holds the join token, and the scheduled task; keep the transcript.
$ErrorActionPreference = 'Stop'
Remove-Item -Path {{q .Config}}, {{q .Runner}} -Force -ErrorAction SilentlyContinue
Unregister-ScheduledTask -TaskName {{q .Task}} -Confirm:$false -ErrorAction SilentlyContinue
if (Test-Path -Path {{q .Config}}) {
    throw 'the config file is still on the host'
}
'The config is removed'
