# Install the AKS Edge Essentials MSI that join pushed{{if .MSIURL}} or downloads{{end}}.
$ErrorActionPreference = 'Stop'
$msi = {{q .MSI}}
{{- if .MSIURL}}
Invoke-WebRequest -Uri {{q .MSIURL}} -OutFile $msi -UseBasicParsing
{{- end}}
$arguments = '/i ' + $msi + ' /qn /norestart{{if .AddLocal}} ADDLOCAL={{.AddLocal}}{{end}}'
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
Remove-Item -Path $msi -Force -ErrorAction SilentlyContinue
# 3010 means success with a restart pending; Install-AksEdgeHostFeatures restarts if it must.
if ($process.ExitCode -ne 0 -and $process.ExitCode -ne 3010) {
    'msiexec.exe exited with ' + $process.ExitCode
    exit 1
}
'The MSI is installed'
