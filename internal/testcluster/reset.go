package testcluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
)

// keptNamespaces survive a reset; the objects tests made in default and aksedge are deleted.
var keptNamespaces = map[string]bool{
	metav1.NamespaceDefault:         true,
	metav1.NamespaceSystem:          true,
	metav1.NamespacePublic:          true,
	corev1.NamespaceNodeLease:       true,
	localcluster.ClusterIDNamespace: true,
}

// notSeeded selects the objects the seed step did not make.
const notSeeded = "!" + localcluster.SeedLabel

// notBootstrapping selects the RBAC objects that neither the API server (which labels its
// own kubernetes.io/bootstrapping) nor the seed made.
const notBootstrapping = "!kubernetes.io/bootstrapping," + notSeeded

var (
	background = metav1.DeleteOptions{PropagationPolicy: new(metav1.DeletePropagationBackground)}
	// forceDelete skips the kubelet's confirmation, which no kwok-less node would give.
	forceDelete = metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}
)

// reset brings the cluster back to the seed of flavour f: it deletes what tests made (nodes,
// namespaces, workloads in default and aksedge, bootstrap tokens, CSRs, cluster RBAC, and
// kube-system pods made or changed since the last reset), then applies the seed again and
// waits for it to settle.
func (e *env) reset(ctx context.Context, f Flavour) (localcluster.Primary, error) {
	p, err := e.seeder.Primary(f)
	if err != nil {
		return p, err
	}
	steps := []func(context.Context) error{
		e.deleteNodes, e.deleteNamespaces, e.cleanKubeSystem, e.deleteClusterObjects,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return p, err
		}
	}
	if err := e.uncordon(ctx, p.NodeName); err != nil {
		return p, err
	}
	if err := e.seeder.Seed(ctx, p); err != nil {
		return p, err
	}
	return p, e.recordSettled(ctx)
}

// deleteNodes deletes every node but the seeded one, and the pods bound to them.
func (e *env) deleteNodes(ctx context.Context) error {
	nodes, err := e.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: notSeeded})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	for _, n := range nodes.Items {
		err := e.client.CoreV1().Nodes().Delete(ctx, n.Name, background)
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node %q: %w", n.Name, err)
		}
		if err := localcluster.DeletePodsOnNode(ctx, e.client, n.Name); err != nil {
			return err
		}
	}
	return nil
}

// deleteNamespaces deletes every namespace a test made and waits until they are gone, so
// the next test can create one of the same name, and deletes what tests made in the kept
// namespaces default and aksedge.
func (e *env) deleteNamespaces(ctx context.Context) error {
	resources, err := e.namespacedResources()
	if err != nil {
		return err
	}
	list, err := e.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list namespaces: %w", err)
	}
	for _, ns := range list.Items {
		if keptNamespaces[ns.Name] {
			continue
		}
		if err := e.removeNamespace(ctx, ns.Name, resources); err != nil {
			return err
		}
	}
	testMade := metav1.ListOptions{LabelSelector: notSeeded, FieldSelector: keptObjects}
	for _, ns := range []string{metav1.NamespaceDefault, localcluster.ClusterIDNamespace} {
		if err := e.deleteContent(ctx, ns, resources, testMade); err != nil {
			return err
		}
	}
	return nil
}

// cleanKubeSystem deletes bootstrap tokens, test-made workloads, and the pods made or
// changed since the last reset; the seeded controllers recreate theirs.
func (e *env) cleanKubeSystem(ctx context.Context) error {
	ns := metav1.NamespaceSystem
	c := e.client
	err := c.CoreV1().Secrets(ns).DeleteCollection(ctx, background,
		metav1.ListOptions{FieldSelector: "type=" + string(corev1.SecretTypeBootstrapToken)})
	if err != nil {
		return fmt.Errorf("delete bootstrap tokens: %w", err)
	}
	notSeededOpts := metav1.ListOptions{LabelSelector: notSeeded}
	if err := c.AppsV1().Deployments(ns).DeleteCollection(ctx, background, notSeededOpts); err != nil {
		return fmt.Errorf("delete kube-system deployments: %w", err)
	}
	if err := c.AppsV1().DaemonSets(ns).DeleteCollection(ctx, background, notSeededOpts); err != nil {
		return fmt.Errorf("delete kube-system daemonsets: %w", err)
	}
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list kube-system pods: %w", err)
	}
	for _, pod := range pods.Items {
		if e.settled != nil && e.settled[pod.UID] == pod.ResourceVersion {
			continue
		}
		if err := deletePod(ctx, c, ns, pod.Name); err != nil {
			return err
		}
	}
	return nil
}

// deleteClusterObjects deletes CSRs and the cluster RBAC objects tests made.
func (e *env) deleteClusterObjects(ctx context.Context) error {
	c := e.client
	if err := c.CertificatesV1().CertificateSigningRequests().DeleteCollection(ctx,
		background, metav1.ListOptions{}); err != nil {
		return fmt.Errorf("delete CSRs: %w", err)
	}
	opts := metav1.ListOptions{LabelSelector: notBootstrapping}
	if err := c.RbacV1().ClusterRoleBindings().DeleteCollection(ctx, background, opts); err != nil {
		return fmt.Errorf("delete cluster role bindings: %w", err)
	}
	if err := c.RbacV1().ClusterRoles().DeleteCollection(ctx, background, opts); err != nil {
		return fmt.Errorf("delete cluster roles: %w", err)
	}
	return nil
}

// uncordon clears what a test may have set on the seeded node outside the seeded fields.
func (e *env) uncordon(ctx context.Context, name string) error {
	node, err := e.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil // the seed makes it afresh
	}
	if err != nil {
		return fmt.Errorf("get node %q: %w", name, err)
	}
	if !node.Spec.Unschedulable && len(node.Spec.Taints) == 0 {
		return nil
	}
	patch := []byte(`{"spec":{"unschedulable":null,"taints":null}}`)
	_, err = e.client.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, patch,
		metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("uncordon node %q: %w", name, err)
	}
	return nil
}

// recordSettled remembers the kube-system pods of the settled seed.
func (e *env) recordSettled(ctx context.Context) error {
	pods, err := e.client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list kube-system pods: %w", err)
	}
	e.settled = make(map[types.UID]string, len(pods.Items))
	for _, pod := range pods.Items {
		e.settled[pod.UID] = pod.ResourceVersion
	}
	return nil
}

func deletePod(ctx context.Context, c kubernetes.Interface, ns, name string) error {
	err := c.CoreV1().Pods(ns).Delete(ctx, name, forceDelete)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete pod %s/%s: %w", ns, name, err)
	}
	return nil
}
