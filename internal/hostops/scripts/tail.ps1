# Print the deployment transcript from line {{.Skip}} on, then the task state and the result.
$log = {{q .Log}}
$result = {{q .Result}}
if (Test-Path -Path $log) {
    Get-Content -Path $log | Select-Object -Skip {{.Skip}}
}
$task = Get-ScheduledTask -TaskName {{q .Task}} -ErrorAction SilentlyContinue
'{{.Marker}}task=' + $task.State
if (Test-Path -Path $result) {
    '{{.Marker}}result=' + (Get-Content -Path $result -Raw).Trim()
}
