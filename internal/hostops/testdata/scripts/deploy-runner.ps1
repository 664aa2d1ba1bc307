# Run New-AksEdgeDeployment as a scheduled task, so that neither the network drop while Hyper-V
# creates the external switch nor the WinRM shell limits can end it. Everything it prints goes
# to the transcript; the result file holds what it returned.
$ErrorActionPreference = 'Stop'
Start-Transcript -Path 'C:\ProgramData\aksee\deploy.log' -Force | Out-Null
try {
    Import-Module AksEdge
    $result = New-AksEdgeDeployment -JsonConfigFilePath 'C:\ProgramData\aksee\aksedge-config.json'
    'New-AksEdgeDeployment returned ' + $result
    Set-Content -Path 'C:\ProgramData\aksee\deploy.result' -Value ([string]$result)
} catch {
    'New-AksEdgeDeployment failed: ' + $_.Exception.Message
    Set-Content -Path 'C:\ProgramData\aksee\deploy.result' -Value 'FAILED'
} finally {
    Stop-Transcript | Out-Null
}
