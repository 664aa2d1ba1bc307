package verify

import (
	"fmt"
	"net/netip"
	"net/url"
	"sort"

	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// clusterFlavour returns the flavour most nodes run, "" without nodes.
func clusterFlavour(s *State) cluster.Flavour {
	counts := flavourCounts(s)
	if counts[cluster.K3s] == 0 && counts[cluster.K8s] == 0 {
		return ""
	}
	if counts[cluster.K3s] >= counts[cluster.K8s] {
		return cluster.K3s
	}
	return cluster.K8s
}

func flavourCounts(s *State) map[cluster.Flavour]int {
	counts := map[cluster.Flavour]int{}
	for i := range s.Nodes {
		counts[cluster.FlavourOfVersion(s.Nodes[i].Status.NodeInfo.KubeletVersion)]++
	}
	return counts
}

// checkFlavour fails when nodes run both K3s and K8s, which AKS EE never mixes.
func checkFlavour(s *State) []Result {
	if len(s.Nodes) == 0 {
		return []Result{fail(CheckFlavour, "cluster", "the cluster has no nodes")}
	}
	byFlavour := map[cluster.Flavour][]string{}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		f := cluster.FlavourOfVersion(n.Status.NodeInfo.KubeletVersion)
		byFlavour[f] = append(byFlavour[f], n.Name)
	}
	if len(byFlavour) == 1 {
		for f, names := range byFlavour {
			return []Result{pass(CheckFlavour, "cluster", fmt.Sprintf("%s on all %d nodes", f, len(names)))}
		}
	}
	k3s, k8s := byFlavour[cluster.K3s], byFlavour[cluster.K8s]
	sort.Strings(k3s)
	sort.Strings(k8s)
	return []Result{fail(CheckFlavour, "cluster", fmt.Sprintf("nodes run both k3s (%s) and k8s "+
		"(%s); AKS EE cannot mix them: remove the machines of the wrong flavour and redeploy them "+
		"with the cluster's MSI", joinNames(k3s), joinNames(k8s)))}
}

// checkControlPlane checks /readyz, the endpoint against the VIP and the control-plane count.
func checkControlPlane(s *State, e Expectations) []Result {
	var out []Result
	if s.ReadyzErr != nil {
		out = append(out, fail(CheckReadyz, "apiserver", "/readyz: "+s.ReadyzErr.Error()+
			"; check the control-plane nodes and their kube-apiserver"))
	} else {
		out = append(out, pass(CheckReadyz, "apiserver", "/readyz ok"))
	}
	if e.VIP.IsValid() {
		out = append(out, checkEndpoint(s.Endpoint, e.VIP))
	}
	return append(out, checkControlPlaneCount(s))
}

// checkEndpoint compares the kubeconfig server with the configured VIP. A name or a loopback
// address (a tunnel, a port-forward) cannot be compared and is a warning.
func checkEndpoint(endpoint string, vip netip.Addr) Result {
	obj := "endpoint"
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return fail(CheckEndpoint, obj, fmt.Sprintf("cannot read the API server URL %q", endpoint))
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return warn(CheckEndpoint, obj, fmt.Sprintf("the kubeconfig names %s, not an address; "+
			"cannot compare it with the VIP %s", host, vip))
	case ip == vip:
		return pass(CheckEndpoint, obj, "the kubeconfig server is the VIP "+vip.String())
	case ip.IsLoopback():
		return warn(CheckEndpoint, obj, fmt.Sprintf("the API server is reached through %s "+
			"(a tunnel?); cannot compare it with the VIP %s", host, vip))
	}
	return fail(CheckEndpoint, obj, fmt.Sprintf("the kubeconfig server is %s, but the configured "+
		"VIP (Network.ControlPlaneEndpointIp) is %s; use the primary's kubeconfig, or fix the "+
		"config file", host, vip))
}

// checkControlPlaneCount wants an odd number of control-plane nodes, so etcd keeps quorum.
func checkControlPlaneCount(s *State) Result {
	var names []string
	for i := range s.Nodes {
		if isControlPlane(&s.Nodes[i]) {
			names = append(names, s.Nodes[i].Name)
		}
	}
	sort.Strings(names)
	obj := "control-plane"
	n := len(names)
	switch {
	case n == 0:
		return warn(CheckControlPlane, obj, "no node is labelled as a control plane; "+
			"a managed control plane cannot be counted")
	case n%2 == 0:
		return fail(CheckControlPlane, obj, fmt.Sprintf("%d control-plane nodes (%s); etcd needs "+
			"an odd number (1, 3 or 5) to keep quorum: add or remove one control-plane machine",
			n, joinNames(names)))
	}
	return pass(CheckControlPlane, obj, fmt.Sprintf("%d control-plane %s (%s)", n,
		plural(n, "node", "nodes"), joinNames(names)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
