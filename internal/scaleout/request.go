// Package scaleout builds the AddMachine file that New-AksEdgeScaleConfig writes, from the
// primary machine's deployment config and what the live cluster tells, and checks the new
// machine's addresses against the cluster before any token is minted.
package scaleout

import (
	"net/netip"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// Request is what the operator asks for: the machine to add and the primary it joins.
type Request struct {
	// Primary is the primary machine's aksedge-config.json (or one built from flags); its
	// SchemaVersion, Version, Network, User, Arc and node sizes are carried over.
	Primary      *aksedge.Config
	NodeType     aksedge.NodeType
	LinuxIP      netip.Addr
	WindowsIP    netip.Addr
	ControlPlane bool
	// Adapter is the physical adapter on the new machine; "" keeps the primary's.
	Adapter string
	// Machine names the new machine, for the token description and the expected node names.
	Machine string
	// ClusterID overrides the id read from the cluster.
	ClusterID string
	TTL       time.Duration
}

// InferNodeType picks the node type from the addresses given, as the cmdlet's users expect:
// both addresses mean LinuxAndWindows, one means that node alone.
func InferNodeType(linux, windows bool) aksedge.NodeType {
	switch {
	case linux && windows:
		return aksedge.NodeLinuxAndWindows
	case windows:
		return aksedge.NodeWindows
	default:
		return aksedge.NodeLinux
	}
}

func hasLinux(t aksedge.NodeType) bool {
	return t == aksedge.NodeLinux || t == aksedge.NodeLinuxAndWindows
}

func hasWindows(t aksedge.NodeType) bool {
	return t == aksedge.NodeWindows || t == aksedge.NodeLinuxAndWindows
}
