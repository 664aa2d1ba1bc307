package scaleout

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// ErrRefused marks a request the live cluster rules out; nothing was minted or written.
var ErrRefused = errors.New("refused")

// Check compares the request with the live cluster: the flavour the primary's config names,
// the control-plane endpoint, and the new addresses against those in use. It returns every
// problem at once, each wrapping ErrRefused.
func Check(req Request, f *Facts) error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrRefused}, args...)...))
	}
	network := req.Primary.Network
	if network == nil {
		network = &aksedge.Network{}
	}
	if p := network.NetworkPlugin; p != "" && !strings.EqualFold(p, aksedge.PluginOf(f.Flavour)) {
		add("Network.NetworkPlugin is %q but the cluster runs %s, which uses %q; "+
			"use the config of this cluster's primary", p, f.Flavour, aksedge.PluginOf(f.Flavour))
	}
	if req.ControlPlane && f.Flavour == cluster.K3s {
		add("--control-plane cannot be served on K3s: a bootstrap token joins agents only and a K3s " +
			"server join needs the server token, which the Kubernetes API does not give; run " +
			"New-AksEdgeScaleConfig -ControlPlane on the control-plane machine instead")
	}
	vip, _ := netip.ParseAddr(network.ControlPlaneEndpointIp)
	if vip.IsValid() && f.Endpoint.Addr.IsValid() && vip != f.Endpoint.Addr {
		add("Network.ControlPlaneEndpointIp %s is not this cluster's control-plane endpoint %s "+
			"(from the %s); is the primary config from another cluster?", vip, f.Endpoint.Addr, f.Endpoint.Source)
	}
	for _, ip := range req.addresses() {
		if msg := addressProblem(ip.addr, req, f, vip); msg != "" {
			add("%s %s %s", ip.flag, ip.addr, msg)
		}
	}
	if req.LinuxIP.IsValid() && req.LinuxIP == req.WindowsIP {
		add("--linux-ip and --windows-ip are both %s; each node needs its own address", req.LinuxIP)
	}
	return errors.Join(errs...)
}

type flagAddr struct {
	flag string
	addr netip.Addr
}

func (req Request) addresses() []flagAddr {
	var out []flagAddr
	if hasLinux(req.NodeType) && req.LinuxIP.IsValid() {
		out = append(out, flagAddr{"--linux-ip", req.LinuxIP})
	}
	if hasWindows(req.NodeType) && req.WindowsIP.IsValid() {
		out = append(out, flagAddr{"--windows-ip", req.WindowsIP})
	}
	return out
}

// addressProblem says why ip cannot be a new node's address, or "" when it can.
func addressProblem(ip netip.Addr, req Request, f *Facts, vip netip.Addr) string {
	for _, u := range f.Used {
		if u.Addr == ip {
			return "is already used by " + u.Owner + "; pick a free address"
		}
	}
	if ip == vip || ip == f.Endpoint.Addr {
		return "is the control-plane endpoint; pick a free address"
	}
	if first, last, ok := serviceRange(req.Primary); ok && first.Compare(ip) <= 0 && ip.Compare(last) <= 0 {
		return fmt.Sprintf("is inside the LoadBalancer service range %s-%s; pick an address outside it", first, last)
	}
	return ""
}

// serviceRange returns the first and last LoadBalancer address of the primary's Init block.
func serviceRange(c *aksedge.Config) (first, last netip.Addr, ok bool) {
	if c.Init == nil || c.Init.ServiceIPRangeSize == nil || *c.Init.ServiceIPRangeSize <= 0 {
		return first, last, false
	}
	first, err := netip.ParseAddr(c.Init.ServiceIPRangeStart)
	if err != nil {
		return first, last, false
	}
	last = first
	for i := 1; i < *c.Init.ServiceIPRangeSize && last.Next().IsValid(); i++ {
		last = last.Next()
	}
	return first, last, true
}
