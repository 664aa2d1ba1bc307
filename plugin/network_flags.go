package plugin

import (
	"net/netip"

	"github.com/spf13/pflag"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// networkFlags are the flags of the Network section that config new and scale-config share,
// with the schema version and the licence answer that go into the same file.
type networkFlags struct {
	SchemaVersion  string
	ControlPlaneIP string
	Gateway        string
	PrefixLength   int
	DNS            []string
	AcceptEULA     bool
}

// AddFlags registers the shared network flags.
func (n *networkFlags) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&n.SchemaVersion, "schema-version", aksedge.LatestSchemaVersion,
		"Schema version of the AKS EE release that will read the file.")
	f.StringVar(&n.ControlPlaneIP, "control-plane-ip", "",
		"Address of the API server, the VIP (Network.ControlPlaneEndpointIp).")
	f.StringVar(&n.Gateway, "gateway", "",
		"Router of the nodes' subnet (Network.Ip4GatewayAddress).")
	f.IntVar(&n.PrefixLength, "prefix-length", aksedge.DefaultPrefixLength,
		"Prefix length of the nodes' subnet (Network.Ip4PrefixLength).")
	f.StringSliceVar(&n.DNS, "dns", nil,
		"DNS server of the nodes (Network.DnsServers); repeat the flag or separate with commas.")
	f.BoolVar(&n.AcceptEULA, "accept-eula", false,
		"If true, set User.AcceptEula so the deployment runs unattended.")
}

// flagValue is an address flag and the value it was given.
type flagValue struct{ flag, value string }

// addresses lists the address flags for a syntax check.
func (n *networkFlags) addresses() []flagValue {
	out := []flagValue{{"control-plane-ip", n.ControlPlaneIP}, {"gateway", n.Gateway}}
	for _, d := range n.DNS {
		out = append(out, flagValue{"dns", d})
	}
	return out
}

// apply sets the keys of the flags given; the others keep what c has.
func (n *networkFlags) apply(c *aksedge.Config, given func(flag string) bool) {
	if c.Network == nil {
		c.Network = &aksedge.Network{}
	}
	net := c.Network
	setString(given("control-plane-ip"), &net.ControlPlaneEndpointIp, n.ControlPlaneIP)
	setString(given("gateway"), &net.Ip4GatewayAddress, n.Gateway)
	setInt(given("prefix-length"), &net.Ip4PrefixLength, n.PrefixLength)
	if given("dns") {
		net.DnsServers = n.DNS
	}
	if given("accept-eula") {
		if c.User == nil {
			c.User = &aksedge.User{}
		}
		c.User.AcceptEula = aksedge.Ptr(n.AcceptEULA)
	}
}

// checkIPv4Flags refuses the first non-empty value that is not an IPv4 address.
func checkIPv4Flags(values []flagValue) error {
	for _, a := range values {
		if a.value == "" {
			continue
		}
		if ip, err := netip.ParseAddr(a.value); err != nil || !ip.Is4() {
			return usageErrorf("--%s %s is not an IPv4 address", a.flag, a.value)
		}
	}
	return nil
}

func setString(given bool, dst *string, v string) {
	if given {
		*dst = v
	}
}

func setInt(given bool, dst **int, v int) {
	if given {
		*dst = aksedge.Ptr(v)
	}
}
