package verify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/version"
)

// pressureConditions are the node conditions that must not be True on a healthy node.
var pressureConditions = []corev1.NodeConditionType{
	corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure,
	corev1.NodeNetworkUnavailable,
}

// checkNodes runs the per-node checks on every node.
func checkNodes(s *State, o Options) []Result {
	server, _ := version.ParseGeneric(s.ServerVersion)
	checks := []func(*corev1.Node) Result{
		checkReady,
		checkPressure,
		func(n *corev1.Node) Result { return checkSchedulable(n, o.AllowCordoned) },
		checkOSLabel,
		func(n *corev1.Node) Result { return checkKubelet(n, server, o.MaxKubeletSkew) },
		func(n *corev1.Node) Result { return checkTaints(n, o.AllowedTaints) },
	}
	var out []Result
	for _, check := range checks {
		start := len(out)
		for i := range s.Nodes {
			if r := check(&s.Nodes[i]); r.Check != "" {
				out = append(out, r)
			}
		}
		sortByObject(out[start:])
	}
	return out
}

func checkReady(n *corev1.Node) Result {
	obj := nodeObject(n.Name)
	c := nodeCondition(n, corev1.NodeReady)
	if c == nil {
		return fail(CheckNodeReady, obj, "has no Ready condition yet; the kubelet has not "+
			"reported, check the node's VM is running on its machine")
	}
	if c.Status == corev1.ConditionTrue {
		return pass(CheckNodeReady, obj, "Ready")
	}
	why := string(c.Status)
	if c.Reason != "" {
		why = c.Reason
	}
	msg := fmt.Sprintf("NotReady (%s)", why)
	if c.Message != "" {
		msg += ": " + strings.TrimRight(c.Message, ".")
	}
	return fail(CheckNodeReady, obj, msg+"; run 'kubectl describe node "+n.Name+
		"' and check the node's VM and kubelet on its machine").
		withDetail("Ready=" + string(c.Status) + " since " + c.LastTransitionTime.UTC().Format(time.RFC3339))
}

func checkPressure(n *corev1.Node) Result {
	obj := nodeObject(n.Name)
	var found []string
	for _, t := range pressureConditions {
		if c := nodeCondition(n, t); c != nil && c.Status == corev1.ConditionTrue {
			found = append(found, string(t))
		}
	}
	if len(found) == 0 {
		return pass(CheckNodePressure, obj, "no pressure")
	}
	return fail(CheckNodePressure, obj, strings.Join(found, ", ")+
		"; free memory, disk or processes on the node, or give its VM more (LinuxNode/WindowsNode "+
		"MemoryInMB, DataSizeInGB)")
}

func checkSchedulable(n *corev1.Node, allowCordoned bool) Result {
	obj := nodeObject(n.Name)
	switch {
	case !n.Spec.Unschedulable:
		return pass(CheckSchedulable, obj, "schedulable")
	case allowCordoned:
		return pass(CheckSchedulable, obj, "cordoned, allowed by --allow-cordoned")
	}
	return fail(CheckSchedulable, obj, "cordoned; run 'kubectl uncordon "+n.Name+
		"' when its maintenance is over, or pass --allow-cordoned")
}

// checkOSLabel compares kubernetes.io/os with what the AKS EE node name promises.
func checkOSLabel(n *corev1.Node) Result {
	obj := nodeObject(n.Name)
	label, has := n.Labels[osLabel]
	want := osOfName(n.Name)
	switch {
	case !has:
		return fail(CheckNodeOS, obj, "has no "+osLabel+" label; the kubelet sets it at "+
			"registration, so re-register the node")
	case want == "":
		return pass(CheckNodeOS, obj, osLabel+"="+label)
	case label != want:
		return fail(CheckNodeOS, obj, fmt.Sprintf("%s=%s contradicts its name, which says %s; "+
			"AKS EE names Linux nodes <host>-ledge and Windows nodes <host>-wedge: re-register the "+
			"node or fix the label", osLabel, label, want))
	}
	return pass(CheckNodeOS, obj, osLabel+"="+label+", as its name says")
}

// checkKubelet applies the version skew policy: a kubelet must not be newer than the API
// server, nor more than maxSkew minor versions older.
func checkKubelet(n *corev1.Node, server *version.Version, maxSkew int) Result {
	obj := nodeObject(n.Name)
	kv := n.Status.NodeInfo.KubeletVersion
	kubelet, err := version.ParseGeneric(kv)
	if err != nil {
		return fail(CheckKubelet, obj, fmt.Sprintf("kubelet version %q cannot be read", kv))
	}
	if server == nil {
		return pass(CheckKubelet, obj, "kubelet "+kv+" (API server version unknown)")
	}
	detail := "kubelet " + kv + ", API server " + server.String()
	behind := int(server.Minor()) - int(kubelet.Minor())
	if kubelet.Major() != server.Major() {
		behind = 100
	}
	switch {
	case behind < 0:
		return fail(CheckKubelet, obj, fmt.Sprintf("kubelet %s is newer than the API server %s; "+
			"upgrade the control plane first", kv, server)).withDetail(detail)
	case behind > maxSkew:
		return fail(CheckKubelet, obj, fmt.Sprintf("kubelet %s is %d minor versions behind the "+
			"API server %s (at most %d allowed); upgrade AKS EE on the node's machine",
			kv, behind, server, maxSkew)).withDetail(detail)
	case behind > 0:
		return warn(CheckKubelet, obj, fmt.Sprintf("kubelet %s is %d minor version behind the "+
			"API server %s; finish the upgrade of the node's machine", kv, behind, server)).
			withDetail(detail)
	}
	return pass(CheckKubelet, obj, "kubelet "+kv).withDetail(detail)
}

// expectedTaint tells whether the cluster itself puts the taint on the node: the condition
// taints (reported by the other node checks) and the control-plane taints.
func expectedTaint(n *corev1.Node, t corev1.Taint) bool {
	if strings.HasPrefix(t.Key, "node.kubernetes.io/") || t.Key == "CriticalAddonsOnly" {
		return true
	}
	return isControlPlane(n) && slices.Contains(controlPlaneLabels, t.Key)
}

func checkTaints(n *corev1.Node, allowed []string) Result {
	obj := nodeObject(n.Name)
	var found []string
	for _, t := range n.Spec.Taints {
		if expectedTaint(n, t) || slices.Contains(allowed, t.Key) {
			continue
		}
		found = append(found, taintString(t))
	}
	if len(found) == 0 {
		return pass(CheckTaints, obj, "no unexpected taints")
	}
	return warn(CheckTaints, obj, "unexpected taints "+strings.Join(found, ", ")+
		"; remove with 'kubectl taint node "+n.Name+" KEY-' or pass --allow-taint KEY")
}

func taintString(t corev1.Taint) string {
	s := t.Key
	if t.Value != "" {
		s += "=" + t.Value
	}
	return s + ":" + string(t.Effect)
}
