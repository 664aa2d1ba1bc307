package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// Labels on the probe pods, so they can be found and removed.
const (
	managedByLabel = "app.kubernetes.io/managed-by"
	managedBy      = "kubectl-aksee"
	probeRunLabel  = "aksee.io/verify-run"
	probeName      = "kubernetes.default"
)

// ConnectivityOptions configure the DNS probe pods.
type ConnectivityOptions struct {
	// Image must have an nslookup; busybox does.
	Image     string
	Namespace string
	// Timeout bounds the whole probe, image pull included.
	Timeout time.Duration
}

// ProbeConnectivity starts a short-lived pod pinned to each Ready Linux node that resolves
// kubernetes.default through the cluster DNS, waits for them and removes them. A pod that
// cannot resolve usually means the overlay traffic between machines is blocked.
func ProbeConnectivity(ctx context.Context, client kubernetes.Interface, nodes []corev1.Node,
	o ConnectivityOptions) ([]Result, error) {
	targets := linuxReadyNodes(nodes)
	if len(targets) == 0 {
		return []Result{fail(CheckConnectivity, "cluster", "no Ready Linux node to probe from")}, nil
	}
	run := rand.String(6)
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	defer deleteProbes(client, o.Namespace, run)

	watcher := newProbeWatcher(client, o.Namespace, run)
	go watcher.ctrl.RunWithContext(ctx)
	for _, node := range targets {
		pod := probePod(node, run, o)
		if _, err := client.CoreV1().Pods(o.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("create the DNS probe pod for node %q: %w", node, err)
		}
	}
	finished := watcher.waitFinished(ctx, len(targets))
	return probeResults(targets, finished, o.Timeout), nil
}

func linuxReadyNodes(nodes []corev1.Node) []string {
	var out []string
	for i := range nodes {
		if nodes[i].Labels[osLabel] == Linux && nodeReady(&nodes[i]) {
			out = append(out, nodes[i].Name)
		}
	}
	sort.Strings(out)
	return out
}

func probePod(node, run string, o ConnectivityOptions) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "aksee-dns-probe-",
			Labels:       map[string]string{managedByLabel: managedBy, probeRunLabel: run},
		},
		Spec: corev1.PodSpec{
			NodeName:              node,
			RestartPolicy:         corev1.RestartPolicyNever,
			ActiveDeadlineSeconds: ptr.To(int64(o.Timeout.Seconds())),
			Tolerations:           []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			NodeSelector:          map[string]string{osLabel: Linux},
			Containers: []corev1.Container{{
				Name:    "probe",
				Image:   o.Image,
				Command: []string{"nslookup", probeName},
				// The log tail becomes the termination message, so no log request is needed.
				TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
			}},
		},
	}
}

// probeWatcher follows the probe pods of one run.
type probeWatcher struct {
	store   cache.Store
	ctrl    cache.Controller
	changed chan struct{}
}

func newProbeWatcher(client kubernetes.Interface, namespace, run string) *probeWatcher {
	pw := &probeWatcher{changed: make(chan struct{}, 1)}
	notify := func() {
		select {
		case pw.changed <- struct{}{}:
		default:
		}
	}
	lw := cache.NewFilteredListWatchFromClient(client.CoreV1().RESTClient(), "pods", namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = probeRunLabel + "=" + run })
	pw.store, pw.ctrl = cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    &corev1.Pod{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { notify() },
			UpdateFunc: func(any, any) { notify() },
			DeleteFunc: func(any) { notify() },
		},
	})
	return pw
}

// waitFinished returns the probe pods by node once want of them finished, or what there is
// when ctx ends.
func (pw *probeWatcher) waitFinished(ctx context.Context, want int) map[string]*corev1.Pod {
	for {
		byNode, done := map[string]*corev1.Pod{}, 0
		for _, obj := range pw.store.List() {
			p := obj.(*corev1.Pod)
			byNode[p.Spec.NodeName] = p
			if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
				done++
			}
		}
		if done >= want {
			return byNode
		}
		select {
		case <-ctx.Done():
			return byNode
		case <-pw.changed:
		}
	}
}

func probeResults(nodes []string, pods map[string]*corev1.Pod, timeout time.Duration) []Result {
	out := make([]Result, 0, len(nodes))
	for _, node := range nodes {
		out = append(out, probeResult(node, pods[node], timeout))
	}
	return out
}

func probeResult(node string, p *corev1.Pod, timeout time.Duration) Result {
	obj := nodeObject(node)
	switch {
	case p == nil:
		return fail(CheckConnectivity, obj, "the probe pod never appeared")
	case p.Status.Phase == corev1.PodSucceeded:
		return pass(CheckConnectivity, obj, "resolved "+probeName)
	case p.Status.Phase == corev1.PodFailed:
		return fail(CheckConnectivity, obj, "could not resolve "+probeName+"; when coredns runs "+
			"on another machine this means the overlay traffic between the machines is blocked: "+
			"open UDP 8472 (flannel VXLAN) in the firewall of each Linux node").
			withDetail(terminationText(p))
	}
	return fail(CheckConnectivity, obj, fmt.Sprintf("the probe pod did not finish in %s: it %s; "+
		"check that the node can pull image %s", timeout, podProblem(p), probeImage(p)))
}

func terminationText(p *corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil {
			return oneLine(fmt.Sprintf("exit code %d: %s", t.ExitCode, t.Message))
		}
	}
	return p.Status.Message
}

func probeImage(p *corev1.Pod) string {
	if len(p.Spec.Containers) == 0 {
		return ""
	}
	return p.Spec.Containers[0].Image
}

// deleteProbes removes the probe pods of run even after ctx ended.
func deleteProbes(client kubernetes.Interface, namespace, run string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := client.CoreV1().Pods(namespace).DeleteCollection(ctx,
		metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))},
		metav1.ListOptions{LabelSelector: probeRunLabel + "=" + run})
	if err != nil {
		klog.V(1).InfoS("Could not remove the DNS probe pods", "namespace", namespace, "run", run,
			"err", err)
	}
}

// oneLine joins the non-empty lines of a log tail, so it fits a table cell.
func oneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " | ")
}
