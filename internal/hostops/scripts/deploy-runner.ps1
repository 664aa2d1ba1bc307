# Run New-AksEdgeDeployment as a scheduled task, so that neither the network drop while Hyper-V
# creates the external switch nor the WinRM shell limits can end it. Everything it prints goes
# to the transcript; the result file holds what it returned.
$ErrorActionPreference = 'Stop'
Start-Transcript -Path {{q .Log}} -Force | Out-Null
try {
    Import-Module AksEdge
    $result = New-AksEdgeDeployment -JsonConfigFilePath {{q .Config}}
    'New-AksEdgeDeployment returned ' + $result
    Set-Content -Path {{q .Result}} -Value ([string]$result)
} catch {
    'New-AksEdgeDeployment failed: ' + $_.Exception.Message
    Set-Content -Path {{q .Result}} -Value 'FAILED'
} finally {
    Stop-Transcript | Out-Null
}
