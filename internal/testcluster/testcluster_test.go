package testcluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestUserWithoutRightsIsForbidden(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ctx := ctxFor(t)
	client, err := kubernetes.NewForConfig(c.UserConfig(t, "alice", "lab-operators"))
	if err != nil {
		t.Fatal(err)
	}

	_, err = client.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("listing kube-system secrets as alice: got %v, want 403 Forbidden", err)
	}
	if !strings.Contains(err.Error(), `"alice"`) {
		t.Errorf("the refusal does not name the user: %v", err)
	}
}

func TestInvalidLabelValueIsRejected(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "bad-label", Namespace: "default",
		Labels: map[string]string{"aksedge/role": "not a valid value!"},
	}}

	_, err := c.Client.CoreV1().ConfigMaps("default").Create(ctxFor(t), cm, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("creating a ConfigMap with label value %q: got %v, want 422 Invalid",
			cm.Labels["aksedge/role"], err)
	}
}

func TestWatchDeliversNodeStatusChange(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ctx := ctxFor(t)
	// No kwok annotation: nothing but this test writes the node's status.
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker1-ledge"}}
	node, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Client.CoreV1().Nodes().Watch(ctx, metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", node.Name).String(),
		ResourceVersion: node.ResourceVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	patch := []byte(`{"status":{"conditions":[
		{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}}`)
	_, err = c.Client.CoreV1().Nodes().Patch(ctx, node.Name, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{}, "status")
	if err != nil {
		t.Fatal(err)
	}

	// The node lifecycle controller may change the node first; wait for this change.
	for {
		ev := waitEvent(t, w)
		if ev.Type != watch.Modified {
			t.Fatalf("got a %s event, want Modified", ev.Type)
		}
		conds := ev.Object.(*corev1.Node).Status.Conditions
		if len(conds) == 1 && conds[0].Reason == "KubeletNotReady" {
			return
		}
	}
}

func waitEvent(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("the watch closed before any event")
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no watch event within 30s")
	}
	return watch.Event{}
}

func TestSeededPrimary(t *testing.T) {
	tests := []struct {
		flavour     testcluster.Flavour
		kubelet     string
		roleLabel   string
		networkPods string
	}{
		{testcluster.K3s, "+k3s1", "node-role.kubernetes.io/master", ""},
		{testcluster.K8s, "", "node-role.kubernetes.io/control-plane", "k8s-app=calico-node"},
	}
	for _, tc := range tests {
		t.Run(string(tc.flavour), func(t *testing.T) {
			c := testcluster.Start(t, tc.flavour)
			checkSeededNode(t, c, tc.kubelet, tc.roleLabel)
			checkSeededWorkloads(t, c, tc.networkPods)
		})
	}
}

func checkSeededNode(t *testing.T, c *testcluster.Cluster, suffix, roleLabel string) {
	t.Helper()
	ctx := ctxFor(t)
	node, err := c.Client.CoreV1().Nodes().Get(ctx, c.Primary.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"kubelet": v.GitVersion + suffix, "os": "linux", "ip": "10.10.75.51", "role": "present",
	}
	got := map[string]string{
		"kubelet": node.Status.NodeInfo.KubeletVersion,
		"os":      node.Labels["kubernetes.io/os"],
		"ip":      internalIP(node),
		"role":    "absent",
	}
	if _, ok := node.Labels[roleLabel]; ok {
		got["role"] = "present"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seeded node %s (-want +got):\n%s", node.Name, diff)
	}
	if !strings.HasSuffix(node.Name, "-ledge") {
		t.Errorf("node name %q does not end in -ledge", node.Name)
	}
}

func internalIP(n *corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

func checkSeededWorkloads(t *testing.T, c *testcluster.Cluster, networkPods string) {
	t.Helper()
	ctx := ctxFor(t)
	cm, err := c.Client.CoreV1().ConfigMaps("aksedge").Get(ctx, "aksedge", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["clustername"] != c.Primary.ClusterName {
		t.Errorf("aksedge/aksedge clustername = %q, want %q",
			cm.Data["clustername"], c.Primary.ClusterName)
	}
	ds, err := c.Client.AppsV1().DaemonSets(localcluster.KubeVIPNamespace).Get(ctx,
		localcluster.KubeVIPDaemonSet, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := envValue(ds, localcluster.VIPEnv); got != c.Primary.VIP {
		t.Errorf("kube-vip address = %q, want %q", got, c.Primary.VIP)
	}
	if networkPods == "" {
		return
	}
	pods, err := c.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: networkPods})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) == 0 || pods.Items[0].Status.Phase != corev1.PodRunning {
		t.Errorf("pods %s: got %d, want one Running", networkPods, len(pods.Items))
	}
}

func envValue(ds *appsv1.DaemonSet, name string) string {
	for _, ctr := range ds.Spec.Template.Spec.Containers {
		for _, e := range ctr.Env {
			if e.Name == name {
				return e.Value
			}
		}
	}
	return ""
}

func TestDeploymentRunsOnKwokNode(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ctx := ctxFor(t)
	createNamespace(t, c, "vote")
	labels := map[string]string{"app": "vote"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "vote", Namespace: "vote"},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
					Containers:   []corev1.Container{{Name: "vote", Image: "example.invalid/vote:1"}},
				},
			},
		},
	}
	_, err := c.Client.AppsV1().Deployments("vote").Create(ctx, dep, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	pods := waitPodsRunning(t, c, "vote", "app=vote", 2)
	for _, p := range pods {
		if p.Spec.NodeName != c.Primary.NodeName {
			t.Errorf("pod %s runs on %q, want the kwok node %q",
				p.Name, p.Spec.NodeName, c.Primary.NodeName)
		}
	}
}

func createNamespace(t *testing.T, c *testcluster.Cluster, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	_, err := c.Client.CoreV1().Namespaces().Create(ctxFor(t), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func waitPodsRunning(t *testing.T, c *testcluster.Cluster, ns, selector string, n int) []corev1.Pod {
	t.Helper()
	ctx := ctxFor(t)
	var last string
	for {
		opts := metav1.ListOptions{LabelSelector: selector}
		pods, err := c.Client.CoreV1().Pods(ns).List(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		if running == n && len(pods.Items) == n {
			return pods.Items
		}
		last = fmt.Sprintf("%d pods, %d running", len(pods.Items), running)
		select {
		case <-ctx.Done():
			t.Fatalf("pods %s never ran: %s", selector, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestLoadBalancerGetsAddressFromRange(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ctx := ctxFor(t)
	createNamespace(t, c, "lb")
	got := map[string]string{}
	// One at a time, so the order of the addresses is known; "third" comes after "first" is
	// deleted and takes its address.
	for _, name := range []string{"first", "second", "-first", "third"} {
		if strings.HasPrefix(name, "-") {
			err := c.Client.CoreV1().Services("lb").Delete(ctx, name[1:], metav1.DeleteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		createLoadBalancer(t, c, "lb", name)
		got[name] = waitIngress(t, c, "lb", name)
	}

	want := map[string]string{"first": "10.10.75.101", "second": "10.10.75.102", "third": "10.10.75.101"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadBalancer addresses (-want +got):\n%s", diff)
	}
}

func createLoadBalancer(t *testing.T, c *testcluster.Cluster, ns, name string) {
	t.Helper()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}},
		},
	}
	if _, err := c.Client.CoreV1().Services(ns).Create(ctxFor(t), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func waitIngress(t *testing.T, c *testcluster.Cluster, ns, name string) string {
	t.Helper()
	ctx := ctxFor(t)
	for {
		svc, err := c.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if in := svc.Status.LoadBalancer.Ingress; len(in) > 0 {
			return in[0].IP
		}
		select {
		case <-ctx.Done():
			t.Fatalf("service %s/%s got no LoadBalancer address", ns, name)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestResetRemovesWhatTheLastTestMade(t *testing.T) {
	t.Run("make", func(t *testing.T) {
		c := testcluster.Start(t, testcluster.K8s)
		ctx := ctxFor(t)
		createNamespace(t, c, "scratch")
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "leftover"}}
		if _, err := c.Client.CoreV1().ConfigMaps("scratch").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker9-ledge"}}
		if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		cordon := []byte(`{"spec":{"unschedulable":true}}`)
		_, err := c.Client.CoreV1().Nodes().Patch(ctx, c.Primary.NodeName, types.MergePatchType, cordon,
			metav1.PatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		token := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-abcdef", Namespace: "kube-system"},
			Type:       corev1.SecretTypeBootstrapToken,
			StringData: map[string]string{"token-id": "abcdef", "token-secret": "0123456789abcdef"},
		}
		if _, err := c.Client.CoreV1().Secrets("kube-system").Create(ctx, token, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("check", func(t *testing.T) {
		c := testcluster.Start(t, testcluster.K3s)
		ctx := ctxFor(t)
		core := c.Client.CoreV1()
		get := metav1.GetOptions{}
		checks := map[string]error{}
		_, checks["namespace scratch"] = core.Namespaces().Get(ctx, "scratch", get)
		_, checks["node worker9-ledge"] = core.Nodes().Get(ctx, "worker9-ledge", get)
		_, checks["token abcdef"] = core.Secrets("kube-system").Get(ctx, "bootstrap-token-abcdef", get)
		_, checks["K8s cluster-info"] = core.ConfigMaps("kube-public").Get(ctx, "cluster-info", get)
		// Objects of a finalized namespace must not come back with a namespace of that name.
		createNamespace(t, c, "scratch")
		_, checks["configmap leftover"] = core.ConfigMaps("scratch").Get(ctx, "leftover", get)
		node, err := core.Nodes().Get(ctx, c.Primary.NodeName, get)
		if err != nil {
			t.Fatal(err)
		}
		if node.Spec.Unschedulable {
			t.Error("the seeded node is still cordoned after a reset")
		}
		for what, err := range checks {
			if !apierrors.IsNotFound(err) {
				t.Errorf("%s after a reset: got %v, want NotFound", what, err)
			}
		}
	})
}
