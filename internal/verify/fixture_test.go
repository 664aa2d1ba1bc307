package verify

import (
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testNode builds a Ready node with an InternalIP and the OS its AKS EE name promises; edits
// change it from there.
func testNode(name, ip, kubelet string, edits ...func(*corev1.Node)) corev1.Node {
	os := osOfName(name)
	if os == "" {
		os = Linux
	}
	n := corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{osLabel: os}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse},
			},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}},
			NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: kubelet},
		},
	}
	for _, edit := range edits {
		edit(&n)
	}
	return n
}

func controlPlane(n *corev1.Node) {
	n.Labels["node-role.kubernetes.io/control-plane"] = "true"
	n.Labels["node-role.kubernetes.io/master"] = "true"
}

func notReady(n *corev1.Node) {
	n.Status.Conditions[0] = corev1.NodeCondition{Type: corev1.NodeReady,
		Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
		Message:            "Kubelet stopped posting node status.",
		LastTransitionTime: metav1.NewTime(time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC))}
}

// testPod builds a Running, Ready pod.
func testPod(ns, name, node string, labels map[string]string, edits ...func(*corev1.Pod)) corev1.Pod {
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec:       corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "main", Ready: true,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
		},
	}
	for _, edit := range edits {
		edit(&p)
	}
	return p
}

func crashLooping(restarts int32) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Conditions[0].Status = corev1.ConditionFalse
		p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "main", RestartCount: restarts,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
	}
}

const (
	k3sVersion = "v1.37.2+k3s1"
	k8sVersion = "v1.37.2"
)

// healthyK3s is the article's lab after two machines joined: a primary and two workers, each
// with a Linux node, the workers also with a Windows node.
func healthyK3s() *State {
	s := &State{
		ServerVersion: "v1.37.2+k3s1",
		Endpoint:      "https://10.10.75.50:6443",
		Nodes: []corev1.Node{
			testNode("primary-ledge", "10.10.75.51", k3sVersion, controlPlane),
			testNode("worker1-ledge", "10.10.75.61", k3sVersion),
			testNode("worker1-wedge", "10.10.75.71", k3sVersion),
			testNode("worker2-ledge", "10.10.75.62", k3sVersion),
			testNode("worker2-wedge", "10.10.75.72", k3sVersion),
		},
		SystemPods: []corev1.Pod{
			testPod(SystemNamespace, "coredns-6799fbcd5-x2x4q", "primary-ledge",
				map[string]string{"k8s-app": "kube-dns"}),
			testPod(SystemNamespace, "kube-vip-ds-7vq9c", "primary-ledge", nil),
			testPod(SystemNamespace, "kube-vip-cloud-provider-5d8b9c-2kq8r", "primary-ledge", nil),
		},
		AksEdgeNamespace: true,
		AksEdgeConfigMap: &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: AksEdgeNamespace, Name: AksEdgeConfigMap},
			Data:       map[string]string{ClusterNameKey: "aksedge-lab"},
		},
	}
	return s
}

// healthyK8s is the same lab on K8s, with calico-node on every Linux node.
func healthyK8s() *State {
	s := healthyK3s()
	s.ServerVersion = k8sVersion
	for i := range s.Nodes {
		s.Nodes[i].Status.NodeInfo.KubeletVersion = k8sVersion
	}
	s.SystemPods = s.SystemPods[:1]
	calico := map[string]string{"k8s-app": "calico-node"}
	for _, n := range []string{"primary-ledge", "worker1-ledge", "worker2-ledge"} {
		s.SystemPods = append(s.SystemPods, testPod(SystemNamespace, "calico-node-"+n, n, calico))
	}
	return s
}

// labExpectations expects the lab's four worker nodes by name and IP, and the VIP.
func labExpectations() Expectations {
	e := NoExpectations()
	for _, v := range []string{"worker1-ledge=10.10.75.61", "worker1-wedge=10.10.75.71",
		"worker2-ledge=10.10.75.62", "worker2-wedge=10.10.75.72"} {
		n, err := ParseExpectNode(v)
		if err != nil {
			panic(err)
		}
		e.Nodes = append(e.Nodes, n)
	}
	e.Linux, e.Windows = 3, 2
	e.VIP = netip.MustParseAddr("10.10.75.50")
	e.ClusterID = "aksedge-lab"
	return e
}
