# Print the deployment transcript from line 12 on, then the task state and the result.
$log = 'C:\ProgramData\aksee\deploy.log'
$result = 'C:\ProgramData\aksee\deploy.result'
if (Test-Path -Path $log) {
    Get-Content -Path $log | Select-Object -Skip 12
}
$task = Get-ScheduledTask -TaskName 'aksee-join' -ErrorAction SilentlyContinue
'##aksee:task=' + $task.State
if (Test-Path -Path $result) {
    '##aksee:result=' + (Get-Content -Path $result -Raw).Trim()
}
