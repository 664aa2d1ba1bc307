package verify

import (
	"fmt"
	"net/netip"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// nodeIndex finds nodes by name and by InternalIP.
type nodeIndex struct {
	byName map[string]*corev1.Node
	byIP   map[netip.Addr]*corev1.Node
}

func indexNodes(nodes []corev1.Node) nodeIndex {
	idx := nodeIndex{byName: map[string]*corev1.Node{}, byIP: map[netip.Addr]*corev1.Node{}}
	for i := range nodes {
		n := &nodes[i]
		idx.byName[n.Name] = n
		if ip, ok := internalIP(n); ok {
			idx.byIP[ip] = n
		}
	}
	return idx
}

// checkExpected checks that every expected node is present with the configured InternalIP
// and OS. Readiness is the node-ready check's job.
func checkExpected(s *State, e Expectations) []Result {
	if len(e.Nodes) == 0 && e.Linux < 0 && e.Windows < 0 {
		return nil
	}
	idx := indexNodes(s.Nodes)
	var out []Result
	for _, want := range mergeExpected(e.Nodes) {
		out = append(out, checkExpectedNode(idx, want))
	}
	sortByObject(out)
	if e.Linux >= 0 {
		out = append(out, checkCount(s.Nodes, Linux, e.Linux))
	}
	if e.Windows >= 0 {
		out = append(out, checkCount(s.Nodes, Windows, e.Windows))
	}
	return out
}

func checkExpectedNode(idx nodeIndex, want ExpectedNode) Result {
	if want.Name == "" {
		return checkExpectedIP(idx, want)
	}
	obj := nodeObject(want.Name)
	n, ok := idx.byName[want.Name]
	if !ok {
		msg := "missing: no " + want.describe()
		if other, taken := idx.byIP[want.IP]; want.IP.IsValid() && taken {
			msg += "; node " + other.Name + " has that IP"
		}
		return fail(CheckExpectedNode, obj, msg+"; deploy the machine (kubectl aksee add-worker) "+
			"or check its hostname")
	}
	return checkExpectedMatch(n, want, obj)
}

func checkExpectedIP(idx nodeIndex, want ExpectedNode) Result {
	obj := "ip/" + want.IP.String()
	n, ok := idx.byIP[want.IP]
	if !ok {
		return fail(CheckExpectedNode, obj, "missing: no "+want.describe()+"; deploy the "+
			"machine (kubectl aksee add-worker) or correct the IP in the file")
	}
	return checkExpectedMatch(n, want, nodeObject(n.Name))
}

// checkExpectedMatch compares a found node with the expectation.
func checkExpectedMatch(n *corev1.Node, want ExpectedNode, obj string) Result {
	ip, hasIP := internalIP(n)
	detail := fmt.Sprintf("InternalIP %s, %s=%s", ip, osLabel, n.Labels[osLabel])
	if want.IP.IsValid() && (!hasIP || ip != want.IP) {
		got := "no InternalIP"
		if hasIP {
			got = "InternalIP " + ip.String()
		}
		return fail(CheckExpectedNode, obj, fmt.Sprintf("has %s, expected %s%s; fix the node "+
			"IP (Machines[].LinuxNode/WindowsNode.Ip4Address) on its machine and redeploy it",
			got, want.IP, sourceSuffix(want))).withDetail(detail)
	}
	if got := n.Labels[osLabel]; want.OS != "" && got != want.OS {
		return fail(CheckExpectedNode, obj, fmt.Sprintf("is %s=%s, expected a %s node%s",
			osLabel, got, osTitle(want.OS), sourceSuffix(want))).withDetail(detail)
	}
	if nameOS := osOfName(n.Name); want.OS != "" && nameOS != "" && nameOS != want.OS {
		return fail(CheckExpectedNode, obj, fmt.Sprintf("is named as a %s node, expected a %s "+
			"node%s", osTitle(nameOS), osTitle(want.OS), sourceSuffix(want))).withDetail(detail)
	}
	return pass(CheckExpectedNode, obj, "present as expected").withDetail(detail)
}

func sourceSuffix(want ExpectedNode) string {
	if want.Source == "" {
		return ""
	}
	return " (from " + want.Source + ")"
}

// checkCount compares the number of nodes of one OS with the expected count.
func checkCount(nodes []corev1.Node, os string, want int) Result {
	var names []string
	for i := range nodes {
		if nodes[i].Labels[osLabel] == os {
			names = append(names, nodes[i].Name)
		}
	}
	sort.Strings(names)
	obj := "nodes/" + os
	got := fmt.Sprintf("%d %s %s", len(names), osTitle(os), plural(len(names), "node", "nodes"))
	if len(names) > 0 {
		got += " (" + joinNames(names) + ")"
	}
	switch {
	case len(names) < want:
		return fail(CheckNodeCount, obj, fmt.Sprintf("%s, expected %d; deploy the missing "+
			"machines or check why their nodes did not register", got, want))
	case len(names) > want:
		return warn(CheckNodeCount, obj, fmt.Sprintf("%s, expected only %d", got, want))
	}
	return pass(CheckNodeCount, obj, got)
}

// mergeExpected folds an expectation by IP alone (from a file) into one by name with the same
// IP (from a flag), so one node is checked once.
func mergeExpected(nodes []ExpectedNode) []ExpectedNode {
	named := map[netip.Addr]int{}
	out := make([]ExpectedNode, 0, len(nodes))
	for _, n := range nodes {
		if n.Name != "" && n.IP.IsValid() {
			named[n.IP] = len(out)
		}
		if n.Name != "" {
			out = append(out, n)
		}
	}
	for _, n := range nodes {
		if n.Name != "" {
			continue
		}
		i, ok := named[n.IP]
		if !ok {
			out = append(out, n)
			continue
		}
		if out[i].OS == "" {
			out[i].OS = n.OS
		}
	}
	return out
}
