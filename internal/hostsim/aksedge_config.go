package hostsim

import (
	"fmt"
	"net/netip"
	"strings"
)

// deployConfig is an aksedge-config.json as the simulated AksEdge module reads it: keys are
// looked up case-insensitively, like PowerShell's ConvertFrom-Json objects. It is parsed here,
// not with the plugin's model, so that a bug in the plugin cannot hide itself in a test.
type deployConfig struct {
	root *Object
}

func parseDeployConfig(data []byte) (*deployConfig, error) {
	v, err := decodeJSON([]byte(strings.TrimPrefix(string(data), "\ufeff")))
	if err != nil {
		return nil, fmt.Errorf("the JSON configuration is not valid: %w", err)
	}
	root, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("the JSON configuration is not an object")
	}
	return &deployConfig{root: root}, nil
}

// get walks a dotted path such as "Network.Ip4GatewayAddress"; "Machines.0" indexes arrays.
func (c *deployConfig) get(path string) any {
	var v any = c.root
	for _, part := range strings.Split(path, ".") {
		switch cur := v.(type) {
		case *Object:
			v, _ = cur.Get(part)
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

func (c *deployConfig) str(path string) string { return toStr(c.get(path)) }

func (c *deployConfig) flag(path string) bool { return truthy(c.get(path)) }

func (c *deployConfig) hasWindowsNode() bool {
	_, ok := c.get("Machines.0.WindowsNode").(*Object)
	return ok
}

// nodeIPs returns the Linux and (when wanted) Windows node addresses of the only machine.
func (c *deployConfig) nodeIPs() []string {
	ips := []string{c.str("Machines.0.LinuxNode.Ip4Address")}
	if c.hasWindowsNode() {
		ips = append(ips, c.str("Machines.0.WindowsNode.Ip4Address"))
	}
	return ips
}

// networkCheck holds what the network test found.
type networkCheck struct {
	errors []string
}

func (n *networkCheck) addf(format string, args ...any) {
	n.errors = append(n.errors, fmt.Sprintf(format, args...))
}

// podAndServiceCIDRs are the ranges the flavours reserve inside the cluster.
var podAndServiceCIDRs = map[string][]string{
	"k3s": {"10.42.0.0/16", "10.43.0.0/16"},
	"k8s": {"10.244.0.0/16", "10.96.0.0/12"},
}

// checkNetwork runs the checks of Test-AksEdgeNetworkParameters that need no network traffic.
func (m *Machine) checkNetwork(c *deployConfig, takenIPs map[string]string) *networkCheck {
	n := &networkCheck{}
	if t := c.str("DeploymentType"); t != "ScalableCluster" && t != "SingleMachineCluster" {
		n.addf("DeploymentType '%s' is not valid", t)
	}
	machines, _ := c.get("Machines").([]any)
	if len(machines) != 1 {
		n.addf("Machines must have exactly one entry, found %d", len(machines))
		return n
	}
	prefix := int64(24)
	if v := c.get("Network.Ip4PrefixLength"); v != nil {
		prefix, _ = toInt(v)
	}
	if prefix < 1 || prefix > 31 {
		n.addf("Ip4PrefixLength '%d' is not valid", prefix)
		return n
	}
	m.checkAddresses(c, n, int(prefix), takenIPs)
	m.checkNetworkRest(c, n)
	return n
}

func (m *Machine) checkAddresses(c *deployConfig, n *networkCheck, prefix int, taken map[string]string) {
	gw := c.str("Network.Ip4GatewayAddress")
	gwAddr, err := netip.ParseAddr(gw)
	if err != nil || !gwAddr.Is4() {
		n.addf("Ip4GatewayAddress '%s' is not a valid IPv4 address", gw)
		return
	}
	subnet, _ := gwAddr.Prefix(prefix)
	named := [][2]string{{"ControlPlaneEndpointIp", c.str("Network.ControlPlaneEndpointIp")}}
	named = append(named, [2]string{"LinuxNode.Ip4Address", c.str("Machines.0.LinuxNode.Ip4Address")})
	if c.hasWindowsNode() {
		named = append(named, [2]string{"WindowsNode.Ip4Address", c.str("Machines.0.WindowsNode.Ip4Address")})
	}
	seen := map[string]string{}
	for _, f := range named {
		m.checkAddress(n, f[0], f[1], subnet, seen)
	}
	if c.flag("Network.SkipAddressFreeCheck") {
		return
	}
	for _, ip := range c.nodeIPs() {
		if owner, ok := taken[ip]; ok {
			n.addf("IP address '%s' is not free (in use by %s)", ip, owner)
		}
	}
}

func (m *Machine) checkAddress(n *networkCheck, field, ip string, subnet netip.Prefix, seen map[string]string) {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is4() {
		n.addf("%s '%s' is not a valid IPv4 address", field, ip)
		return
	}
	if !subnet.Contains(addr) {
		n.addf("%s '%s' is not in the subnet %s of the gateway", field, ip, subnet)
	}
	if other, ok := seen[ip]; ok {
		n.addf("%s '%s' is the same address as %s", field, ip, other)
	}
	seen[ip] = field
	for _, cidr := range podAndServiceCIDRs[m.Flavour()] {
		if netip.MustParsePrefix(cidr).Contains(addr) {
			n.addf("%s '%s' is inside the cluster range %s", field, ip, cidr)
		}
	}
}

func (m *Machine) checkNetworkRest(c *deployConfig, n *networkCheck) {
	if dns, _ := c.get("Network.DnsServers").([]any); len(dns) == 0 && !c.flag("Network.SkipDnsCheck") {
		n.addf("DnsServers must not be empty")
	}
	for _, k := range []string{"Http", "Https"} {
		p := c.str("Network.Proxy." + k)
		if p != "" && !strings.HasPrefix(p, "http://") && !strings.HasPrefix(p, "https://") {
			n.addf("Proxy.%s '%s' must start with http:// or https://", k, p)
		}
	}
	wantPlugin := map[string]string{"k3s": "flannel", "k8s": "calico"}[m.Flavour()]
	if p := c.str("Network.NetworkPlugin"); p != "" && !strings.EqualFold(p, wantPlugin) {
		n.addf("NetworkPlugin '%s' does not match the installed %s module; use '%s'", p,
			flavourTitle(m.Flavour()), wantPlugin)
	}
	adapter := c.str("Machines.0.NetworkConnection.AdapterName")
	if c.str("DeploymentType") == "ScalableCluster" && !m.adapterUp(adapter) {
		n.addf("The network adapter '%s' was not found or is not connected", adapter)
	}
}

func (m *Machine) adapterUp(name string) bool {
	for _, a := range m.opts.Adapters {
		if strings.EqualFold(a.Name, name) && a.Status == "Up" {
			return true
		}
	}
	return false
}
