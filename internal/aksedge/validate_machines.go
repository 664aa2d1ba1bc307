package aksedge

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

var (
	// macAddress is the MAC notation AKS EE accepts, with ':' or '-' between the octets.
	macAddress = regexp.MustCompile(`^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$`)
	// wifiName matches adapter names that look like wireless ones, on which AKS EE cannot
	// create its external switch by itself.
	wifiName = regexp.MustCompile(`(?i)wi-?fi|wireless|wlan|802\.11`)
)

// checkMachines checks the Machines array: one machine per file, its adapter and its nodes.
func (fc *fileCheck) checkMachines() {
	switch n := len(fc.c.Machines); {
	case n == 0:
		fc.errorf("Machines", "empty; add the machine this file deploys, with its LinuxNode "+
			"and, if wanted, WindowsNode")
	case n > 1:
		fc.errorf("Machines", "holds %d machines; an AKS EE file deploys the one machine it runs "+
			"on, so write one file per machine", n)
	}
	for i := range fc.c.Machines {
		fc.checkMachine(fmt.Sprintf("Machines[%d]", i), &fc.c.Machines[i])
	}
}

func (fc *fileCheck) checkMachine(path string, m *Machine) {
	fc.checkAdapter(path+".NetworkConnection", m.NetworkConnection)
	switch {
	case m.LinuxNode == nil && m.WindowsNode == nil:
		fc.errorf(path, "no LinuxNode or WindowsNode; add the nodes this machine runs")
	case m.LinuxNode == nil && !fc.join:
		fc.errorf(path+".LinuxNode", "missing; the first machine of a cluster runs the control "+
			"plane on its Linux node, so add a LinuxNode")
	}
	if m.LinuxNode != nil {
		fc.checkLinux(path+".LinuxNode", m.LinuxNode)
	}
	if m.WindowsNode != nil {
		fc.checkWindows(path+".WindowsNode", m.WindowsNode)
	}
}

func (fc *fileCheck) checkAdapter(path string, nc *NetworkConnection) {
	if nc == nil || nc.AdapterName == "" {
		if fc.scalable() {
			fc.required(path+".AdapterName", "the physical adapter of this machine for the "+
				"external switch (Get-NetAdapter -Physical), e.g. Ethernet")
		}
		return
	}
	if wifiName.MatchString(nc.AdapterName) {
		fc.warnf(path+".AdapterName", "%q looks like a Wi-Fi adapter; AKS EE cannot create its "+
			"external switch on one, so create the switch in Hyper-V Manager first or use a "+
			"wired adapter", nc.AdapterName)
	}
	if mtu := deref(nc.Mtu, 0); mtu < 0 {
		fc.errorf(path+".Mtu", "%d is negative; use 0 for the adapter's own MTU", mtu)
	}
}

func (fc *fileCheck) checkLinux(path string, n *LinuxNode) {
	fc.checkSize(path, deref(n.CpuCount, DefaultLinuxCPU), deref(n.MemoryInMB, DefaultLinuxMemoryMB))
	if v := deref(n.DataSizeInGB, DefaultLinuxDataGB); v < 1 {
		fc.errorf(path+".DataSizeInGB", "%d is too small; use at least 1 (AKS EE's default is %d)",
			v, DefaultLinuxDataGB)
	}
	if v := deref(n.LogSizeInGB, DefaultLinuxLogGB); v < 1 || v > MaxLogSizeGB {
		fc.errorf(path+".LogSizeInGB", "%d is out of range; use 1 to %d", v, MaxLogSizeGB)
	}
	fc.checkTimeout(path, n.TimeoutSeconds)
	fc.checkMAC(path, n.MacAddress)
	fc.checkNodeIP(path, n.Ip4Address, "Linux node")
	for i := range n.SecondaryNetworks {
		fc.checkSecondary(fmt.Sprintf("%s.SecondaryNetworks[%d]", path, i), &n.SecondaryNetworks[i])
	}
}

func (fc *fileCheck) checkWindows(path string, n *WindowsNode) {
	fc.checkSize(path, deref(n.CpuCount, DefaultWindowsCPU), deref(n.MemoryInMB, DefaultWindowsMemoryMB))
	fc.checkTimeout(path, n.TimeoutSeconds)
	fc.checkMAC(path, n.MacAddress)
	fc.checkNodeIP(path, n.Ip4Address, "Windows node")
	for _, key := range n.Extra.Unknown() {
		if strings.EqualFold(key, "ControlPlane") {
			fc.errorf(path+"."+key, "a Windows node cannot be a control plane; remove the key "+
				"and set LinuxNode.ControlPlane for a control-plane join")
		}
	}
}

func (fc *fileCheck) checkSize(path string, cpu, memory int) {
	if cpu < MinCPU {
		fc.errorf(path+".CpuCount", "%d is too few; a node needs at least %d CPUs", cpu, MinCPU)
	}
	switch {
	case memory < MinMemoryMB:
		fc.errorf(path+".MemoryInMB", "%d is too little; a node needs at least %d MB", memory, MinMemoryMB)
	case memory%2 != 0:
		fc.errorf(path+".MemoryInMB", "%d is odd; Hyper-V needs an even number of MB, e.g. %d",
			memory, memory+1)
	}
}

func (fc *fileCheck) checkTimeout(path string, timeout *int) {
	if timeout != nil && *timeout <= 0 {
		fc.errorf(path+".TimeoutSeconds", "%d is not a positive number of seconds; leave it out "+
			"for AKS EE's default", *timeout)
	}
}

func (fc *fileCheck) checkMAC(path, mac string) {
	if mac != "" && !macAddress.MatchString(mac) {
		fc.errorf(path+".MacAddress", "%q is not a MAC address like 00-15-5D-00-00-01", mac)
	}
}

// checkNodeIP checks a node address against the subnet, the endpoint, the gateway, the
// cluster networks and the other node of the machine.
func (fc *fileCheck) checkNodeIP(nodePath, s, what string) {
	path := nodePath + ".Ip4Address"
	if s == "" {
		if fc.scalable() {
			fc.required(path, fmt.Sprintf("the static address of the %s, a free address in the "+
				"nodes' subnet", what))
		}
		return
	}
	a, ok := fc.ipv4(path, s)
	if !ok {
		return
	}
	if fc.notInClusterNetworks(path, a) {
		fc.nodeConflicts(path, a)
	}
	fc.nodes = append(fc.nodes, nodeAddr{path: path, addr: a, what: what})
}

// nodeConflicts reports a node address that another role of the same file already holds.
func (fc *fileCheck) nodeConflicts(path string, a netip.Addr) {
	if !fc.inSubnet(path, a) {
		return
	}
	fc.hostAddress(path, a)
	switch {
	case a == fc.vip:
		fc.errorf(path, "%s is the control-plane endpoint; pick a free address in %s", a, fc.subnet)
	case a == fc.gateway:
		fc.errorf(path, "%s is the gateway; pick a free address in %s", a, fc.subnet)
	case fc.svc.contains(a):
		fc.errorf(path, "%s is inside the service IP range %s (Init); pick a free address "+
			"outside it", a, fc.svc)
	}
	for _, other := range fc.nodes {
		if other.addr == a && other.path != path {
			fc.errorf(path, "%s is also the address of %s; every node needs its own address", a, other.path)
		}
	}
}

// checkSecondary checks a secondary network: a switch name and all or none of the
// static address keys.
func (fc *fileCheck) checkSecondary(path string, sn *SecondaryNetwork) {
	if sn.VMSwitchName == "" {
		fc.errorf(path+".VMSwitchName", "missing; name the Hyper-V switch of the secondary network")
	}
	given := map[string]bool{
		"Ip4Address":        sn.Ip4Address != "",
		"Ip4GatewayAddress": sn.Ip4GatewayAddress != "",
		"Ip4PrefixLength":   sn.Ip4PrefixLength != nil,
	}
	var have, missing []string
	for _, key := range []string{"Ip4Address", "Ip4GatewayAddress", "Ip4PrefixLength"} {
		if given[key] {
			have = append(have, key)
		} else {
			missing = append(missing, key)
		}
	}
	if len(have) > 0 && len(missing) > 0 {
		fc.errorf(path, "gives %s but not %s; give all of Ip4Address, Ip4GatewayAddress and "+
			"Ip4PrefixLength for a static address, or none for DHCP",
			strings.Join(have, ", "), strings.Join(missing, ", "))
	}
	fc.checkSecondaryAddresses(path, sn)
}

func (fc *fileCheck) checkSecondaryAddresses(path string, sn *SecondaryNetwork) {
	addr, addrOK := fc.ipv4(path+".Ip4Address", sn.Ip4Address)
	gw, gwOK := fc.ipv4(path+".Ip4GatewayAddress", sn.Ip4GatewayAddress)
	prefix := deref(sn.Ip4PrefixLength, 0)
	if sn.Ip4PrefixLength != nil && (prefix < 1 || prefix > 31) {
		fc.errorf(path+".Ip4PrefixLength", "%d is out of range; use 1 to 31", prefix)
		return
	}
	if addrOK {
		fc.notInClusterNetworks(path+".Ip4Address", addr)
	}
	if addrOK && gwOK && sn.Ip4PrefixLength != nil {
		if sub := netip.PrefixFrom(gw, prefix).Masked(); !sub.Contains(addr) {
			fc.errorf(path+".Ip4Address", "%s is outside %s, the subnet of this secondary network's "+
				"gateway; pick an address in %s", addr, sub, sub)
		}
	}
}
