# Collect the AKS Edge Essentials logs after a failed deployment; prints where they went.
$ErrorActionPreference = 'Stop'
# The AksEdge module is a script module: let it load whatever the machine's policy says.
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process -Force -ErrorAction SilentlyContinue
Import-Module AksEdge
Get-AksEdgeLogs
