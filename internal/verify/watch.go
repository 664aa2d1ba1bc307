package verify

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// settle is how long Wait lets a burst of watch events pass before it evaluates again.
const settle = 200 * time.Millisecond

// readyzRetry is how often Wait asks /readyz again while it fails.
const readyzRetry = 5 * time.Second

// Watcher keeps the state of the cluster current through watches: it lists each kind once
// and then follows its events, holding only the objects that exist now, trimmed.
type Watcher struct {
	client   kubernetes.Interface
	endpoint string
	server   string
	readyz   error
	changed  chan struct{}

	nodes, systemPods, calicoPods, namespaces, configMaps cache.Store
	controllers                                           []cache.Controller
}

// NewWatcher prepares the watches; Start runs them.
func NewWatcher(client kubernetes.Interface, endpoint string) *Watcher {
	w := &Watcher{client: client, endpoint: endpoint, changed: make(chan struct{}, 1)}
	core := client.CoreV1().RESTClient()
	all := func(*metav1.ListOptions) {}
	w.nodes = w.add(cache.NewFilteredListWatchFromClient(core, "nodes", "", all), &corev1.Node{})
	w.systemPods = w.add(cache.NewFilteredListWatchFromClient(core, "pods", SystemNamespace, all),
		&corev1.Pod{})
	calico := CalicoListOptions()
	w.calicoPods = w.add(cache.NewFilteredListWatchFromClient(core, "pods", metav1.NamespaceAll,
		func(o *metav1.ListOptions) {
			o.LabelSelector, o.FieldSelector = calico.LabelSelector, calico.FieldSelector
		}),
		&corev1.Pod{})
	byName := func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", AksEdgeNamespace).String()
	}
	w.namespaces = w.add(cache.NewFilteredListWatchFromClient(core, "namespaces", "", byName),
		&corev1.Namespace{})
	w.configMaps = w.add(cache.NewFilteredListWatchFromClient(core, "configmaps", AksEdgeNamespace,
		byName), &corev1.ConfigMap{})
	return w
}

func (w *Watcher) add(lw *cache.ListWatch, obj runtime.Object) cache.Store {
	notify := func() {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	store, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    obj,
		Transform:     trimObject,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { notify() },
			UpdateFunc: func(any, any) { notify() },
			DeleteFunc: func(any) { notify() },
		},
	})
	w.controllers = append(w.controllers, ctrl)
	return store
}

// trimObject keeps only what the checks read of the objects the watches deliver.
func trimObject(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Node:
		n := TrimNode(o)
		return &n, nil
	case *corev1.Pod:
		p := TrimPod(o)
		return &p, nil
	case *corev1.ConfigMap:
		o.ManagedFields = nil
		return o, nil
	}
	return obj, nil
}

// Start reads the API server version, starts the watches and waits for their first lists.
func (w *Watcher) Start(ctx context.Context) error {
	info, err := w.client.Discovery().ServerVersion()
	if err != nil {
		return fmt.Errorf("%w: read the API server version: %w", ErrUnavailable, err)
	}
	w.server = info.GitVersion
	w.readyz = Readyz(ctx, w.client)
	synced := make([]cache.InformerSynced, 0, len(w.controllers))
	for _, c := range w.controllers {
		go c.RunWithContext(ctx)
		synced = append(synced, c.HasSynced)
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("%w: watch the cluster: %w", ErrUnavailable, context.Cause(ctx))
	}
	return nil
}

// readyzRetry fires after a while when /readyz failed, since no watch event says that the
// API server became ready; while it is ready it never fires.
func (w *Watcher) readyzRetry() <-chan time.Time {
	if w.readyz == nil {
		return nil
	}
	return time.After(readyzRetry)
}

// Changed receives a value when a watched object was added, changed or deleted.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

// State returns a copy of the current state. /readyz is asked again only while it fails.
func (w *Watcher) State(ctx context.Context) *State {
	if w.readyz != nil {
		w.readyz = Readyz(ctx, w.client)
	}
	s := &State{ServerVersion: w.server, ReadyzErr: w.readyz, Endpoint: w.endpoint}
	s.Nodes = storeItems[corev1.Node](w.nodes)
	s.SystemPods = storeItems[corev1.Pod](w.systemPods)
	s.CalicoPods = storeItems[corev1.Pod](w.calicoPods)
	s.AksEdgeNamespace = len(w.namespaces.List()) > 0
	if items := storeItems[corev1.ConfigMap](w.configMaps); len(items) > 0 {
		s.AksEdgeConfigMap = &items[0]
	}
	return s
}

func storeItems[T any](store cache.Store) []T {
	objs := store.List()
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		if t, ok := o.(*T); ok {
			out = append(out, *t)
		}
	}
	return out
}

// Wait follows the cluster until the report passes or ctx ends, calling progress with every
// report it makes. It returns the last report; the error is ctx's when time ran out.
func Wait(ctx context.Context, w *Watcher, e Expectations, o Options,
	progress func(Report)) (Report, error) {
	if err := w.Start(ctx); err != nil {
		return Report{}, err
	}
	for {
		report := Evaluate(w.State(ctx), e, o)
		if progress != nil {
			progress(report)
		}
		if report.Status != Fail {
			return report, nil
		}
		select {
		case <-ctx.Done():
			return report, context.Cause(ctx)
		case <-w.Changed():
		case <-w.readyzRetry():
		}
		klog.V(3).InfoS("Cluster changed, checking again")
		select {
		case <-ctx.Done():
		case <-time.After(settle):
		}
	}
}
