//go:build scalebench && linux

package verify_test

// The scale benchmark of BENCHMARKS.md. It fills the local control plane with 5,000 nodes and
// 20,000 pods, which takes minutes, so it is built only with -tags scalebench:
//
//	AKSEE_CONTROLPLANE_DIR=$(hack/build-controlplane.sh) \
//	  go test -tags scalebench -run TestScale -v -timeout 60m ./internal/verify/

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/verify"
)

const (
	benchNodes       = 5000
	benchSystemPods  = 5000  // one agent per node in kube-system, as a DaemonSet would place
	benchAppPods     = 15000 // three per node in namespace bench-apps
	benchAppNS       = "bench-apps"
	benchWorkers     = 32
	benchRounds      = 5
	benchContentType = "application/vnd.kubernetes.protobuf"
)

func TestScale(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	cfg := rest.CopyConfig(c.Config)
	cfg.QPS, cfg.Burst = 2000, 4000
	cfg.ContentType = benchContentType
	client := kubernetes.NewForConfigOrDie(cfg)

	start := time.Now()
	fill(t, client, c.Primary.KubeletVersion)
	t.Logf("created %d nodes and %d pods in %s", benchNodes, benchSystemPods+benchAppPods,
		time.Since(start).Round(time.Second))

	bin := buildPlugin(t)
	var listAll, listSame, inProc, sub []time.Duration
	var rss []int64
	for round := 0; round < benchRounds; round++ {
		listAll = append(listAll, timed(t, func() error { return plainList(client, true) }))
		listSame = append(listSame, timed(t, func() error { return plainList(client, false) }))
		inProc = append(inProc, timed(t, func() error { return verifyInProcess(client, cfg.Host) }))
		d, kb := verifySubprocess(t, bin, c.Kubeconfig)
		sub, rss = append(sub, d), append(rss, kb)
	}
	report(t, listAll, listSame, inProc, sub, rss)
}

// fill creates the nodes and pods with benchWorkers concurrent clients.
func fill(t *testing.T, client kubernetes.Interface, kubelet string) {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchAppNS}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	parallel(t, benchNodes, func(i int) error {
		_, err := client.CoreV1().Nodes().Create(ctx, benchNode(i, kubelet), metav1.CreateOptions{})
		return err
	})
	parallel(t, benchSystemPods+benchAppPods, func(i int) error {
		p := benchPod(i)
		_, err := client.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{})
		return err
	})
}

func parallel(t *testing.T, n int, fn func(int) error) {
	t.Helper()
	next := make(chan int)
	errs := make(chan error, benchWorkers)
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case err := <-errs:
			t.Fatal(err)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

func nodeName(i int) string {
	if i%5 == 4 {
		return fmt.Sprintf("bench%04d-wedge", i)
	}
	return fmt.Sprintf("bench%04d-ledge", i)
}

// benchNode is a Ready node the size of a real one: labels, annotations and an image list.
func benchNode(i int, kubelet string) *corev1.Node {
	name := nodeName(i)
	os := "linux"
	if i%5 == 4 {
		os = "windows"
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/os": os, "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
			"beta.kubernetes.io/os": os, "beta.kubernetes.io/arch": "amd64",
			"node.kubernetes.io/instance-type": "k3s", "topology.kubernetes.io/zone": "lab",
		}, Annotations: map[string]string{
			"flannel.alpha.coreos.com/backend-type": "vxlan",
			"flannel.alpha.coreos.com/public-ip":    benchIP(i),
			"k3s.io/internal-ip":                    benchIP(i),
		}},
		Status: corev1.NodeStatus{
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: benchIP(i)},
				{Type: corev1.NodeHostName, Address: name}},
			Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"),
				corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubelet, OSImage: "CBL-Mariner/Linux",
				OperatingSystem: os, Architecture: "amd64", ContainerRuntimeVersion: "containerd://2.0.5-k3s1",
				KernelVersion: "5.15.186.1-1.cm2"},
		},
	}
	now := metav1.Now()
	for _, t := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure,
		corev1.NodePIDPressure} {
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: t,
			Status: corev1.ConditionFalse, Reason: "KubeletHasSufficient" + string(t),
			Message: "kubelet has sufficient resources", LastHeartbeatTime: now, LastTransitionTime: now})
	}
	n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeReady,
		Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status",
		LastHeartbeatTime: now, LastTransitionTime: now})
	for j := range 12 {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{
			Names: []string{fmt.Sprintf("registry.example/team/image-%02d@sha256:%064d", j, j),
				fmt.Sprintf("registry.example/team/image-%02d:v1.%d.0", j, j)},
			SizeBytes: int64(30_000_000 + j)})
	}
	return n
}

func benchIP(i int) string { return fmt.Sprintf("10.%d.%d.%d", 100+i/65536, i/256%256, i%256) }

// benchPod places pod i: the first benchSystemPods in kube-system, one per node, the rest in
// benchAppNS. They tolerate everything, so the node lifecycle controller evicts none.
func benchPod(i int) *corev1.Pod {
	ns, name, labels := benchAppNS, fmt.Sprintf("app-%05d", i), map[string]string{"app": "bench"}
	node := nodeName(i % benchNodes)
	if i < benchSystemPods {
		ns, name, labels = "kube-system", "bench-agent-"+node, map[string]string{"k8s-app": "bench-agent"}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec: corev1.PodSpec{
			NodeName:    node,
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Containers: []corev1.Container{{Name: "main", Image: "registry.example/team/agent:v1",
				Env: []corev1.EnvVar{{Name: "NODE", Value: node}, {Name: "MODE", Value: "bench"}}}},
		},
	}
}

// plainList is the baseline: a paginated list of the nodes and of every pod (all) or of the
// pods verify reads (kube-system and the calico-node selector), keeping nothing.
func plainList(client kubernetes.Interface, all bool) error {
	ctx := context.Background()
	opts := metav1.ListOptions{Limit: verify.PageSize}
	for {
		list, err := client.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return err
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			break
		}
	}
	lists := []struct {
		ns   string
		opts metav1.ListOptions
	}{{"", metav1.ListOptions{}}}
	if !all {
		lists = []struct {
			ns   string
			opts metav1.ListOptions
		}{{"kube-system", metav1.ListOptions{}}, {"", verify.CalicoListOptions()}}
	}
	for _, l := range lists {
		o := l.opts
		o.Limit = verify.PageSize
		for {
			list, err := client.CoreV1().Pods(l.ns).List(ctx, o)
			if err != nil {
				return err
			}
			if o.Continue = list.Continue; o.Continue == "" {
				break
			}
		}
	}
	return nil
}

func verifyInProcess(client kubernetes.Interface, host string) error {
	s, err := verify.Collect(context.Background(), client, host)
	if err != nil {
		return err
	}
	return verify.WriteTable(io.Discard, verify.Evaluate(s, verify.NoExpectations(), verify.DefaultOptions()), false)
}

func timed(t *testing.T, fn func() error) time.Duration {
	t.Helper()
	start := time.Now()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

func buildPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kubectl-aksee")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kubectl-aksee/kubectl-aksee/cmd/kubectl-aksee")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the plugin: %v\n%s", err, out)
	}
	return bin
}

// verifySubprocess runs the real command and returns its wall time and peak RSS in KiB.
func verifySubprocess(t *testing.T, bin, kubeconfig string) (time.Duration, int64) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "verify", "--kubeconfig", kubeconfig)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); err != nil && code != 1 {
		t.Fatalf("verify: %v\n%s", err, stderr.String())
	}
	return took, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func report(t *testing.T, listAll, listSame, inProc, sub []time.Duration, rss []int64) {
	t.Helper()
	maxRSS := int64(0)
	for _, r := range rss {
		maxRSS = max(maxRSS, r)
	}
	mAll, mSame, mIn, mSub := median(listAll), median(listSame), median(inProc), median(sub)
	lines := []string{
		fmt.Sprintf("rounds: %d (medians)", benchRounds),
		fmt.Sprintf("plain list, nodes + all pods:          %v", mAll.Round(time.Millisecond)),
		fmt.Sprintf("plain list, the objects verify reads:  %v", mSame.Round(time.Millisecond)),
		fmt.Sprintf("verify in process (read, check, print): %v", mIn.Round(time.Millisecond)),
		fmt.Sprintf("verify as a process (kubectl-aksee):    %v", mSub.Round(time.Millisecond)),
		fmt.Sprintf("ratio verify/plain list (all pods):      %.2f", float64(mIn)/float64(mAll)),
		fmt.Sprintf("ratio verify/plain list (same objects):  %.2f", float64(mIn)/float64(mSame)),
		fmt.Sprintf("ratio verify process/plain list (same):  %.2f", float64(mSub)/float64(mSame)),
		fmt.Sprintf("verify peak RSS: %.1f MiB (max of %d runs)", float64(maxRSS)/1024, len(rss)),
		fmt.Sprintf("all rounds: list-all %v list-same %v in-process %v process %v", listAll, listSame, inProc, sub),
	}
	for _, l := range lines {
		t.Log(l)
	}
	if path := os.Getenv("AKSEE_BENCH_OUT"); path != "" {
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
