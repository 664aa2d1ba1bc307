# Enable Hyper-V and the other host features AKS Edge Essentials needs; this may restart the host.
$ErrorActionPreference = 'Stop'
# The AksEdge module is a script module: let it load whatever the machine's policy says.
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process -Force -ErrorAction SilentlyContinue
Import-Module AksEdge
$hyperv = Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V
if ($hyperv.State -eq 'Enabled') {
    'The host features are already enabled'
    exit 0
}
Install-AksEdgeHostFeatures -Confirm:$false
