package aksedge

import (
	"fmt"
	"slices"
	"strings"
)

// crossCheck applies the rules of one cluster to the ScalableCluster files among checked:
// the primary (the new-cluster file) or, without one, the first file is the reference.
func crossCheck(checked []*fileCheck) []Finding {
	var files []*fileCheck
	for _, fc := range checked {
		if fc.scalable() {
			files = append(files, fc)
		}
	}
	if len(files) < 2 {
		return nil
	}
	x := &crossChecker{files: files, ref: files[0]}
	for _, fc := range files {
		if !fc.join {
			x.ref = fc
			break
		}
	}
	x.run()
	return x.findings
}

// crossChecker holds the files of one cluster and what it found across them.
type crossChecker struct {
	files    []*fileCheck
	ref      *fileCheck
	findings []Finding
}

func (x *crossChecker) errorf(fc *fileCheck, path, format string, args ...any) {
	x.findings = append(x.findings, Finding{File: fc.name, Path: path, Severity: SeverityError,
		Message: fmt.Sprintf(format, args...)})
}

func (x *crossChecker) warnf(fc *fileCheck, path, format string, args ...any) {
	x.findings = append(x.findings, Finding{File: fc.name, Path: path, Severity: SeverityWarning,
		Message: fmt.Sprintf(format, args...)})
}

func (x *crossChecker) run() {
	x.checkPrimaries()
	for _, fc := range x.files {
		if fc != x.ref {
			x.checkSameCluster(fc)
		}
	}
	x.checkAddresses()
	x.checkCounts()
}

// checkPrimaries reports a second new-cluster file: a cluster has one primary.
func (x *crossChecker) checkPrimaries() {
	for _, fc := range x.files {
		if !fc.join && fc != x.ref {
			x.errorf(fc, "", "a second new-cluster file (the first is %s); a cluster has one "+
				"primary, and other machines join it with a file from kubectl aksee scale-config",
				x.ref.name)
		}
	}
}

// checkSameCluster compares a file with the reference: one flavour, one cluster id, the
// network section unchanged, a schema of the same release, an adapter set for the machine.
func (x *crossChecker) checkSameCluster(fc *fileCheck) {
	ref := x.ref
	if fc.flavour != "" && ref.flavour != "" && fc.flavour != ref.flavour {
		x.errorf(fc, flavourPath(fc), "a %s file, but %s is %s; K3s and K8s never mix in one "+
			"cluster, so generate the file from the same cluster", fc.flavour.title(), ref.name,
			ref.flavour.title())
	}
	if fc.join && ref.join && fc.c.Join.ClusterId != "" && ref.c.Join.ClusterId != "" &&
		fc.c.Join.ClusterId != ref.c.Join.ClusterId {
		x.errorf(fc, "Join.ClusterId", "%q, but %s joins %q; the files join different clusters",
			fc.c.Join.ClusterId, ref.name, ref.c.Join.ClusterId)
	}
	x.compareNetwork(fc)
	if v := fc.c.SchemaVersion; v != "" && ref.c.SchemaVersion != "" && v != ref.c.SchemaVersion {
		x.warnf(fc, "SchemaVersion", "%q, but %s has %q; machines of one cluster run the same "+
			"AKS EE release, so copy the primary's schema version", fc.c.SchemaVersion, ref.name,
			ref.c.SchemaVersion)
	}
	x.compareAdapter(fc)
}

func flavourPath(fc *fileCheck) string {
	if fc.c.Join.Flavour() != "" {
		return "Join.ClusterJoinToken"
	}
	return "Network.NetworkPlugin"
}

// compareNetwork reports keys of the Network section that differ from the reference's.
func (x *crossChecker) compareNetwork(fc *fileCheck) {
	a, b := fc.c.Network, x.ref.c.Network
	if a == nil || b == nil {
		return
	}
	pairs := []struct{ key, got, want string }{
		{"ControlPlaneEndpointIp", a.ControlPlaneEndpointIp, b.ControlPlaneEndpointIp},
		{"Ip4GatewayAddress", a.Ip4GatewayAddress, b.Ip4GatewayAddress},
		{"Ip4PrefixLength", fmt.Sprint(deref(a.Ip4PrefixLength, DefaultPrefixLength)),
			fmt.Sprint(deref(b.Ip4PrefixLength, DefaultPrefixLength))},
		{"DnsServers", strings.Join(a.DnsServers, ","), strings.Join(b.DnsServers, ",")},
	}
	for _, p := range pairs {
		if p.got != p.want {
			x.errorf(fc, "Network."+p.key, "%s differs from %s's %s; every machine of a cluster "+
				"carries the primary's Network section unchanged", orNone(p.got), x.ref.name, orNone(p.want))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// compareAdapter warns when a join file kept the primary's adapter name: New-AksEdgeScaleConfig
// copies it, but the adapter belongs to the primary machine.
func (x *crossChecker) compareAdapter(fc *fileCheck) {
	if !fc.join || x.ref.join {
		return
	}
	refName := adapterOf(x.ref.c)
	for i, m := range fc.c.Machines {
		nc := m.NetworkConnection
		if nc != nil && refName != "" && strings.EqualFold(nc.AdapterName, refName) {
			x.warnf(fc, fmt.Sprintf("Machines[%d].NetworkConnection.AdapterName", i), "%q is the "+
				"primary's adapter, copied by the scale config; check the name on this machine "+
				"(Get-NetAdapter -Physical) and set it", nc.AdapterName)
		}
	}
}

func adapterOf(c *Config) string {
	if len(c.Machines) == 0 || c.Machines[0].NetworkConnection == nil {
		return ""
	}
	return c.Machines[0].NetworkConnection.AdapterName
}

// checkAddresses reports node addresses and MAC addresses used twice across files, and node
// addresses inside another file's service range or equal to its endpoint.
func (x *crossChecker) checkAddresses() {
	type owner struct {
		fc   *fileCheck
		path string
	}
	seen := make(map[string]owner)
	macs := make(map[string]owner)
	for _, fc := range x.files {
		for _, n := range fc.nodes {
			if first, dup := seen[n.addr.String()]; dup && first.fc != fc {
				x.errorf(fc, n.path, "%s is also given by %s (%s); every node needs its own "+
					"address%s", n.addr, first.fc.name, first.path, freeHint(fc))
			} else if !dup {
				seen[n.addr.String()] = owner{fc, n.path}
			}
			x.checkAgainstOthers(fc, n)
		}
		fileMACs := macsOf(fc.c)
		for _, path := range sortedKeys(fileMACs) {
			mac := fileMACs[path]
			key := strings.ToLower(strings.ReplaceAll(mac, "-", ":"))
			if first, dup := macs[key]; dup {
				x.errorf(fc, path, "%s is also given by %s (%s); a copied MAC address must not "+
					"be reused, so remove it and let Hyper-V assign one", mac, first.fc.name, first.path)
			} else {
				macs[key] = owner{fc, path}
			}
		}
	}
}

// checkAgainstOthers reports a node address that another file reserves for the endpoint or
// the service range, once per reserved address or range.
func (x *crossChecker) checkAgainstOthers(fc *fileCheck, n nodeAddr) {
	reported := make(map[string]bool)
	for _, other := range x.files {
		if other == fc {
			continue
		}
		var what string
		switch {
		case other.vip.IsValid() && other.vip != fc.vip && n.addr == other.vip:
			what = "the control-plane endpoint"
		case other.svc.contains(n.addr) && !fc.svc.contains(n.addr):
			what = "inside the service IP range " + other.svc.String()
		}
		if what != "" && !reported[what] {
			reported[what] = true
			x.errorf(fc, n.path, "%s is %s of %s%s", n.addr, what, other.name, freeHint(fc))
		}
	}
}

func freeHint(fc *fileCheck) string {
	if fc.subnet.IsValid() {
		return "; pick a free address in " + fc.subnet.String()
	}
	return ""
}

// macsOf returns the MAC addresses a file gives, by key path.
func macsOf(c *Config) map[string]string {
	out := make(map[string]string)
	for i, m := range c.Machines {
		if m.LinuxNode != nil && m.LinuxNode.MacAddress != "" {
			out[fmt.Sprintf("Machines[%d].LinuxNode.MacAddress", i)] = m.LinuxNode.MacAddress
		}
		if m.WindowsNode != nil && m.WindowsNode.MacAddress != "" {
			out[fmt.Sprintf("Machines[%d].WindowsNode.MacAddress", i)] = m.WindowsNode.MacAddress
		}
	}
	return out
}

// checkCounts reports more machines or control planes than AKS EE supports. The count of
// control planes is only complete, and only checked for parity, when the primary is among
// the files.
func (x *crossChecker) checkCounts() {
	machines, planes := 0, 0
	reported := false
	for _, fc := range x.files {
		machines += len(fc.c.Machines)
		if machines > MaxMachines && !reported {
			x.errorf(fc, "Machines", "brings the cluster to %d machines; AKS EE supports at most %d",
				machines, MaxMachines)
			reported = true
		}
		if fc == x.ref && !fc.join || fc.join && fc.controlPlane() {
			planes++ // the primary and the control-plane joins; a second primary is an error already
		}
	}
	last := x.files[len(x.files)-1]
	switch {
	case planes > MaxControlPlanes:
		x.errorf(last, "Machines", "the files add up to %d control planes; AKS EE supports 1, 3 or 5",
			planes)
	case !x.ref.join && planes%2 == 0:
		x.warnf(last, "Machines", "the files add up to %d control planes; etcd keeps quorum with "+
			"an odd number, so plan for %d", planes, planes+1)
	}
}

// sortedKeys returns the keys of m in order, so findings come out the same every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
