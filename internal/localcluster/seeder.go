package localcluster

import (
	"context"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// seedFieldManager owns the seeded fields; server-side apply with it restores them.
const seedFieldManager = "kubectl-aksee-seed"

// DefaultSeedWait bounds how long Seed waits for the seeded workloads to run.
const DefaultSeedWait = 60 * time.Second

// Seeder applies the seed of a Primary to a cluster and waits for it to settle.
type Seeder struct {
	client kubernetes.Interface
	dyn    dynamic.Interface
	caPEM  []byte
}

// NewSeeder returns a Seeder working with the admin configuration cfg.
func NewSeeder(cfg *rest.Config) (*Seeder, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create dynamic client: %w", err)
	}
	caPEM := cfg.CAData
	if len(caPEM) == 0 && cfg.CAFile != "" {
		if caPEM, err = os.ReadFile(cfg.CAFile); err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
	}
	return &Seeder{client: client, dyn: dyn, caPEM: caPEM}, nil
}

// Primary returns the default primary of flavour f for this cluster's API server version.
func (s *Seeder) Primary(f Flavour) (Primary, error) {
	v, err := s.client.Discovery().ServerVersion()
	if err != nil {
		return Primary{}, fmt.Errorf("read server version: %w", err)
	}
	return NewPrimary(f, v.GitVersion), nil
}

// Seed applies p's objects, deletes those seeded for another flavour and waits until the
// node is Ready and the seeded workloads run. Applying it again restores seeded fields that
// something changed since.
func (s *Seeder) Seed(ctx context.Context, p Primary) error {
	objs, err := RenderSeed(p, s.caPEM)
	if err != nil {
		return err
	}
	if err := s.replaceNode(ctx, p); err != nil {
		return err
	}
	if err := s.applyAll(ctx, objs); err != nil {
		return err
	}
	if err := s.prune(ctx, p.Flavour); err != nil {
		return err
	}
	return s.Wait(ctx, p, DefaultSeedWait)
}

// replaceNode deletes p's node if it was seeded for another flavour: some of its fields
// (spec.podCIDR, spec.providerID) cannot change once set. The pods bound to it are deleted
// at once; their controllers make new ones for the new node.
func (s *Seeder) replaceNode(ctx context.Context, p Primary) error {
	node, err := s.client.CoreV1().Nodes().Get(ctx, p.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get node %q: %w", p.NodeName, err)
	}
	if node.Labels[SeedLabel] == string(p.Flavour) {
		return nil
	}
	err = s.client.CoreV1().Nodes().Delete(ctx, p.NodeName, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete node %q: %w", p.NodeName, err)
	}
	return DeletePodsOnNode(ctx, s.client, p.NodeName)
}

// DeletePodsOnNode force-deletes every pod bound to node: with no kubelet (or kwok) behind a
// deleted node, nothing else would confirm their end.
func DeletePodsOnNode(ctx context.Context, c kubernetes.Interface, node string) error {
	pods, err := c.CoreV1().Pods(metav1.NamespaceAll).List(ctx,
		metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return fmt.Errorf("list pods on node %q: %w", node, err)
	}
	force := metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}
	for _, pod := range pods.Items {
		err := c.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, force)
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	return nil
}

// applyAll applies objs in order, retrying while the cluster is still starting (the
// controller manager creates the default service accounts a moment after /readyz).
func (s *Seeder) applyAll(ctx context.Context, objs []*unstructured.Unstructured) error {
	deadline := time.Now().Add(DefaultSeedWait)
	for _, o := range objs {
		for {
			err := s.apply(ctx, o)
			if err == nil {
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func (s *Seeder) apply(ctx context.Context, o *unstructured.Unstructured) error {
	res := s.resource(o)
	obj := o.DeepCopy()
	// The status goes with the object too: a Node created with its addresses is never seen
	// without them by kwok, whose first status write would otherwise clear them.
	status, hasStatus := obj.Object["status"]
	opts := metav1.ApplyOptions{FieldManager: seedFieldManager, Force: true}
	if _, err := res.Apply(ctx, obj.GetName(), obj, opts); err != nil {
		return fmt.Errorf("apply %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	if !hasStatus {
		return nil
	}
	st := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": obj.GetAPIVersion(), "kind": obj.GetKind(),
		"metadata": map[string]any{"name": obj.GetName()}, "status": status,
	}}
	if _, err := res.ApplyStatus(ctx, obj.GetName(), st, opts); err != nil {
		return fmt.Errorf("apply status of %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	return nil
}

func (s *Seeder) resource(o *unstructured.Unstructured) dynamic.ResourceInterface {
	gvk := o.GroupVersionKind()
	kind := seedKinds[gvk]
	res := s.dyn.Resource(gvk.GroupVersion().WithResource(kind.resource))
	if kind.namespaced {
		return res.Namespace(o.GetNamespace())
	}
	return res
}

// prune deletes the objects seeded for another flavour.
func (s *Seeder) prune(ctx context.Context, keep Flavour) error {
	selector := SeedLabel + "," + SeedLabel + "!=" + string(keep)
	for gvk, kind := range seedKinds {
		gvr := gvk.GroupVersion().WithResource(kind.resource)
		list, err := s.dyn.Resource(gvr).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return fmt.Errorf("list seeded %s: %w", kind.resource, err)
		}
		for i := range list.Items {
			if err := s.remove(ctx, gvr, kind, &list.Items[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Seeder) remove(ctx context.Context, gvr schema.GroupVersionResource, kind seedKind,
	o *unstructured.Unstructured) error {
	res := dynamic.ResourceInterface(s.dyn.Resource(gvr))
	if kind.namespaced {
		res = s.dyn.Resource(gvr).Namespace(o.GetNamespace())
	}
	err := res.Delete(ctx, o.GetName(), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete %s %q: %w", o.GetKind(), o.GetName(), err)
	}
	return nil
}

// Wait waits until p's node is Ready and every seeded workload in kube-system runs, with
// no pod of kube-system still terminating.
func (s *Seeder) Wait(ctx context.Context, p Primary, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var why string
	for {
		var err error
		why, err = s.notSettled(ctx, p)
		if err == nil && why == "" {
			return nil
		}
		if err != nil {
			why = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the seeded cluster: %w (%s)", ctx.Err(), why)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// notSettled returns why the seeded cluster is not settled yet, or "" when it is.
func (s *Seeder) notSettled(ctx context.Context, p Primary) (string, error) {
	node, err := s.client.CoreV1().Nodes().Get(ctx, p.NodeName, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("get node %q: %w", p.NodeName, err)
	}
	if !nodeReady(node) {
		return "node " + p.NodeName + " is not Ready", nil
	}
	if why, err := s.workloadsNotReady(ctx, p.Flavour); why != "" || err != nil {
		return why, err
	}
	return s.podsNotSettled(ctx)
}

func (s *Seeder) workloadsNotReady(ctx context.Context, f Flavour) (string, error) {
	opts := metav1.ListOptions{LabelSelector: SeedLabel + "=" + string(f)}
	deps, err := s.client.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, opts)
	if err != nil {
		return "", fmt.Errorf("list deployments: %w", err)
	}
	for _, d := range deps.Items {
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != want ||
			d.Status.AvailableReplicas != want || d.Status.Replicas != want {
			return "deployment " + d.Name + " is not available", nil
		}
	}
	dss, err := s.client.AppsV1().DaemonSets(metav1.NamespaceAll).List(ctx, opts)
	if err != nil {
		return "", fmt.Errorf("list daemonsets: %w", err)
	}
	for _, ds := range dss.Items {
		st := ds.Status
		if st.ObservedGeneration < ds.Generation || st.DesiredNumberScheduled == 0 ||
			st.NumberReady != st.DesiredNumberScheduled ||
			st.UpdatedNumberScheduled != st.DesiredNumberScheduled {
			return "daemonset " + ds.Name + " is not ready", nil
		}
	}
	return "", nil
}

// podsNotSettled checks that every pod in kube-system runs and none is terminating.
func (s *Seeder) podsNotSettled(ctx context.Context) (string, error) {
	pods, err := s.client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("list pods: %w", err)
	}
	for _, pod := range pods.Items {
		if pod.DeletionTimestamp != nil {
			return "pod " + pod.Name + " is terminating", nil
		}
		if pod.Status.Phase != corev1.PodRunning {
			return "pod " + pod.Name + " is " + string(pod.Status.Phase), nil
		}
	}
	return "", nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
