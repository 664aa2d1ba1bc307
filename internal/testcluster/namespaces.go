package testcluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// emptyWait bounds how long a reset waits for a namespace's content to go (objects with
// finalizers may linger) before it leaves the namespace to the namespace controller.
const emptyWait = 10 * time.Second

// keptObjects are the objects every namespace gets from the control plane itself: the CA
// bundle, the default service account, and in default the kubernetes Service.
const keptObjects = "metadata.name!=kube-root-ca.crt," +
	"metadata.name!=default,metadata.name!=kubernetes"

// namespacedResource is a namespaced resource a reset can delete.
type namespacedResource struct {
	gvr        schema.GroupVersionResource
	collection bool // supports deletecollection; else list and delete one by one
}

// namespacedResources lists, through discovery, every namespaced resource that can be
// listed and deleted, so objects of any kind (custom ones too) go with their namespace.
func (e *env) namespacedResources() ([]namespacedResource, error) {
	lists, err := e.client.Discovery().ServerPreferredNamespacedResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover namespaced resources: %w", err)
	}
	var out []namespacedResource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "delete") {
				continue
			}
			out = append(out, namespacedResource{
				gvr:        gv.WithResource(r.Name),
				collection: slices.Contains(r.Verbs, "deletecollection"),
			})
		}
	}
	return out, nil
}

// deleteContent deletes the objects of ns that match opts, of every resource. Pods go at
// once: no kubelet would confirm the end of a pod on a node kwok does not manage.
func (e *env) deleteContent(ctx context.Context, ns string, resources []namespacedResource,
	opts metav1.ListOptions) error {
	for _, r := range resources {
		del := background
		if r.gvr.Group == "" && r.gvr.Resource == "pods" {
			del = forceDelete
		}
		res := e.dyn.Resource(r.gvr).Namespace(ns)
		if err := deleteMatching(ctx, res, r.collection, del, opts); err != nil {
			return fmt.Errorf("delete %s in namespace %q: %w", r.gvr.Resource, ns, err)
		}
	}
	return nil
}

func deleteMatching(ctx context.Context, res dynamic.ResourceInterface, collection bool,
	del metav1.DeleteOptions, opts metav1.ListOptions) error {
	if collection {
		return ignoreGone(res.DeleteCollection(ctx, del, opts))
	}
	list, err := res.List(ctx, opts)
	if err != nil {
		return ignoreGone(err)
	}
	for _, item := range list.Items {
		if err := ignoreGone(res.Delete(ctx, item.GetName(), del)); err != nil {
			return err
		}
	}
	return nil
}

// ignoreGone drops the errors of a resource or object that went away meanwhile.
func ignoreGone(err error) error {
	if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
		return nil
	}
	return err
}

// removeNamespace deletes ns with all its content and then finalizes it itself. The
// namespace controller would do the same, but only after a fixed five-second delay
// (namespaceDeletionGracePeriod in kube-controller-manager), which every test would pay.
func (e *env) removeNamespace(ctx context.Context, ns string,
	resources []namespacedResource) error {
	err := e.client.CoreV1().Namespaces().Delete(ctx, ns, background)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete namespace %q: %w", ns, err)
	}
	// Terminating now, the namespace refuses new objects, so controllers cannot refill it.
	if err := e.deleteContent(ctx, ns, resources, metav1.ListOptions{}); err != nil {
		return err
	}
	if err := e.waitEmpty(ctx, ns, resources); err != nil {
		return waitNamespaceGone(ctx, e, ns)
	}
	return e.finalize(ctx, ns)
}

// waitEmpty waits until ns holds no object of any resource.
func (e *env) waitEmpty(ctx context.Context, ns string, resources []namespacedResource) error {
	ctx, cancel := context.WithTimeout(ctx, emptyWait)
	defer cancel()
	for {
		left, err := e.anyLeft(ctx, ns, resources)
		if err != nil || !left {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (e *env) anyLeft(ctx context.Context, ns string,
	resources []namespacedResource) (bool, error) {
	for _, r := range resources {
		list, err := e.dyn.Resource(r.gvr).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
		if ignoreGone(err) != nil {
			return false, err
		}
		if err == nil && len(list.Items) > 0 {
			return true, nil
		}
	}
	return false, nil
}

func (e *env) finalize(ctx context.Context, name string) error {
	ns, err := e.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get namespace %q: %w", name, err)
	}
	ns.Spec.Finalizers = slices.DeleteFunc(ns.Spec.Finalizers, func(f corev1.FinalizerName) bool {
		return f == corev1.FinalizerKubernetes
	})
	_, err = e.client.CoreV1().Namespaces().Finalize(ctx, ns, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) {
		return e.finalize(ctx, name) // changed meanwhile (its status, say): read it again
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("finalize namespace %q: %w", name, err)
	}
	return waitNamespaceGone(ctx, e, name)
}

func waitNamespaceGone(ctx context.Context, e *env, name string) error {
	for {
		_, err := e.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for namespace %q to go: %w", name, errors.Join(ctx.Err(), err))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
