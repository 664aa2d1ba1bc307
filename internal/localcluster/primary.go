package localcluster

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// Flavour is the Kubernetes distribution an AKS Edge Essentials cluster runs; the config
// model owns the type.
type Flavour = aksedge.Flavour

// The two flavours AKS Edge Essentials ships. K3s is the default.
const (
	K3s = aksedge.K3s
	K8s = aksedge.K8s
)

// ParseFlavour accepts "k3s" or "k8s" in any case.
func ParseFlavour(s string) (Flavour, error) {
	switch f := Flavour(strings.ToLower(s)); f {
	case K3s, K8s:
		return f, nil
	}
	return "", fmt.Errorf("flavour %q is not one of k3s, k8s", s)
}

// Seed values of the primary, those of the lab in Microsoft's scale-out article.
const (
	DefaultClusterName    = "aksee-lab"
	DefaultHostName       = "aksee-primary"
	DefaultNodeIP         = "10.10.75.51"
	DefaultVIP            = "10.10.75.50"
	DefaultServiceIPStart = "10.10.75.101"
	DefaultServiceIPSize  = 50
)

// Where the seeded cluster keeps what a client reads back:
//   - the cluster id: ConfigMap aksedge/aksedge, key "clustername";
//   - the control-plane VIP: DaemonSet kube-system/kube-vip-ds, container "kube-vip",
//     environment variable "address" (VIPEnv);
//   - the LoadBalancer range: ConfigMap kube-system/kubevip, key "range-global", written
//     "first-last" as kube-vip-cloud-provider reads it.
const (
	KubeVIPNamespace   = "kube-system"
	KubeVIPDaemonSet   = cluster.KubeVIPDaemonSet
	KubeVIPContainer   = "kube-vip"
	VIPEnv             = "address"
	KubeVIPConfigMap   = "kubevip"
	ServiceRangeKey    = "range-global"
	ClusterIDNamespace = cluster.AksEdgeNamespace
	ClusterIDConfigMap = cluster.AksEdgeConfigMap
	ClusterIDKey       = cluster.ClusterNameKey
)

// Primary describes the AKS Edge Essentials primary machine the local cluster is seeded as:
// its Linux node (HostName + "-ledge"), addresses, and the Kubernetes flavour and version.
type Primary struct {
	ClusterName    string
	HostName       string
	NodeName       string
	NodeIP         string
	VIP            string
	ServiceIPStart string
	ServiceIPSize  int
	Flavour        Flavour
	// KubeletVersion is the node's kubelet version: the API server's own version, with a
	// "+k3s1" suffix on K3s, so the cluster is self-consistent.
	KubeletVersion string
}

// NewPrimary returns the default primary for flavour f on an API server of kubeVersion
// (such as "v1.37.2").
func NewPrimary(f Flavour, kubeVersion string) Primary {
	base, _, _ := strings.Cut(kubeVersion, "+")
	kubelet := base
	if f == K3s {
		kubelet = base + "+k3s1"
	}
	return Primary{
		ClusterName:    DefaultClusterName,
		HostName:       DefaultHostName,
		NodeName:       DefaultHostName + "-ledge",
		NodeIP:         DefaultNodeIP,
		VIP:            DefaultVIP,
		ServiceIPStart: DefaultServiceIPStart,
		ServiceIPSize:  DefaultServiceIPSize,
		Flavour:        f,
		KubeletVersion: kubelet,
	}
}

// ServiceIPRange returns the LoadBalancer range as "first-last", or "" when the size is 0.
func (p Primary) ServiceIPRange() (string, error) {
	if p.ServiceIPSize <= 0 {
		return "", nil
	}
	first, err := netip.ParseAddr(p.ServiceIPStart)
	if err != nil || !first.Is4() {
		return "", fmt.Errorf("service IP range start %q is not an IPv4 address", p.ServiceIPStart)
	}
	last := first
	for range p.ServiceIPSize - 1 {
		last = last.Next()
		if !last.Is4() {
			return "", fmt.Errorf("service IP range %s+%d passes the end of IPv4", first, p.ServiceIPSize)
		}
	}
	return first.String() + "-" + last.String(), nil
}
