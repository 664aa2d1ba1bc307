package aksedge

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Validate runs the offline half of Test-AksEdgeNetworkParameters on each file and, across
// ScalableCluster files, the rules of one cluster (no address used twice, one flavour, one
// network section, machine and control-plane counts). The files are taken to be one cluster:
// a primary's aksedge-config.json and the join files of the machines added to it. Findings
// come in file order, then key order; a nil Config is skipped.
func Validate(files ...File) []Finding {
	var findings []Finding
	checked := make([]*fileCheck, 0, len(files))
	for i, f := range files {
		if f.Config == nil {
			continue
		}
		fc := &fileCheck{name: f.Name, index: i, c: f.Config}
		fc.run()
		findings = append(findings, fc.findings...)
		checked = append(checked, fc)
	}
	findings = append(findings, crossCheck(checked)...)
	order := make(map[string]int, len(files))
	for i, f := range files {
		if _, seen := order[f.Name]; !seen {
			order[f.Name] = i
		}
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Compare(order[a.File], order[b.File])
	})
	return findings
}

// fileCheck validates one file and keeps what the cross-file rules need.
type fileCheck struct {
	name     string
	index    int
	c        *Config
	findings []Finding

	join    bool
	flavour Flavour
	subnet  netip.Prefix // valid when the gateway and prefix length are
	vip     netip.Addr
	gateway netip.Addr
	svc     addrRange // the service IP range; zero when none
	nodes   []nodeAddr
}

// nodeAddr is a node address and the key that gives it.
type nodeAddr struct {
	path string
	addr netip.Addr
	what string // "Linux node", "Windows node"
}

// addrRange is an inclusive range of IPv4 addresses.
type addrRange struct {
	first, last netip.Addr
}

func (r addrRange) valid() bool { return r.first.IsValid() }

func (r addrRange) contains(a netip.Addr) bool {
	return r.valid() && r.first.Compare(a) <= 0 && a.Compare(r.last) <= 0
}

func (r addrRange) overlaps(p netip.Prefix) bool {
	return r.valid() && r.first.Compare(lastOf(p)) <= 0 && p.Masked().Addr().Compare(r.last) <= 0
}

func (r addrRange) String() string { return r.first.String() + "-" + r.last.String() }

func (fc *fileCheck) errorf(path, format string, args ...any) {
	fc.add(path, SeverityError, format, args...)
}

func (fc *fileCheck) warnf(path, format string, args ...any) {
	fc.add(path, SeverityWarning, format, args...)
}

func (fc *fileCheck) add(path, severity, format string, args ...any) {
	fc.findings = append(fc.findings, Finding{
		File: fc.name, Path: path, Severity: severity, Message: fmt.Sprintf(format, args...),
	})
}

func (fc *fileCheck) run() {
	fc.join = fc.c.IsJoin()
	fc.flavour = fc.c.Flavour()
	fc.checkTop()
	if fc.join {
		fc.checkJoin()
	}
	fc.checkNetwork()
	fc.checkInit()
	fc.checkMachines()
	fc.checkUserAndArc()
}

// scalable reports whether the file deploys a ScalableCluster.
func (fc *fileCheck) scalable() bool {
	return strings.EqualFold(fc.c.DeploymentType, ScalableCluster)
}

// kindName names the kind of file in messages.
func (fc *fileCheck) kindName() string {
	if fc.join {
		return "a join file"
	}
	return "a new " + CanonicalDeploymentType(fc.c.DeploymentType)
}

func (fc *fileCheck) checkTop() {
	c := fc.c
	switch {
	case c.SchemaVersion == "":
		fc.errorf("SchemaVersion", "missing; copy it from the primary's aksedge-config.json "+
			"(the installed AKS EE release decides it, e.g. %q)", LatestSchemaVersion)
	case !validSchema(c.SchemaVersion):
		fc.errorf("SchemaVersion", "%q is not a schema version like %q", c.SchemaVersion,
			LatestSchemaVersion)
	}
	if c.Version == "" {
		fc.errorf("Version", `missing; AKS EE files give "1.0"`)
	}
	switch {
	case c.DeploymentType == "":
		fc.errorf("DeploymentType", "missing; use %s or %s", ScalableCluster, SingleMachineCluster)
	case CanonicalDeploymentType(c.DeploymentType) == "":
		fc.errorf("DeploymentType", "%q is not %s or %s", c.DeploymentType, ScalableCluster,
			SingleMachineCluster)
	}
}

// validSchema reports whether v reads as "major.minor".
func validSchema(v string) bool {
	_, ok := parseSchema(v)
	return ok
}

// required reports a missing key of a ScalableCluster file.
func (fc *fileCheck) required(path, fix string) {
	fc.errorf(path, "missing; %s needs it: %s", fc.kindName(), fix)
}

// ipv4 parses an address key; it reports a malformed or IPv6 value and returns false for
// those and for an empty one.
func (fc *fileCheck) ipv4(path, s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		fc.errorf(path, "%q is not an IPv4 address", s)
		return netip.Addr{}, false
	case !a.Is4():
		fc.errorf(path, "%s is an IPv6 address; AKS EE supports IPv4 only", s)
		return netip.Addr{}, false
	}
	return a, true
}

// inSubnet reports an address outside the gateway's subnet.
func (fc *fileCheck) inSubnet(path string, a netip.Addr) bool {
	if !fc.subnet.IsValid() || fc.subnet.Contains(a) {
		return true
	}
	fc.errorf(path, "%s is outside %s, the subnet of Network.Ip4GatewayAddress and "+
		"Network.Ip4PrefixLength; pick a free address in %s", a, fc.subnet, fc.subnet)
	return false
}

// hostAddress reports an address that is the subnet's network or broadcast address.
func (fc *fileCheck) hostAddress(path string, a netip.Addr) {
	if !fc.subnet.IsValid() || fc.subnet.Bits() >= 31 {
		return
	}
	switch a {
	case fc.subnet.Addr():
		fc.errorf(path, "%s is the network address of %s; pick a host address in it", a, fc.subnet)
	case lastOf(fc.subnet):
		fc.errorf(path, "%s is the broadcast address of %s; pick a host address in it", a, fc.subnet)
	}
}

// notInClusterNetworks reports an address inside the pod or service network of the flavour,
// or of either flavour when the file does not tell which; it returns false when it did.
func (fc *fileCheck) notInClusterNetworks(path string, a netip.Addr) bool {
	for _, net := range fc.clusterNetworks() {
		if net.prefix.Contains(a) {
			fc.errorf(path, "%s is inside the %s %s network %s; pick an address outside %s",
				a, net.flavour.title(), net.what, net.prefix, fc.takenNetworks())
			return false
		}
	}
	return true
}

// clusterNetwork is a pod or service network of a flavour.
type clusterNetwork struct {
	flavour Flavour
	what    string
	prefix  netip.Prefix
}

func (fc *fileCheck) clusterNetworks() []clusterNetwork {
	flavours := []Flavour{fc.flavour}
	if fc.flavour == "" {
		flavours = []Flavour{K3s, K8s}
	}
	var out []clusterNetwork
	for _, f := range flavours {
		out = append(out, clusterNetwork{f, "pod", PodCIDR[f]}, clusterNetwork{f, "service", ServiceCIDR[f]})
	}
	return out
}

// takenNetworks lists the cluster networks for a message.
func (fc *fileCheck) takenNetworks() string {
	var s []string
	for _, n := range fc.clusterNetworks() {
		s = append(s, n.prefix.String())
	}
	return strings.Join(s, ", ")
}

// title is the flavour as the docs write it.
func (f Flavour) title() string { return strings.ToUpper(string(f[:1])) + string(f[1:]) }

// lastOf returns the last address of a prefix (its broadcast address).
func lastOf(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// addN returns a+n for an IPv4 address, and false when that passes 255.255.255.255.
func addN(a netip.Addr, n int) (netip.Addr, bool) {
	b := a.As4()
	v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	v += uint64(n)
	if v > 0xFFFFFFFF {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
