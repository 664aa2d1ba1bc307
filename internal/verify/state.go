package verify

import (
	"net/netip"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// State is what verify read from the cluster. The checks only read it.
type State struct {
	// ServerVersion is the API server's gitVersion, "" when unknown.
	ServerVersion string
	// ReadyzErr is nil when /readyz answered ok.
	ReadyzErr error
	// Endpoint is the URL of the API server verify talked to (the kubeconfig server).
	Endpoint string
	Nodes    []corev1.Node
	// SystemPods are the pods of kube-system.
	SystemPods []corev1.Pod
	// CalicoPods are calico-node pods outside kube-system (found by label).
	CalicoPods []corev1.Pod
	// AksEdgeNamespace tells whether namespace aksedge exists; AksEdgeConfigMap is its
	// ConfigMap aksedge, nil when missing.
	AksEdgeNamespace bool
	AksEdgeConfigMap *corev1.ConfigMap
}

// Well-known names verify looks for.
const (
	SystemNamespace  = "kube-system"
	AksEdgeNamespace = "aksedge"
	AksEdgeConfigMap = "aksedge"
	// ClusterNameKey is the ConfigMap key holding the cluster id (inferred from AKS EE).
	ClusterNameKey = "clustername"
	// CalicoSelector finds calico-node pods in any namespace.
	CalicoSelector = "k8s-app=calico-node"
	// CoreDNSLabel is the label value kubeadm and K3s both give the coredns pods.
	coreDNSLabel = "kube-dns"
	// kubeVIPPrefix names the pods of the kube-vip DaemonSet (kube-vip-ds-*) that hold the VIP.
	kubeVIPPrefix = "kube-vip-ds-"
	// cloudProviderPrefix names the pods of kube-vip-cloud-provider.
	cloudProviderPrefix = "kube-vip-cloud-provider"
	osLabel             = "kubernetes.io/os"
)

var controlPlaneLabels = []string{
	"node-role.kubernetes.io/control-plane",
	"node-role.kubernetes.io/master",
}

func nodeObject(name string) string { return "node/" + name }

func podObject(p *corev1.Pod) string { return "pod/" + p.Namespace + "/" + p.Name }

// internalIP returns the node's first InternalIP address.
func internalIP(n *corev1.Node) (netip.Addr, bool) {
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		if ip, err := netip.ParseAddr(a.Address); err == nil {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

func isControlPlane(n *corev1.Node) bool {
	for _, l := range controlPlaneLabels {
		if _, ok := n.Labels[l]; ok {
			return true
		}
	}
	return false
}

func nodeCondition(n *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == t {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	c := nodeCondition(n, corev1.NodeReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podProblem says in a few words why a pod is not ready: a waiting reason such as
// CrashLoopBackOff with its restart count, or the phase.
func podProblem(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "is terminating"
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Waiting != nil && cs.State.Waiting.Reason != "" {
			return "container " + cs.Name + " is in " + cs.State.Waiting.Reason +
				restartsText(cs.RestartCount)
		}
		if cs.State.Terminated != nil {
			return "container " + cs.Name + " terminated (" + cs.State.Terminated.Reason + ")" +
				restartsText(cs.RestartCount)
		}
	}
	if p.Status.Phase != corev1.PodRunning {
		msg := "is " + string(p.Status.Phase)
		if p.Status.Phase == "" {
			msg = "has no status yet"
		}
		if p.Status.Reason != "" {
			msg += " (" + p.Status.Reason + ")"
		}
		return msg
	}
	return "is Running but not Ready"
}

func restartsText(n int32) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " after 1 restart"
	}
	return " after " + strconv.Itoa(int(n)) + " restarts"
}

// joinNames lists names for a message, shortening long lists.
func joinNames(names []string) string {
	const max = 5
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + " and " + strconv.Itoa(len(names)-max) + " more"
}
