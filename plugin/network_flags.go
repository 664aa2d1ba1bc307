package plugin

import (
	"net/netip"

	"github.com/spf13/pflag"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// networkFlags are the cluster network settings given on the command line when there is no
// primary config file to take them from.
type networkFlags struct {
	ControlPlaneIP string
	Gateway        string
	PrefixLength   int
	DNS            []string
	SchemaVersion  string
	AcceptEula     bool
}

// AddFlags registers the network flags.
func (n *networkFlags) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&n.ControlPlaneIP, "control-plane-ip", "", "Control-plane endpoint (VIP) of the cluster, without --from.")
	f.StringVar(&n.Gateway, "gateway", "", "IPv4 gateway of the cluster network, without --from.")
	f.IntVar(&n.PrefixLength, "prefix-length", aksedge.DefaultPrefixLength,
		"Prefix length of the cluster network, without --from.")
	f.StringArrayVar(&n.DNS, "dns", nil, "DNS server of the cluster network, without --from; repeatable.")
	f.StringVar(&n.SchemaVersion, "schema-version", aksedge.LatestSchemaVersion,
		"AKS EE config schema version, without --from; use your primary's.")
	f.BoolVar(&n.AcceptEula, "accept-eula", false, "If true, accept the AKS EE licence (User.AcceptEula), without --from.")
}

// Validate checks the flags a config needs when it is built from them.
func (n *networkFlags) Validate() error {
	if n.Gateway == "" || len(n.DNS) == 0 {
		return usageErrorf("without --from, give the cluster network: --gateway and --dns " +
			"(and --control-plane-ip unless the kubeconfig server is the VIP)")
	}
	for _, a := range []struct{ flag, value string }{
		{"--control-plane-ip", n.ControlPlaneIP}, {"--gateway", n.Gateway},
	} {
		if _, err := optionalIPv4(a.flag, a.value); err != nil {
			return err
		}
	}
	for _, d := range n.DNS {
		if addr, err := netip.ParseAddr(d); err != nil || !addr.Is4() {
			return usageErrorf("--dns %s is not an IPv4 address", d)
		}
	}
	if n.PrefixLength < 1 || n.PrefixLength > 31 {
		return usageErrorf("--prefix-length %d is outside 1 to 31", n.PrefixLength)
	}
	return nil
}

// Config returns a primary config holding the flags' network.
func (n *networkFlags) Config(nodeType aksedge.NodeType) (*aksedge.Config, error) {
	c, err := aksedge.NewConfig(aksedge.ScalableCluster, n.SchemaVersion, nodeType)
	if err != nil {
		return nil, usageErrorf("--schema-version: %v", err)
	}
	if c.Network == nil {
		c.Network = &aksedge.Network{}
	}
	c.Network.ControlPlaneEndpointIp = n.ControlPlaneIP
	c.Network.Ip4GatewayAddress = n.Gateway
	c.Network.Ip4PrefixLength = aksedge.Ptr(n.PrefixLength)
	c.Network.DnsServers = n.DNS
	if c.User == nil {
		c.User = &aksedge.User{}
	}
	c.User.AcceptEula = aksedge.Ptr(n.AcceptEula)
	return c, nil
}
