package verify

import (
	"fmt"
	"net/netip"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// AddConfig adds what an AKS EE deployment or scale config file says about the cluster: each
// machine's Linux and Windows node by IP, the control-plane VIP and the cluster id. name is
// the file name used in messages.
func (e *Expectations) AddConfig(name string, c *aksedge.Config) error {
	for i, m := range c.Machines {
		if m.LinuxNode != nil && m.LinuxNode.Ip4Address != "" {
			field := fmt.Sprintf("Machines[%d].LinuxNode.Ip4Address", i)
			if err := e.addNodeIP(name, field, m.LinuxNode.Ip4Address, Linux); err != nil {
				return err
			}
		}
		if m.WindowsNode != nil && m.WindowsNode.Ip4Address != "" {
			field := fmt.Sprintf("Machines[%d].WindowsNode.Ip4Address", i)
			if err := e.addNodeIP(name, field, m.WindowsNode.Ip4Address, Windows); err != nil {
				return err
			}
		}
	}
	if c.Network != nil && c.Network.ControlPlaneEndpointIp != "" {
		vip, err := parseIPv4(name, "Network.ControlPlaneEndpointIp", c.Network.ControlPlaneEndpointIp)
		if err != nil {
			return err
		}
		if e.VIP.IsValid() && e.VIP != vip {
			return fmt.Errorf("%s: Network.ControlPlaneEndpointIp %s differs from %s in another file",
				name, vip, e.VIP)
		}
		e.VIP = vip
	}
	if c.Join != nil && c.Join.ClusterId != "" {
		if e.ClusterID != "" && e.ClusterID != c.Join.ClusterId {
			return fmt.Errorf("%s: Join.ClusterId %q differs from %q in another file",
				name, c.Join.ClusterId, e.ClusterID)
		}
		e.ClusterID = c.Join.ClusterId
	}
	return nil
}

func (e *Expectations) addNodeIP(file, field, value, os string) error {
	ip, err := parseIPv4(file, field, value)
	if err != nil {
		return err
	}
	e.Nodes = append(e.Nodes, ExpectedNode{IP: ip, OS: os, Source: file + ": " + field})
	return nil
}

func parseIPv4(file, field, value string) (netip.Addr, error) {
	ip, err := netip.ParseAddr(value)
	if err != nil || !ip.Is4() {
		return netip.Addr{}, fmt.Errorf("%s: %s %q is not an IPv4 address", file, field, value)
	}
	return ip, nil
}
