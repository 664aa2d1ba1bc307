# Enable Hyper-V and the other host features AKS Edge Essentials needs; this may restart the host.
$ErrorActionPreference = 'Stop'
Import-Module AksEdge
$hyperv = Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V
if ($hyperv.State -eq 'Enabled') {
    'The host features are already enabled'
    exit 0
}
Install-AksEdgeHostFeatures -Confirm:$false
