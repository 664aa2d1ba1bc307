package verify

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// checkWorkloads checks the system pods the flavour needs and the restarts of kube-system.
func checkWorkloads(s *State, o Options) []Result {
	var out []Result
	out = append(out, checkPodGroup(CheckCoreDNS, s.SystemPods, isCoreDNS,
		"pods cannot resolve service names without it", "deployment/coredns")...)
	k3s := clusterFlavour(s) == cluster.K3s
	kubeVIP := checkPodGroup(CheckKubeVIP, s.SystemPods, isKubeVIP,
		"the control-plane VIP may have no holder", "daemonset/kube-vip-ds")
	cloud := checkPodGroup(CheckCloudProv, s.SystemPods, namePrefix(cloudProviderPrefix),
		"LoadBalancer services get no address", "deployment/kube-vip-cloud-provider")
	// K3s clusters of AKS EE always run kube-vip; on K8s it is checked where it runs.
	for _, group := range [][]Result{kubeVIP, cloud} {
		if k3s || !missingGroup(group) {
			out = append(out, group...)
		}
	}
	if clusterFlavour(s) == cluster.K8s {
		out = append(out, checkCalico(s)...)
	}
	return append(out, checkRestarts(s.SystemPods, o.RestartThreshold)...)
}

func isCoreDNS(p *corev1.Pod) bool { return p.Labels["k8s-app"] == coreDNSLabel }

// isKubeVIP finds the pods of the kube-vip DaemonSet by their label or, failing that, name.
func isKubeVIP(p *corev1.Pod) bool {
	return p.Labels["app.kubernetes.io/name"] == "kube-vip-ds" || strings.HasPrefix(p.Name, kubeVIPPrefix)
}

// missingGroup tells whether checkPodGroup found no pods at all.
func missingGroup(results []Result) bool {
	return len(results) == 1 && results[0].Object == "namespace/"+SystemNamespace
}

func namePrefix(prefix string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool { return strings.HasPrefix(p.Name, prefix) }
}

// checkPodGroup reports every matching pod that is not Ready, or that none exist. impact says
// what breaks without them; owner is the workload that runs them, for the fix.
func checkPodGroup(check string, pods []corev1.Pod, match func(*corev1.Pod) bool,
	impact, owner string) []Result {
	var out []Result
	for i := range pods {
		p := &pods[i]
		if !match(p) {
			continue
		}
		if podReady(p) {
			out = append(out, pass(check, podObject(p), "Ready on "+nodeText(p)))
			continue
		}
		out = append(out, fail(check, podObject(p), fmt.Sprintf("not ready: %s; %s: read its log "+
			"with 'kubectl -n %s logs %s --previous' and check 'kubectl -n %s describe %s'",
			podProblem(p), impact, p.Namespace, p.Name, p.Namespace, owner)).
			withDetail("phase "+string(p.Status.Phase)+" on "+nodeText(p)))
	}
	sortByObject(out)
	if len(out) == 0 {
		return []Result{fail(check, "namespace/"+SystemNamespace, fmt.Sprintf("no %s pods; %s: "+
			"check 'kubectl -n %s describe %s'", check, impact, SystemNamespace, owner))}
	}
	return out
}

func nodeText(p *corev1.Pod) string {
	if p.Spec.NodeName == "" {
		return "no node"
	}
	return "node " + p.Spec.NodeName
}

// checkCalico wants a Ready calico-node pod on every Linux node. AKS EE runs Calico on its
// Windows nodes as host services rather than pods (inferred), so those are not checked.
func checkCalico(s *State) []Result {
	byNode := map[string]*corev1.Pod{}
	for _, list := range [][]corev1.Pod{s.SystemPods, s.CalicoPods} {
		for i := range list {
			p := &list[i]
			if p.Labels["k8s-app"] != "calico-node" {
				continue
			}
			if prev, ok := byNode[p.Spec.NodeName]; !ok || (!podReady(prev) && podReady(p)) {
				byNode[p.Spec.NodeName] = p
			}
		}
	}
	var out []Result
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Labels[osLabel] == Windows {
			continue
		}
		out = append(out, calicoOnNode(n, byNode[n.Name]))
	}
	sortByObject(out)
	return out
}

func calicoOnNode(n *corev1.Node, p *corev1.Pod) Result {
	obj := nodeObject(n.Name)
	switch {
	case p == nil:
		return fail(CheckCalico, obj, "no calico-node pod on the node; pod networking does not "+
			"work there: check the calico-node DaemonSet's node selector and tolerations")
	case !podReady(p):
		return fail(CheckCalico, obj, fmt.Sprintf("calico-node pod %s/%s %s; read its log with "+
			"'kubectl -n %s logs %s -c calico-node'", p.Namespace, p.Name, podProblem(p),
			p.Namespace, p.Name))
	}
	return pass(CheckCalico, obj, "calico-node "+p.Namespace+"/"+p.Name+" Ready")
}

// checkRestarts fails a crash-looping kube-system pod and warns about one that restarted
// more than the threshold. Pods without restarts are not listed, to keep reports short.
func checkRestarts(pods []corev1.Pod, threshold int32) []Result {
	var out []Result
	healthy := 0
	for i := range pods {
		if r, ok := restartResult(&pods[i], threshold); ok {
			out = append(out, r)
		} else {
			healthy++
		}
	}
	sortByObject(out)
	if healthy > 0 {
		out = append([]Result{pass(CheckRestarts, "namespace/"+SystemNamespace, fmt.Sprintf(
			"%d %s not crash-looping", healthy, plural(healthy, "pod", "pods")))}, out...)
	}
	return out
}

func restartResult(p *corev1.Pod, threshold int32) (Result, bool) {
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
			return fail(CheckRestarts, podObject(p), fmt.Sprintf("container %s is crash-looping "+
				"(%d restarts); read why with 'kubectl -n %s logs %s -c %s --previous'",
				cs.Name, cs.RestartCount, p.Namespace, p.Name, cs.Name)), true
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.RestartCount > threshold {
			return warn(CheckRestarts, podObject(p), fmt.Sprintf("container %s restarted %d times "+
				"(more than %d); read why with 'kubectl -n %s logs %s -c %s --previous'",
				cs.Name, cs.RestartCount, threshold, p.Namespace, p.Name, cs.Name)), true
		}
	}
	return Result{}, false
}
