package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
	"github.com/kubectl-aksee/kubectl-aksee/plugin"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// syncBuffer is a bytes.Buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// run runs "kubectl aksee verify" against the test cluster and returns its output and exit
// code.
func run(ctx context.Context, c *testcluster.Cluster, stderr *syncBuffer, args ...string) (string, int) {
	var out bytes.Buffer
	if stderr == nil {
		stderr = &syncBuffer{}
	}
	cmd := plugin.NewCmdAksee(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: stderr})
	cmd.SetArgs(append([]string{"verify", "--kubeconfig", c.Kubeconfig}, args...))
	executed, err := cmd.ExecuteContextC(ctx)
	plugin.PrintError(stderr, executed, err)
	return out.String(), plugin.ExitCode(err)
}

// nodeSpec describes a node a test adds, as an AKS EE machine would register it.
type nodeSpec struct {
	name, ip, os, kubelet string
	// kwok makes kwok keep the node Ready; without it the node stays as created.
	kwok  bool
	ready corev1.ConditionStatus
}

func addNode(t *testing.T, c *testcluster.Cluster, spec nodeSpec) {
	t.Helper()
	if spec.kubelet == "" {
		spec.kubelet = c.Primary.KubeletVersion
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: spec.name, Labels: map[string]string{
			"kubernetes.io/os": spec.os, "kubernetes.io/hostname": spec.name}},
		Status: corev1.NodeStatus{
			// kwok replaces the addresses unless both kinds are there.
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: spec.ip},
				{Type: corev1.NodeHostName, Address: spec.name}},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: spec.kubelet, OperatingSystem: spec.os},
		},
	}
	if spec.kwok {
		n.Annotations = map[string]string{"kwok.x-k8s.io/node": "fake"}
	} else {
		n.Status.Conditions = []corev1.NodeCondition{readyCondition(spec.ready)}
	}
	// Nodes accept their status on create, as a kubelet registering itself does.
	if _, err := c.Client.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node %s: %v", spec.name, err)
	}
}

// startCluster starts the test cluster and keeps its kwok nodes' leases renewed.
func startCluster(t *testing.T, f testcluster.Flavour) *testcluster.Cluster {
	t.Helper()
	c := testcluster.Start(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		heartbeat(ctx, c.Client)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return c
}

// heartbeat renews a node lease for every node kwok keeps Ready, as their kubelets would.
// kwok as the local cluster runs it renews none, so without this the node lifecycle
// controller marks the nodes' pods NotReady about 50 seconds after a node's last status
// update, and kwok never makes them Ready again.
func heartbeat(ctx context.Context, client kubernetes.Interface) {
	for {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			for i := range nodes.Items {
				if nodes.Items[i].Annotations["kwok.x-k8s.io/node"] == "fake" {
					renewLease(ctx, client, &nodes.Items[i])
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
}

func renewLease(ctx context.Context, client kubernetes.Interface, n *corev1.Node) {
	leases := client.CoordinationV1().Leases("kube-node-lease")
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, n.Name, metav1.GetOptions{})
	if err != nil {
		lease = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: n.Name,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: n.UID}}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &n.Name, LeaseDurationSeconds: ptr.To(int32(40)),
				RenewTime: &now}}
		_, _ = leases.Create(ctx, lease, metav1.CreateOptions{})
		return
	}
	lease.Spec.RenewTime = &now
	_, _ = leases.Update(ctx, lease, metav1.UpdateOptions{})
}

func readyCondition(status corev1.ConditionStatus) corev1.NodeCondition {
	reason := "KubeletReady"
	if status != corev1.ConditionTrue {
		reason = "KubeletNotReady"
	}
	now := metav1.Now()
	return corev1.NodeCondition{Type: corev1.NodeReady, Status: status, Reason: reason,
		LastHeartbeatTime: now, LastTransitionTime: now}
}

// workers adds the article's two workers, each with a Linux and a Windows node kept Ready by
// kwok.
func workers(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	for _, s := range []nodeSpec{
		{name: "worker1-ledge", ip: "10.10.75.61", os: "linux", kwok: true},
		{name: "worker1-wedge", ip: "10.10.75.71", os: "windows", kwok: true},
		{name: "worker2-ledge", ip: "10.10.75.62", os: "linux", kwok: true},
		{name: "worker2-wedge", ip: "10.10.75.72", os: "windows", kwok: true},
	} {
		addNode(t, c, s)
	}
}

// scaleConfigs writes the scale configs of the two workers, as scale-config would.
func scaleConfigs(t *testing.T, c *testcluster.Cluster) []string {
	t.Helper()
	var args []string
	for i, ips := range [][2]string{{"10.10.75.61", "10.10.75.71"}, {"10.10.75.62", "10.10.75.72"}} {
		data := fmt.Sprintf(`{"SchemaVersion":"1.14","Version":"1.0","DeploymentType":"ScalableCluster",
"Join":{"ClusterId":%q},"Network":{"ControlPlaneEndpointIp":%q},
"Machines":[{"LinuxNode":{"Ip4Address":%q},"WindowsNode":{"Ip4Address":%q}}]}`,
			c.Primary.ClusterName, c.Primary.VIP, ips[0], ips[1])
		path := filepath.Join(t.TempDir(), fmt.Sprintf("worker%d.json", i+1))
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-f", path)
	}
	return args
}

// waitHealthy waits (with verify --wait itself) until the scaled cluster settles: kwok made
// the nodes Ready and the DaemonSets run their pods there.
func waitHealthy(t *testing.T, c *testcluster.Cluster, args ...string) {
	t.Helper()
	stderr := &syncBuffer{}
	out, code := run(context.Background(), c, stderr, append(args, "--wait", "--timeout", "90s")...)
	if code != plugin.ExitOK {
		t.Fatalf("the scaled cluster did not become healthy: exit %d\n%s\n%s", code, out, stderr)
	}
}

var flavours = []testcluster.Flavour{testcluster.K3s, testcluster.K8s}

func TestHealthyScaledClusterPasses(t *testing.T) {
	for _, f := range flavours {
		t.Run(string(f), func(t *testing.T) {
			c := startCluster(t, f)
			workers(t, c)
			args := scaleConfigs(t, c)
			args = append(args, "--expect-linux", "3", "--expect-windows", "2")
			waitHealthy(t, c, args...)

			out, code := run(context.Background(), c, nil, args...)
			if code != plugin.ExitOK {
				t.Fatalf("exit %d, want 0:\n%s", code, out)
			}
			for _, want := range []string{"expected-node", "4 nodes", "cluster-id", "PASS:"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			if f == testcluster.K8s && !strings.Contains(out, "calico-node") {
				t.Errorf("K8s report lacks calico-node:\n%s", out)
			}
		})
	}
}

// failLine returns the report line of a failed check on object, or "".
func failLine(out, check, object string) string {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == check && f[1] == object && f[2] == "fail" {
			return line
		}
	}
	return ""
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name string
		// breakIt changes the healthy scaled cluster; it returns extra verify arguments.
		breakIt func(t *testing.T, c *testcluster.Cluster) []string
		check   string
		object  string
		message string
	}{
		{
			name: "a node NotReady",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				addNode(t, c, nodeSpec{name: "worker3-ledge", ip: "10.10.75.63", os: "linux",
					ready: corev1.ConditionFalse})
				return nil
			},
			check: "node-ready", object: "node/worker3-ledge", message: "NotReady (KubeletNotReady)",
		},
		{
			name: "a Windows node missing",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				return []string{"--expect-node", "worker3-wedge=10.10.75.73"}
			},
			check: "expected-node", object: "node/worker3-wedge", message: "missing: no Windows node worker3-wedge",
		},
		{
			name: "a Linux node with the wrong IP",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				addNode(t, c, nodeSpec{name: "worker3-ledge", ip: "10.10.75.99", os: "linux", kwok: true})
				return []string{"--expect-node", "worker3-ledge=10.10.75.63"}
			},
			check: "expected-node", object: "node/worker3-ledge",
			message: "has InternalIP 10.10.75.99, expected 10.10.75.63",
		},
		{
			name: "an OS label contradicting the name",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				addNode(t, c, nodeSpec{name: "worker3-wedge", ip: "10.10.75.73", os: "linux", kwok: true})
				return nil
			},
			check: "node-os", object: "node/worker3-wedge", message: "kubernetes.io/os=linux contradicts its name",
		},
		{
			name: "a kubelet two minors behind",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				addNode(t, c, nodeSpec{name: "worker3-ledge", ip: "10.10.75.63", os: "linux", kwok: true,
					kubelet: olderKubelet(c.Primary.KubeletVersion, 2)})
				return nil
			},
			check: "kubelet-version", object: "node/worker3-ledge", message: "2 minor versions behind",
		},
		{
			name: "coredns not ready",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				setPodNotReady(t, c, "k8s-app=kube-dns", false)
				return nil
			},
			check: "coredns", message: "not ready: is Running but not Ready",
		},
		{
			name: "a crash-looping kube-vip",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				setPodNotReady(t, c, "app.kubernetes.io/name=kube-vip-ds", true)
				return nil
			},
			check: "kube-vip", message: "CrashLoopBackOff after 7 restarts",
		},
		{
			name: "a missing aksedge ConfigMap",
			breakIt: func(t *testing.T, c *testcluster.Cluster) []string {
				err := c.Client.CoreV1().ConfigMaps("aksedge").Delete(context.Background(), "aksedge",
					metav1.DeleteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return nil
			},
			check: "aksedge-configmap", object: "configmap/aksedge/aksedge", message: "missing;",
		},
	}
	for _, f := range flavours {
		t.Run(string(f), func(t *testing.T) {
			c := startCluster(t, f)
			workers(t, c)
			base := append(scaleConfigs(t, c), "--expect-linux", "3", "--expect-windows", "2")
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					waitHealthy(t, c, base...)
					t.Cleanup(func() { repair(t, c) })
					args := append(append([]string{}, base...), tc.breakIt(t, c)...)
					out, code := run(context.Background(), c, nil, args...)
					if code != plugin.ExitFailed {
						t.Errorf("exit %d, want %d", code, plugin.ExitFailed)
					}
					line := findFail(out, tc.check, tc.object)
					if line == "" || !strings.Contains(line, tc.message) {
						t.Errorf("no failed %s on %q saying %q:\n%s", tc.check, tc.object, tc.message, out)
					}
				})
			}
		})
	}
}

// findFail finds the failed line of check on object, or on any pod when object is "".
func findFail(out, check, object string) string {
	if object != "" {
		return failLine(out, check, object)
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == check && strings.HasPrefix(f[1], "pod/") && f[2] == "fail" {
			return line
		}
	}
	return ""
}

// olderKubelet returns version with its minor lowered by n, keeping a +k3s suffix.
func olderKubelet(version string, n int) string {
	var major, minor, patch int
	base, suffix, _ := strings.Cut(version, "+")
	if _, err := fmt.Sscanf(base, "v%d.%d.%d", &major, &minor, &patch); err != nil {
		panic(err)
	}
	out := fmt.Sprintf("v%d.%d.%d", major, minor-n, patch)
	if suffix != "" {
		out += "+" + suffix
	}
	return out
}

// setPodNotReady plays the kubelet of the first kube-system pod matching selector: its
// container fails its readiness probe or, with crashLoop, crash-loops. kwok leaves a
// Running pod's status alone.
func setPodNotReady(t *testing.T, c *testcluster.Cluster, selector string, crashLoop bool) {
	t.Helper()
	ctx := context.Background()
	pods, err := c.Client.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("find a pod %s: %v (%d found)", selector, err, len(pods.Items))
	}
	p := &pods.Items[0]
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady || p.Status.Conditions[i].Type == corev1.ContainersReady {
			p.Status.Conditions[i].Status = corev1.ConditionFalse
		}
	}
	for i := range p.Status.ContainerStatuses {
		cs := &p.Status.ContainerStatuses[i]
		cs.Ready = false
		if crashLoop {
			cs.RestartCount = 7
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
				Reason: "CrashLoopBackOff", Message: "back-off 5m0s restarting failed container"}}
		}
	}
	if _, err := c.Client.CoreV1().Pods("kube-system").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update pod %s: %v", p.Name, err)
	}
}

// repair undoes what a failure case did to the shared healthy cluster: it removes worker3's
// nodes, recreates the ConfigMap and replaces pods whose status a test set.
func repair(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	for _, n := range []string{"worker3-ledge", "worker3-wedge"} {
		_ = c.Client.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{})
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "aksedge", Name: "aksedge"},
		Data: map[string]string{"clustername": c.Primary.ClusterName}}
	_, _ = c.Client.CoreV1().ConfigMaps("aksedge").Create(ctx, cm, metav1.CreateOptions{})
	pods, err := c.Client.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if !podIsReady(&p) {
			_ = c.Client.CoreV1().Pods("kube-system").Delete(ctx, p.Name,
				metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
		}
	}
}

func podIsReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func TestWaitTurnsGreenWhenNodeBecomesReady(t *testing.T) {
	c := startCluster(t, testcluster.K3s)
	addNode(t, c, nodeSpec{name: "worker1-ledge", ip: "10.10.75.61", os: "linux", ready: corev1.ConditionFalse})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stderr := &syncBuffer{}
	type result struct {
		out  string
		code int
	}
	done := make(chan result, 1)
	go func() {
		out, code := run(ctx, c, stderr, "--expect-node", "worker1-ledge=10.10.75.61", "--wait", "--timeout", "90s")
		done <- result{out, code}
	}()
	waitFor(t, ctx, func() bool { return strings.Contains(stderr.String(), "node-ready node/worker1-ledge") })

	node, err := c.Client.CoreV1().Nodes().Get(ctx, "worker1-ledge", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Conditions = []corev1.NodeCondition{readyCondition(corev1.ConditionTrue)}
	if _, err := c.Client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	readyAt := time.Now()
	select {
	case r := <-done:
		if r.code != plugin.ExitOK {
			t.Fatalf("exit %d, want 0:\n%s\n%s", r.code, r.out, stderr)
		}
		if !strings.Contains(r.out, "PASS:") {
			t.Errorf("final report does not pass:\n%s", r.out)
		}
		// A watch reacts within the settle time; polling would take its interval.
		if took := time.Since(readyAt); took > 5*time.Second {
			t.Errorf("verify --wait took %s to notice the node became Ready", took)
		}
	case <-ctx.Done():
		t.Fatalf("verify --wait did not return:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "Waiting for 1 check:") {
		t.Errorf("progress does not say what it waits for:\n%s", stderr)
	}
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestConnectivityProbesEachLinuxNodeAndCleansUp(t *testing.T) {
	c := startCluster(t, testcluster.K3s)
	addNode(t, c, nodeSpec{name: "worker1-ledge", ip: "10.10.75.61", os: "linux", ready: corev1.ConditionTrue})
	addNode(t, c, nodeSpec{name: "worker1-wedge", ip: "10.10.75.71", os: "windows", ready: corev1.ConditionTrue})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Play the kubelets: the probe on worker1 cannot resolve, the one on the primary can.
	go finishProbes(ctx, c, map[string]corev1.PodPhase{
		"worker1-ledge": corev1.PodFailed, c.Primary.NodeName: corev1.PodSucceeded})

	out, code := run(ctx, c, nil, "--connectivity", "--connectivity-timeout", "60s", "-o", "wide")
	if code != plugin.ExitFailed {
		t.Errorf("exit %d, want %d", code, plugin.ExitFailed)
	}
	if line := failLine(out, "connectivity", "node/worker1-ledge"); !strings.Contains(line, "UDP 8472") ||
		!strings.Contains(line, "NXDOMAIN") {
		t.Errorf("no failed connectivity on worker1-ledge naming UDP 8472 with the log:\n%s", out)
	}
	if !strings.Contains(out, "connectivity             node/"+c.Primary.NodeName) {
		t.Errorf("no connectivity result for the primary:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "connectivity") && strings.Contains(line, "node/worker1-wedge") {
			t.Errorf("a Windows node was probed: %s", line)
		}
	}
	left, err := c.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/managed-by=kubectl-aksee"})
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Items) != 0 {
		t.Errorf("%d probe pods left behind", len(left.Items))
	}
}

// finishProbes sets the phase of each probe pod by its node until ctx ends, as the kubelet
// would when nslookup exits. kwok may still mark the primary's pod Running, so it retries.
func finishProbes(ctx context.Context, c *testcluster.Cluster, phases map[string]corev1.PodPhase) {
	pods := c.Client.CoreV1().Pods("default")
	for ctx.Err() == nil {
		list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-aksee"})
		if err == nil {
			for i := range list.Items {
				p := &list.Items[i]
				want, ok := phases[p.Spec.NodeName]
				if !ok || p.Status.Phase == want {
					continue
				}
				p.Status.Phase = want
				exit := int32(0)
				msg := "Name: kubernetes.default\nAddress: 10.43.0.1"
				if want == corev1.PodFailed {
					exit, msg = 1, ";; connection timed out; no servers could be reached\n"+
						"** server can't find kubernetes.default: NXDOMAIN"
				}
				p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "probe", State: corev1.ContainerState{
					Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Message: msg}}}}
				_, _ = pods.UpdateStatus(ctx, p, metav1.UpdateOptions{})
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}
