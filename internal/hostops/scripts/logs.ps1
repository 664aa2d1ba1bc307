# Collect the AKS Edge Essentials logs after a failed deployment; prints where they went.
$ErrorActionPreference = 'Stop'
Import-Module AksEdge
Get-AksEdgeLogs
