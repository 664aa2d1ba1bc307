package aksedge

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// This file holds the facts about AKS EE that the rest of the package builds on, so that a
// fact learnt later (or inferred wrongly now) changes in one place.

// Flavour is the Kubernetes distribution of an AKS EE cluster.
type Flavour string

// The two flavours AKS EE ships; they are never mixed in one cluster.
const (
	K3s Flavour = "k3s"
	K8s Flavour = "k8s"
)

// Schema versions this package knows. A loaded file keeps whatever version it gives; these
// only choose what "config new" writes.
const (
	// LatestSchemaVersion is the newest schema this package knows and the default of
	// "config new --schema-version".
	LatestSchemaVersion = "1.16"
	// kmsPluginSchema is the first schema with Init.KmsPlugin.
	kmsPluginSchema = "1.15"
	// logSizeSchema is the first schema with LinuxNode.LogSizeInGB.
	logSizeSchema = "1.9"
)

// Values AKS EE assumes for keys a file leaves out, and the limits it enforces.
const (
	DefaultPrefixLength      = 24
	DefaultLinuxCPU          = 4
	DefaultLinuxMemoryMB     = 4096
	DefaultLinuxDataGB       = 10
	DefaultLinuxLogGB        = 1
	DefaultLinuxTimeoutSec   = 300
	DefaultWindowsCPU        = 2
	DefaultWindowsMemoryMB   = 4096
	DefaultWindowsTimeoutSec = 900

	MinCPU           = 2
	MinMemoryMB      = 2048
	MaxServiceIPs    = 127
	MaxMachines      = 15
	MaxControlPlanes = 5
	MaxLogSizeGB     = 10
)

// PodCIDR is the pod network of each flavour; no machine address may fall inside it. The K8s
// docs give 10.244.0.0/24, but the range is treated as the whole /16 flannel-style block.
var PodCIDR = map[Flavour]netip.Prefix{
	K3s: netip.MustParsePrefix("10.42.0.0/16"),
	K8s: netip.MustParsePrefix("10.244.0.0/16"),
}

// ServiceCIDR is the cluster-IP service network of each flavour.
var ServiceCIDR = map[Flavour]netip.Prefix{
	K3s: netip.MustParsePrefix("10.43.0.0/16"),
	K8s: netip.MustParsePrefix("10.96.0.0/12"),
}

// PluginOf returns the network plugin a flavour requires.
func PluginOf(f Flavour) string {
	if f == K8s {
		return PluginCalico
	}
	return PluginFlannel
}

// FlavourOfPlugin returns the flavour a network plugin implies, or "" for another value.
func FlavourOfPlugin(plugin string) Flavour {
	switch strings.ToLower(plugin) {
	case PluginFlannel:
		return K3s
	case PluginCalico:
		return K8s
	}
	return ""
}

var (
	// k3sToken is K10<sha256 of the CA bundle, hex>::<credentials>; the credentials are
	// <id>.<secret> for a bootstrap token and server:<password> for the server token.
	k3sToken = regexp.MustCompile(`^K10[0-9a-f]{64}::(.+)$`)
	// bootstrapToken is a kubeadm bootstrap token, <id>.<secret>.
	bootstrapToken = regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`)
	// discoveryHash is the CA public-key pin of a K8s join.
	discoveryHash = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	// certificateKey is the kubeadm key that decrypts the uploaded control-plane certificates.
	certificateKey = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Flavour returns the flavour a join block implies: a K10… token means K3s; a
// DiscoveryTokenHash or an <id>.<secret> token means K8s. It returns "" when neither tells.
func (j *Join) Flavour() Flavour {
	switch {
	case j == nil:
		return ""
	case strings.HasPrefix(j.ClusterJoinToken.Reveal(), "K10"):
		return K3s
	case j.DiscoveryTokenHash != "", bootstrapToken.MatchString(j.ClusterJoinToken.Reveal()):
		return K8s
	}
	return ""
}

// IsJoin reports whether c joins an existing cluster: its Join block has a value. AKS EE's
// own new-cluster files carry a Join block of nulls, which does not count.
func (c *Config) IsJoin() bool {
	j := c.Join
	return j != nil && (j.ClusterJoinToken != "" || j.DiscoveryTokenHash != "" ||
		j.CertificateKey != "" || j.ClusterId != "")
}

// Flavour returns the flavour of the cluster c deploys or joins: from the join token for a
// join file, else from Network.NetworkPlugin. It returns "" when c does not tell.
func (c *Config) Flavour() Flavour {
	if f := c.Join.Flavour(); f != "" {
		return f
	}
	if c.Network != nil {
		return FlavourOfPlugin(c.Network.NetworkPlugin)
	}
	return ""
}

// schemaAtLeast compares dotted schema versions numerically ("1.9" < "1.15"). A version that
// does not parse counts as new, so unknown future schemas get every key.
func schemaAtLeast(version, minimum string) bool {
	v, ok := parseSchema(version)
	m, _ := parseSchema(minimum)
	if !ok {
		return true
	}
	for i := range 2 {
		if v[i] != m[i] {
			return v[i] > m[i]
		}
	}
	return true
}

// parseSchema splits "major.minor".
func parseSchema(version string) ([2]int, bool) {
	major, minor, ok := strings.Cut(version, ".")
	a, errA := strconv.Atoi(major)
	b, errB := strconv.Atoi(minor)
	return [2]int{a, b}, ok && errA == nil && errB == nil && a >= 0 && b >= 0
}
