# Check the pushed config's network parameters on the host; exit 3 when AKS EE says False.
$ErrorActionPreference = 'Stop'
# The AksEdge module is a script module: let it load whatever the machine's policy says.
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process -Force -ErrorAction SilentlyContinue
Import-Module AksEdge
$valid = Test-AksEdgeNetworkParameters -JsonConfigFilePath {{q .Config}}
if ([string]$valid -ne 'True') {
    exit 3
}
