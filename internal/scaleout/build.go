package scaleout

import (
	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// AddMachineVersion is the file format version New-AksEdgeScaleConfig writes when the primary's
// file does not say.
const AddMachineVersion = "1.0"

// JoinSecrets is the Join block's secret material for one machine.
type JoinSecrets struct {
	Token              aksedge.Secret
	DiscoveryTokenHash string
}

// Build returns the AddMachine file for req: the primary's SchemaVersion, Version, Network,
// User and Arc unchanged, the Join block, and one Machines entry for the new machine.
func Build(req Request, facts *Facts, secrets JoinSecrets) *aksedge.Config {
	primary := req.Primary.Clone()
	out := &aksedge.Config{
		SchemaVersion:  primary.SchemaVersion,
		Version:        primary.Version,
		DeploymentType: aksedge.ScalableCluster,
		Join: &aksedge.Join{
			ClusterJoinToken:   secrets.Token,
			DiscoveryTokenHash: secrets.DiscoveryTokenHash,
			ClusterId:          facts.ClusterID,
		},
		Arc:      primary.Arc,
		Network:  primary.Network,
		User:     primary.User,
		Machines: []aksedge.Machine{buildMachine(req, primaryMachine(primary))},
	}
	if out.Version == "" {
		out.Version = AddMachineVersion
	}
	fillNetwork(out, facts)
	if facts.Flavour != cluster.K8s {
		out.Join.DiscoveryTokenHash = ""
	}
	return out
}

func primaryMachine(c *aksedge.Config) aksedge.Machine {
	if len(c.Machines) == 0 {
		return aksedge.Machine{}
	}
	return c.Machines[0]
}

func buildMachine(req Request, from aksedge.Machine) aksedge.Machine {
	m := aksedge.Machine{NetworkConnection: &aksedge.NetworkConnection{}}
	if nc := from.NetworkConnection; nc != nil {
		m.NetworkConnection.AdapterName, m.NetworkConnection.Mtu = nc.AdapterName, nc.Mtu
	}
	if req.Adapter != "" {
		m.NetworkConnection.AdapterName = req.Adapter
	}
	if hasLinux(req.NodeType) {
		m.LinuxNode = linuxNode(req, from.LinuxNode)
	}
	if hasWindows(req.NodeType) {
		m.WindowsNode = windowsNode(req, from.WindowsNode)
	}
	return m
}

// linuxNode gives the new Linux node the primary's sizes. Nothing that belongs to the
// primary's VM itself is copied: a copied MAC address or secondary network would clash.
func linuxNode(req Request, from *aksedge.LinuxNode) *aksedge.LinuxNode {
	n := &aksedge.LinuxNode{}
	if from != nil {
		n = &aksedge.LinuxNode{
			CpuCount:       from.CpuCount,
			MemoryInMB:     from.MemoryInMB,
			DataSizeInGB:   from.DataSizeInGB,
			LogSizeInGB:    from.LogSizeInGB,
			TimeoutSeconds: from.TimeoutSeconds,
			TpmPassthrough: from.TpmPassthrough,
		}
	}
	n.ControlPlane = aksedge.Ptr(req.ControlPlane)
	n.Ip4Address = req.LinuxIP.String()
	return n
}

func windowsNode(req Request, from *aksedge.WindowsNode) *aksedge.WindowsNode {
	n := &aksedge.WindowsNode{
		CpuCount:       aksedge.Ptr(aksedge.DefaultWindowsCPU),
		MemoryInMB:     aksedge.Ptr(aksedge.DefaultWindowsMemoryMB),
		TimeoutSeconds: aksedge.Ptr(aksedge.DefaultWindowsTimeoutSec),
	}
	if from != nil {
		n = &aksedge.WindowsNode{CpuCount: from.CpuCount, MemoryInMB: from.MemoryInMB, TimeoutSeconds: from.TimeoutSeconds}
	}
	n.Ip4Address = req.WindowsIP.String()
	return n
}

// fillNetwork fills what the cluster can tell and the primary's file left empty: the network
// plugin from the flavour and the control-plane endpoint. Values the file gives are kept.
func fillNetwork(c *aksedge.Config, facts *Facts) {
	if c.Network == nil {
		c.Network = &aksedge.Network{}
	}
	if c.Network.NetworkPlugin == "" {
		c.Network.NetworkPlugin = aksedge.PluginOf(facts.Flavour)
	}
	if c.Network.ControlPlaneEndpointIp == "" && facts.Endpoint.Addr.IsValid() {
		c.Network.ControlPlaneEndpointIp = facts.Endpoint.Addr.String()
	}
}
