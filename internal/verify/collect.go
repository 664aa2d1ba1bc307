package verify

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// PageSize bounds every list verify makes, so a big cluster is read a page at a time.
const PageSize = 500

// ErrUnavailable marks errors that kept verify from reading the cluster at all, as opposed to
// checks that failed.
var ErrUnavailable = errors.New("cannot read the cluster")

// Collect reads the state the checks need: the nodes, the pods of kube-system, calico-node
// pods elsewhere, the aksedge ConfigMap, the API server version and /readyz. endpoint is the
// URL of the API server the client talks to.
func Collect(ctx context.Context, client kubernetes.Interface, endpoint string) (*State, error) {
	s := &State{Endpoint: endpoint}
	info, err := client.Discovery().ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("%w: read the API server version: %w", ErrUnavailable, err)
	}
	s.ServerVersion = info.GitVersion
	s.ReadyzErr = Readyz(ctx, client)

	if s.Nodes, err = ListNodes(ctx, client); err != nil {
		return nil, err
	}
	if s.SystemPods, err = ListPods(ctx, client, SystemNamespace, metav1.ListOptions{}); err != nil {
		return nil, err
	}
	if s.CalicoPods, err = ListPods(ctx, client, metav1.NamespaceAll, CalicoListOptions()); err != nil {
		return nil, err
	}
	if err := readAksEdge(ctx, client, s); err != nil {
		return nil, err
	}
	return s, nil
}

// CalicoListOptions selects calico-node pods outside kube-system, which is listed whole.
func CalicoListOptions() metav1.ListOptions {
	return metav1.ListOptions{
		LabelSelector: CalicoSelector,
		FieldSelector: fields.OneTermNotEqualSelector("metadata.namespace", SystemNamespace).String(),
	}
}

// Readyz asks the API server's /readyz; nil means ready.
func Readyz(ctx context.Context, client kubernetes.Interface) error {
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		if len(body) > 0 {
			return fmt.Errorf("%w: %s", err, body)
		}
		return err
	}
	return nil
}

// ListNodes lists every node a page at a time, keeping only what the checks read.
func ListNodes(ctx context.Context, client kubernetes.Interface) ([]corev1.Node, error) {
	var nodes []corev1.Node
	opts := metav1.ListOptions{Limit: PageSize}
	for {
		list, err := client.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("%w: list nodes: %w", ErrUnavailable, err)
		}
		for i := range list.Items {
			nodes = append(nodes, TrimNode(&list.Items[i]))
		}
		klog.V(3).InfoS("Listed nodes", "page", len(list.Items), "total", len(nodes))
		if opts.Continue = list.Continue; opts.Continue == "" {
			return nodes, nil
		}
	}
}

// ListPods lists the pods of a namespace ("" for all) matching opts a page at a time, keeping
// only what the checks read.
func ListPods(ctx context.Context, client kubernetes.Interface, namespace string,
	opts metav1.ListOptions) ([]corev1.Pod, error) {
	var pods []corev1.Pod
	opts.Limit = PageSize
	for {
		list, err := client.CoreV1().Pods(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("%w: list pods in %q: %w", ErrUnavailable, namespace, err)
		}
		for i := range list.Items {
			pods = append(pods, TrimPod(&list.Items[i]))
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			return pods, nil
		}
	}
}

// readAksEdge reads ConfigMap aksedge/aksedge and, when it is missing, whether its namespace
// exists.
func readAksEdge(ctx context.Context, client kubernetes.Interface, s *State) error {
	configMaps := client.CoreV1().ConfigMaps(AksEdgeNamespace)
	cm, err := configMaps.Get(ctx, AksEdgeConfigMap, metav1.GetOptions{})
	switch {
	case err == nil:
		s.AksEdgeNamespace, s.AksEdgeConfigMap = true, cm
		return nil
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("%w: read configmap %s/%s: %w", ErrUnavailable, AksEdgeNamespace,
			AksEdgeConfigMap, err)
	}
	_, err = client.CoreV1().Namespaces().Get(ctx, AksEdgeNamespace, metav1.GetOptions{})
	switch {
	case err == nil:
		s.AksEdgeNamespace = true
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("%w: read namespace %s: %w", ErrUnavailable, AksEdgeNamespace, err)
	}
	return nil
}

// TrimNode copies what the checks read of a node, dropping the image list, managed fields and
// annotations that make up most of a node object.
func TrimNode(n *corev1.Node) corev1.Node {
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, UID: n.UID,
			ResourceVersion: n.ResourceVersion},
		Spec: corev1.NodeSpec{Unschedulable: n.Spec.Unschedulable, Taints: n.Spec.Taints},
		Status: corev1.NodeStatus{
			Conditions: n.Status.Conditions,
			Addresses:  n.Status.Addresses,
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: n.Status.NodeInfo.KubeletVersion,
				OSImage: n.Status.NodeInfo.OSImage},
		},
	}
}

// TrimPod copies what the checks read of a pod.
func TrimPod(p *corev1.Pod) corev1.Pod {
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels,
			UID: p.UID, ResourceVersion: p.ResourceVersion, DeletionTimestamp: p.DeletionTimestamp},
		Spec: corev1.PodSpec{NodeName: p.Spec.NodeName},
		Status: corev1.PodStatus{
			Phase:             p.Status.Phase,
			Reason:            p.Status.Reason,
			Conditions:        p.Status.Conditions,
			ContainerStatuses: trimContainerStatuses(p.Status.ContainerStatuses),
		},
	}
}

func trimContainerStatuses(in []corev1.ContainerStatus) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, len(in))
	for i, cs := range in {
		out[i] = corev1.ContainerStatus{Name: cs.Name, Ready: cs.Ready,
			RestartCount: cs.RestartCount, State: cs.State}
	}
	return out
}
