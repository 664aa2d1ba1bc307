package aksedge

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// checkNetwork checks the Network section: address syntax, prefix range, the subnet the
// gateway and prefix define, the control-plane endpoint, DNS, plugin and proxy.
func (fc *fileCheck) checkNetwork() {
	n := fc.c.Network
	if n == nil {
		if fc.scalable() {
			fc.required("Network", "the shared network of the cluster (endpoint, gateway, DNS)")
		}
		return
	}
	fc.checkSubnet(n)
	fc.checkEndpoint(n)
	fc.checkDNS(n)
	fc.checkPlugin(n)
	if n.Ip4AddressPrefix != "" {
		if p, err := netip.ParsePrefix(n.Ip4AddressPrefix); err != nil || !p.Addr().Is4() {
			fc.errorf("Network.Ip4AddressPrefix", "%q is not an IPv4 prefix like 192.168.1.0/24",
				n.Ip4AddressPrefix)
		}
	}
	if n.Proxy != nil {
		fc.checkProxyURL("Network.Proxy.Http", n.Proxy.Http)
		fc.checkProxyURL("Network.Proxy.Https", n.Proxy.Https)
	}
}

func (fc *fileCheck) checkSubnet(n *Network) {
	prefix := deref(n.Ip4PrefixLength, DefaultPrefixLength)
	prefixOK := prefix >= 1 && prefix <= 31
	if !prefixOK {
		fc.errorf("Network.Ip4PrefixLength", "%d is out of range; use 1 to 31 "+
			"(24 for a 255.255.255.0 network)", prefix)
	}
	gw, ok := fc.ipv4("Network.Ip4GatewayAddress", n.Ip4GatewayAddress)
	if n.Ip4GatewayAddress == "" && fc.scalable() {
		fc.required("Network.Ip4GatewayAddress", "the router of the nodes' subnet, e.g. 10.10.75.1")
	}
	if !ok {
		return
	}
	fc.gateway = gw
	fc.notInClusterNetworks("Network.Ip4GatewayAddress", gw)
	if !prefixOK {
		return
	}
	fc.subnet = netip.PrefixFrom(gw, prefix).Masked()
	fc.hostAddress("Network.Ip4GatewayAddress", gw)
	for _, net := range fc.clusterNetworks() {
		if fc.subnet.Overlaps(net.prefix) && !net.prefix.Contains(gw) {
			fc.warnf("Network.Ip4PrefixLength", "the subnet %s overlaps the %s %s network %s; "+
				"nodes cannot reach hosts of the subnet inside it; use a longer prefix if the "+
				"network allows", fc.subnet, net.flavour.title(), net.what, net.prefix)
		}
	}
}

func (fc *fileCheck) checkEndpoint(n *Network) {
	const path = "Network.ControlPlaneEndpointIp"
	vip, ok := fc.ipv4(path, n.ControlPlaneEndpointIp)
	if n.ControlPlaneEndpointIp == "" && fc.scalable() {
		fc.required(path, "a free address for the API server (the VIP), in the nodes' subnet")
	}
	if !ok {
		return
	}
	fc.vip = vip
	if !fc.notInClusterNetworks(path, vip) || !fc.inSubnet(path, vip) {
		return
	}
	fc.hostAddress(path, vip)
	if vip == fc.gateway {
		fc.errorf(path, "%s is the gateway (Network.Ip4GatewayAddress); pick a free address in %s",
			vip, fc.subnet)
	}
}

func (fc *fileCheck) checkDNS(n *Network) {
	if len(n.DnsServers) == 0 && fc.scalable() {
		fc.errorf("Network.DnsServers", "empty; a ScalableCluster needs at least one DNS server "+
			`that resolves microsoft.com, e.g. ["8.8.8.8"]`)
	}
	for i, s := range n.DnsServers {
		path := "Network.DnsServers" + index(i)
		if s == "" {
			fc.errorf(path, "empty; give the address of a DNS server")
			continue
		}
		if first := slices.Index(n.DnsServers, s); first < i {
			fc.warnf(path, "%s is listed already as DnsServers[%d]; remove the repeat", s, first)
			continue
		}
		if a, ok := fc.ipv4(path, s); ok {
			fc.notInClusterNetworks(path, a)
		}
	}
}

func (fc *fileCheck) checkPlugin(n *Network) {
	const path = "Network.NetworkPlugin"
	switch {
	case n.NetworkPlugin == "" && fc.scalable():
		fc.required(path, `"flannel" for K3s or "calico" for K8s, the flavour of the installed MSI`)
	case n.NetworkPlugin != "" && FlavourOfPlugin(n.NetworkPlugin) == "":
		fc.errorf(path, "%q is not %q (K3s) or %q (K8s)", n.NetworkPlugin, PluginFlannel, PluginCalico)
	case fc.join && fc.c.Join.Flavour() != "" && FlavourOfPlugin(n.NetworkPlugin) != "" &&
		FlavourOfPlugin(n.NetworkPlugin) != fc.c.Join.Flavour():
		f := fc.c.Join.Flavour()
		fc.errorf(path, "%q, but the join token is a %s token and %s clusters use %q; set %q",
			n.NetworkPlugin, f.title(), f.title(), PluginOf(f), PluginOf(f))
	}
}

func (fc *fileCheck) checkProxyURL(path, s string) {
	lower := strings.ToLower(s)
	if s != "" && !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		fc.errorf(path, "%q does not start with http:// or https://; write the proxy as a URL, "+
			"e.g. http://proxy.example.com:3128", s)
	}
}

// checkInit checks the service IP range that kube-vip hands LoadBalancer services from.
func (fc *fileCheck) checkInit() {
	in := fc.c.Init
	primary := fc.scalable() && !fc.join
	if in == nil {
		if primary {
			fc.required("Init", "the service IP range (ServiceIPRangeStart, ServiceIPRangeSize)")
		}
		return
	}
	size := deref(in.ServiceIPRangeSize, 0)
	if size < 0 || size > MaxServiceIPs {
		fc.errorf("Init.ServiceIPRangeSize", "%d is out of range; use 0 to %d", size, MaxServiceIPs)
	}
	start, ok := fc.ipv4("Init.ServiceIPRangeStart", in.ServiceIPRangeStart)
	switch {
	case in.ServiceIPRangeStart == "" && primary:
		fc.required("Init.ServiceIPRangeStart", "the first of the free addresses kube-vip "+
			"gives LoadBalancer services, in the nodes' subnet")
	case in.ServiceIPRangeStart == "" && size > 0 && fc.scalable():
		fc.errorf("Init.ServiceIPRangeStart", "missing, but ServiceIPRangeSize is %d; "+
			"give the first address of the range", size)
	}
	if primary && size == 0 {
		fc.warnf("Init.ServiceIPRangeSize", "0, so LoadBalancer services (the Linux sample's "+
			"front end) get no EXTERNAL-IP; reserve 1 to %d addresses", MaxServiceIPs)
	}
	if ok && size >= 1 && size <= MaxServiceIPs {
		fc.checkServiceRange(start, size)
	}
}

func (fc *fileCheck) checkServiceRange(start netip.Addr, size int) {
	last, ok := addN(start, size-1)
	if !ok {
		fc.errorf("Init.ServiceIPRangeSize", "%s + %d addresses runs past 255.255.255.255", start, size)
		return
	}
	fc.svc = addrRange{first: start, last: last}
	for _, net := range fc.clusterNetworks() {
		if fc.svc.overlaps(net.prefix) {
			fc.errorf("Init.ServiceIPRangeStart", "the range %s overlaps the %s %s network %s; "+
				"move it outside %s", fc.svc, net.flavour.title(), net.what, net.prefix, fc.takenNetworks())
			break
		}
	}
	if fc.subnet.IsValid() && fc.inSubnet("Init.ServiceIPRangeStart", start) {
		fc.hostAddress("Init.ServiceIPRangeStart", start)
		if end := lastOf(fc.subnet); last.Compare(end) >= 0 {
			room := int(uint32Of(end) - uint32Of(start))
			fc.errorf("Init.ServiceIPRangeSize", "%d addresses from %s end at %s, past the last "+
				"host address of %s; lower the size to %d or move the start down", size, start,
				last, fc.subnet, room)
		}
	}
	for _, fixed := range []struct{ addr netip.Addr }{{fc.gateway}, {fc.vip}} {
		if fc.svc.contains(fixed.addr) {
			what := "the gateway"
			if fixed.addr == fc.vip {
				what = "the control-plane endpoint"
			}
			fc.errorf("Init.ServiceIPRangeStart", "the range %s holds %s %s; move the range "+
				"so that it starts after it", fc.svc, what, fixed.addr)
		}
	}
}

func uint32Of(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$`)

// checkUserAndArc checks the licence answer and the Azure Arc section.
func (fc *fileCheck) checkUserAndArc() {
	if fc.c.User == nil || !deref(fc.c.User.AcceptEula, false) {
		fc.warnf("User.AcceptEula", "not true, so the deployment stops to ask for the licence "+
			"terms; set it to true (config new --accept-eula) to deploy unattended")
	}
	arc := fc.c.Arc
	offline := fc.c.Network != nil && deref(fc.c.Network.InternetDisabled, false)
	if !fc.join && !offline && (arc == nil || arc.SubscriptionId == "" || arc.ClusterName == "") {
		fc.warnf("Arc", "no Azure Arc details; AKS EE 1.11.230.0 and later refuse an online "+
			"deployment without them unless it runs under a volume licence; fill Arc or set "+
			"Network.InternetDisabled for an offline install")
	}
	if arc == nil {
		return
	}
	for _, id := range []struct{ key, value string }{
		{"SubscriptionId", arc.SubscriptionId}, {"TenantId", arc.TenantId}, {"ClientId", arc.ClientId},
	} {
		if id.value != "" && !guid.MatchString(id.value) {
			fc.errorf("Arc."+id.key, "%q is not a GUID like 00000000-0000-0000-0000-000000000000", id.value)
		}
	}
}

// index formats a slice index for a key path.
func index(i int) string { return "[" + strconv.Itoa(i) + "]" }
