package verify

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// problems lists the results that did not pass as "status check object", for comparison.
func problems(r Report) []string {
	var out []string
	for _, res := range r.Results {
		if res.Status != Pass {
			out = append(out, fmt.Sprintf("%s %s %s", res.Status, res.Check, res.Object))
		}
	}
	return out
}

func nodeNamed(s *State, name string) *corev1.Node {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return &s.Nodes[i]
		}
	}
	panic("no node " + name)
}

func removeNode(s *State, name string) {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			s.Nodes = append(s.Nodes[:i], s.Nodes[i+1:]...)
			return
		}
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name  string
		state func() *State
		opts  func(*Options)
		want  []string
		// inMessage must appear in the message of the first problem.
		inMessage string
	}{
		{name: "a healthy K3s cluster passes", state: healthyK3s},
		{name: "a healthy K8s cluster passes", state: healthyK8s},
		{
			name: "a NotReady node fails",
			state: func() *State {
				s := healthyK3s()
				notReady(nodeNamed(s, "worker1-ledge"))
				return s
			},
			want:      []string{"fail node-ready node/worker1-ledge"},
			inMessage: "NotReady (NodeStatusUnknown)",
		},
		{
			name: "a missing Windows node fails by name and count",
			state: func() *State {
				s := healthyK3s()
				removeNode(s, "worker2-wedge")
				return s
			},
			want:      []string{"fail expected-node node/worker2-wedge", "fail node-count nodes/windows"},
			inMessage: "Windows node worker2-wedge with InternalIP 10.10.75.72",
		},
		{
			name: "a Linux node with the wrong IP fails",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker2-ledge").Status.Addresses[0].Address = "10.10.75.99"
				return s
			},
			want:      []string{"fail expected-node node/worker2-ledge"},
			inMessage: "has InternalIP 10.10.75.99, expected 10.10.75.62",
		},
		{
			name: "an OS label contradicting the name fails",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-wedge").Labels[osLabel] = Linux
				return s
			},
			want: []string{"fail expected-node node/worker1-wedge", "warn node-count nodes/linux",
				"fail node-count nodes/windows", "fail node-os node/worker1-wedge"},
			inMessage: "expected a Windows node",
		},
		{
			name: "a kubelet two minors behind fails",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Status.NodeInfo.KubeletVersion = "v1.35.4+k3s1"
				return s
			},
			want:      []string{"fail kubelet-version node/worker1-ledge"},
			inMessage: "2 minor versions behind",
		},
		{
			name: "a kubelet one minor behind warns",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Status.NodeInfo.KubeletVersion = "v1.36.1+k3s1"
				return s
			},
			want: []string{"warn kubelet-version node/worker1-ledge"},
		},
		{
			name: "coredns not ready fails",
			state: func() *State {
				s := healthyK3s()
				s.SystemPods[0].Status.Conditions[0].Status = corev1.ConditionFalse
				return s
			},
			want:      []string{"fail coredns pod/kube-system/coredns-6799fbcd5-x2x4q"},
			inMessage: "is Running but not Ready",
		},
		{
			name: "a crash-looping kube-vip fails",
			state: func() *State {
				s := healthyK3s()
				crashLooping(12)(&s.SystemPods[1])
				return s
			},
			want: []string{"fail kube-vip pod/kube-system/kube-vip-ds-7vq9c",
				"fail pod-restarts pod/kube-system/kube-vip-ds-7vq9c"},
			inMessage: "CrashLoopBackOff after 12 restarts",
		},
		{
			name: "a missing aksedge ConfigMap fails",
			state: func() *State {
				s := healthyK3s()
				s.AksEdgeConfigMap = nil
				return s
			},
			want: []string{"fail aksedge-configmap configmap/aksedge/aksedge"},
		},
		{
			name: "another cluster's id fails",
			state: func() *State {
				s := healthyK3s()
				s.AksEdgeConfigMap.Data[ClusterNameKey] = "other"
				return s
			},
			want: []string{"fail cluster-id configmap/aksedge/aksedge"},
		},
		{
			name: "a K8s node without calico-node fails",
			state: func() *State {
				s := healthyK8s()
				s.SystemPods = s.SystemPods[:3]
				return s
			},
			want:      []string{"fail calico-node node/worker2-ledge"},
			inMessage: "no calico-node pod",
		},
		{
			name: "mixed flavours fail",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker2-ledge").Status.NodeInfo.KubeletVersion = k8sVersion
				return s
			},
			want: []string{"fail flavour cluster"},
		},
		{
			name: "a cordoned node fails unless allowed",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Spec.Unschedulable = true
				return s
			},
			want: []string{"fail node-schedulable node/worker1-ledge"},
		},
		{
			name: "a cordoned node passes when allowed",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Spec.Unschedulable = true
				return s
			},
			opts: func(o *Options) { o.AllowCordoned = true },
		},
		{
			name: "memory pressure fails",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Status.Conditions[1].Status = corev1.ConditionTrue
				return s
			},
			want: []string{"fail node-pressure node/worker1-ledge"},
		},
		{
			name: "an unexpected taint warns, an allowed one does not",
			state: func() *State {
				s := healthyK3s()
				nodeNamed(s, "worker1-ledge").Spec.Taints = []corev1.Taint{
					{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule},
					{Key: "team", Effect: corev1.TaintEffectNoSchedule}}
				return s
			},
			opts:      func(o *Options) { o.AllowedTaints = []string{"team"} },
			want:      []string{"warn node-taints node/worker1-ledge"},
			inMessage: "dedicated=gpu:NoSchedule;",
		},
		{
			name: "two control planes fail",
			state: func() *State {
				s := healthyK3s()
				controlPlane(nodeNamed(s, "worker1-ledge"))
				return s
			},
			want: []string{"fail control-plane-count control-plane"},
		},
		{
			name: "an unready API server fails",
			state: func() *State {
				s := healthyK3s()
				s.ReadyzErr = errors.New("[-]etcd failed")
				return s
			},
			want: []string{"fail apiserver-ready apiserver"},
		},
		{
			name: "an endpoint other than the VIP fails",
			state: func() *State {
				s := healthyK3s()
				s.Endpoint = "https://10.10.75.51:6443"
				return s
			},
			want: []string{"fail control-plane-endpoint endpoint"},
		},
		{
			name: "a loopback endpoint cannot be compared and warns",
			state: func() *State {
				s := healthyK3s()
				s.Endpoint = "https://127.0.0.1:36443"
				return s
			},
			want: []string{"warn control-plane-endpoint endpoint"},
		},
		{
			name: "a kube-system pod with many restarts warns",
			state: func() *State {
				s := healthyK3s()
				s.SystemPods[2].Status.ContainerStatuses[0].RestartCount = 9
				return s
			},
			want: []string{"warn pod-restarts pod/kube-system/kube-vip-cloud-provider-5d8b9c-2kq8r"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			report := Evaluate(tc.state(), labExpectations(), opts)
			if diff := cmp.Diff(tc.want, problems(report)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			wantStatus := Pass
			if strings.HasPrefix(strings.Join(tc.want, ","), "fail") ||
				strings.Contains(strings.Join(tc.want, ","), ",fail") {
				wantStatus = Fail
			}
			if report.Status != wantStatus {
				t.Errorf("status = %s, want %s", report.Status, wantStatus)
			}
			if tc.inMessage != "" {
				first := firstProblem(report)
				if !strings.Contains(first.Message, tc.inMessage) {
					t.Errorf("message %q does not contain %q", first.Message, tc.inMessage)
				}
			}
		})
	}
}

func firstProblem(r Report) Result {
	for _, res := range r.Results {
		if res.Status != Pass {
			return res
		}
	}
	return Result{}
}

func TestExpectedByIPOnly(t *testing.T) {
	s := healthyK3s()
	nodeNamed(s, "worker2-wedge").Status.Addresses[0].Address = "10.10.75.79"
	e := NoExpectations()
	e.Nodes = []ExpectedNode{
		{IP: mustAddr("10.10.75.61"), OS: Linux, Source: "w1.json: Machines[0].LinuxNode.Ip4Address"},
		{IP: mustAddr("10.10.75.72"), OS: Windows, Source: "w2.json: Machines[0].WindowsNode.Ip4Address"},
		{IP: mustAddr("10.10.75.71"), OS: Linux, Source: "w1.json: Machines[0].LinuxNode.Ip4Address"},
	}
	got := problems(Evaluate(s, e, DefaultOptions()))
	want := []string{"fail expected-node ip/10.10.75.72", "fail expected-node node/worker1-wedge"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestMergeExpected(t *testing.T) {
	named, _ := ParseExpectNode("worker1-ledge=10.10.75.61")
	named.OS = ""
	fromFile := ExpectedNode{IP: mustAddr("10.10.75.61"), OS: Linux, Source: "f"}
	other := ExpectedNode{IP: mustAddr("10.10.75.62"), OS: Linux, Source: "f"}
	got := mergeExpected([]ExpectedNode{fromFile, named, other})
	wantNamed := named
	wantNamed.OS = Linux
	if diff := cmp.Diff([]ExpectedNode{wantNamed, other}, got, cmp.Comparer(func(a, b ExpectedNode) bool {
		return a == b
	})); diff != "" {
		t.Errorf("mergeExpected (-want +got):\n%s", diff)
	}
}

func TestParseExpectNode(t *testing.T) {
	tests := []struct {
		in      string
		want    ExpectedNode
		wantErr string
	}{
		{in: "Worker1-LEDGE", want: ExpectedNode{Name: "worker1-ledge", OS: Linux, Source: "--expect-node"}},
		{in: "w-wedge=10.10.75.71", want: ExpectedNode{Name: "w-wedge", OS: Windows,
			IP: mustAddr("10.10.75.71"), Source: "--expect-node"}},
		{in: "node7", want: ExpectedNode{Name: "node7", Source: "--expect-node"}},
		{in: "=10.0.0.1", wantErr: "has no node name"},
		{in: "w-ledge=10.10.75.300", wantErr: `"10.10.75.300" is not an IPv4 address`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseExpectNode(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
