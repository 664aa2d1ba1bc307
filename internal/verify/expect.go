package verify

import (
	"fmt"
	"net/netip"
	"strings"
)

// Operating systems, as the kubernetes.io/os label spells them.
const (
	Linux   = "linux"
	Windows = "windows"
)

// AKS EE names a machine's Linux node <hostname>-ledge and its Windows node <hostname>-wedge.
const (
	linuxSuffix   = "-ledge"
	windowsSuffix = "-wedge"
)

// ExpectedNode is a node the operator expects to find. Name or IP (or both) is set; OS is
// "linux", "windows" or "" when nothing says.
type ExpectedNode struct {
	Name string     `json:"name,omitempty"`
	IP   netip.Addr `json:"ip,omitzero"`
	OS   string     `json:"os,omitempty"`
	// Source says where the expectation came from, for messages: a flag or a file field.
	Source string `json:"source,omitempty"`
}

// Expectations is what the operator told verify about the cluster; zero values mean
// "not told" and skip the matching check.
type Expectations struct {
	Nodes []ExpectedNode
	// Linux and Windows are the expected node counts per OS; negative means not told.
	Linux, Windows int
	// VIP is the configured control-plane endpoint address (Network.ControlPlaneEndpointIp).
	VIP netip.Addr
	// ClusterID is Join.ClusterId from a scale config.
	ClusterID string
}

// NoExpectations returns Expectations that expect nothing.
func NoExpectations() Expectations {
	return Expectations{Linux: -1, Windows: -1}
}

// Options tune what the checks accept.
type Options struct {
	// AllowCordoned makes a cordoned node pass instead of fail.
	AllowCordoned bool
	// AllowedTaints are taint keys that are not reported.
	AllowedTaints []string
	// MaxKubeletSkew is how many minor versions a kubelet may be behind the API server.
	MaxKubeletSkew int
	// RestartThreshold is the restart count of a kube-system container that is reported as a
	// warning.
	RestartThreshold int32
}

// DefaultOptions returns the options verify uses unless told otherwise. AKS EE upgrades every
// machine of a cluster to the same release, so a kubelet more than one minor behind means a
// machine missed an upgrade even though upstream Kubernetes would tolerate it.
func DefaultOptions() Options {
	return Options{MaxKubeletSkew: 1, RestartThreshold: 5}
}

// ParseExpectNode parses the NAME[=IP] value of --expect-node. The OS comes from the name's
// -ledge or -wedge suffix.
func ParseExpectNode(value string) (ExpectedNode, error) {
	name, ipText, hasIP := strings.Cut(value, "=")
	name = strings.TrimSpace(name)
	if name == "" {
		return ExpectedNode{}, fmt.Errorf("--expect-node %q has no node name; use NAME or NAME=IP", value)
	}
	e := ExpectedNode{Name: strings.ToLower(name), OS: osOfName(name), Source: "--expect-node"}
	if !hasIP {
		return e, nil
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(ipText))
	if err != nil || !ip.Is4() {
		return ExpectedNode{}, fmt.Errorf("--expect-node %q: %q is not an IPv4 address", value, ipText)
	}
	e.IP = ip
	return e, nil
}

// osOfName tells the OS from an AKS EE node name, or "" for another naming.
func osOfName(name string) string {
	switch n := strings.ToLower(name); {
	case strings.HasSuffix(n, linuxSuffix):
		return Linux
	case strings.HasSuffix(n, windowsSuffix):
		return Windows
	}
	return ""
}

// describe names the expected node for messages.
func (e ExpectedNode) describe() string {
	var b strings.Builder
	if e.OS != "" {
		b.WriteString(osTitle(e.OS) + " ")
	}
	b.WriteString("node")
	if e.Name != "" {
		fmt.Fprintf(&b, " %s", e.Name)
	}
	if e.IP.IsValid() {
		fmt.Fprintf(&b, " with InternalIP %s", e.IP)
	}
	if e.Source != "" {
		fmt.Fprintf(&b, " (from %s)", e.Source)
	}
	return b.String()
}

func osTitle(os string) string {
	switch os {
	case Linux:
		return "Linux"
	case Windows:
		return "Windows"
	}
	return os
}
