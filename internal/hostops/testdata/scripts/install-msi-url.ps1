# Install the AKS Edge Essentials MSI that join pushed or downloads.
$ErrorActionPreference = 'Stop'
$msi = 'C:\ProgramData\aksee\AksEdge-K3s-1.11.247.0.msi'
Invoke-WebRequest -Uri 'https://example.test/AksEdge-K3s-1.11.247.0.msi' -OutFile $msi -UseBasicParsing
$arguments = '/i ' + $msi + ' /qn /norestart'
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
Remove-Item -Path $msi -Force -ErrorAction SilentlyContinue
# 3010 means success with a restart pending; Install-AksEdgeHostFeatures restarts if it must.
if ($process.ExitCode -ne 0 -and $process.ExitCode -ne 3010) {
    'msiexec.exe exited with ' + $process.ExitCode
    exit 1
}
'The MSI is installed'
