package localcluster

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// lbRetry is how soon the allocator looks again after a failed pass, such as a missing
// range ConfigMap while a test resets the cluster.
const lbRetry = time.Second

// RunLoadBalancer plays kube-vip-cloud-provider until ctx ends: every Service of type
// LoadBalancer without a loadBalancerClass gets the lowest free address of the range in
// ConfigMap kube-system/kubevip ("range-global": "first-last") as its ingress IP. A
// Service asking for spec.loadBalancerIP inside the range gets that address if free.
func RunLoadBalancer(ctx context.Context, client kubernetes.Interface) error {
	factory := informers.NewSharedInformerFactory(client, 0)
	services := factory.Core().V1().Services()
	poke := make(chan struct{}, 1)
	notify := func(any) {
		select {
		case poke <- struct{}{}:
		default:
		}
	}
	_, err := services.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    notify,
		UpdateFunc: func(_, o any) { notify(o) },
		DeleteFunc: notify,
	})
	if err != nil {
		return fmt.Errorf("watch services: %w", err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), services.Informer().HasSynced) {
		return ctx.Err()
	}
	list := func() ([]*corev1.Service, error) { return services.Lister().List(labels.Everything()) }
	for {
		retry := time.Duration(0)
		if err := allocatePass(ctx, client, list); err != nil {
			klog.V(2).InfoS("LoadBalancer allocation pass failed", "err", err)
			retry = lbRetry
		}
		if err := waitPoke(ctx, poke, retry); err != nil {
			return nil
		}
	}
}

func waitPoke(ctx context.Context, poke <-chan struct{}, retry time.Duration) error {
	var timer <-chan time.Time
	if retry > 0 {
		timer = time.After(retry)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-poke:
	case <-timer:
	}
	return nil
}

// allocatePass gives an address to every LoadBalancer Service that lacks one.
func allocatePass(ctx context.Context, client kubernetes.Interface,
	list func() ([]*corev1.Service, error)) error {
	svcs, err := list()
	if err != nil {
		return fmt.Errorf("list services: %w", err)
	}
	pending := pendingServices(svcs)
	if len(pending) == 0 {
		return nil
	}
	pool, err := readPool(ctx, client)
	if err != nil {
		return err
	}
	used := usedAddresses(svcs)
	for _, svc := range pending {
		ip, ok := pool.pick(svc, used)
		if !ok {
			klog.V(2).InfoS("No free LoadBalancer address", "service", klog.KObj(svc))
			continue
		}
		if err := setIngress(ctx, client, svc, ip); err != nil {
			return err
		}
		used[ip] = true
	}
	return nil
}

func pendingServices(svcs []*corev1.Service) []*corev1.Service {
	var out []*corev1.Service
	for _, s := range svcs {
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer && s.Spec.LoadBalancerClass == nil &&
			len(s.Status.LoadBalancer.Ingress) == 0 && s.DeletionTimestamp == nil {
			out = append(out, s)
		}
	}
	// Oldest first, so the first Service of a sample gets the first address, as on AKS EE.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	return out
}

func usedAddresses(svcs []*corev1.Service) map[netip.Addr]bool {
	used := map[netip.Addr]bool{}
	for _, s := range svcs {
		for _, in := range s.Status.LoadBalancer.Ingress {
			if ip, err := netip.ParseAddr(in.IP); err == nil {
				used[ip] = true
			}
		}
	}
	return used
}

func setIngress(ctx context.Context, client kubernetes.Interface, svc *corev1.Service,
	ip netip.Addr) error {
	svc = svc.DeepCopy()
	vip := corev1.LoadBalancerIPModeVIP
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip.String(), IPMode: &vip}}
	_, err := client.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		// Gone or changed meanwhile: the informer brings the new state and another pass.
		return nil
	}
	if err != nil {
		return fmt.Errorf("set the address of service %s/%s: %w", svc.Namespace, svc.Name, err)
	}
	klog.V(2).InfoS("Assigned LoadBalancer address", "service", klog.KObj(svc), "ip", ip)
	return nil
}

// addressPool is an inclusive range of IPv4 addresses.
type addressPool struct{ first, last netip.Addr }

func readPool(ctx context.Context, client kubernetes.Interface) (addressPool, error) {
	cms := client.CoreV1().ConfigMaps(KubeVIPNamespace)
	cm, err := cms.Get(ctx, KubeVIPConfigMap, metav1.GetOptions{})
	if err != nil {
		return addressPool{}, fmt.Errorf("read the LoadBalancer range: %w", err)
	}
	return parsePool(cm.Data[ServiceRangeKey])
}

// parsePool parses "first-last". An empty range is a valid pool with no addresses, as a
// cluster deployed with ServiceIPRangeSize 0.
func parsePool(s string) (addressPool, error) {
	if s == "" {
		return addressPool{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	first, err1 := netip.ParseAddr(strings.TrimSpace(a))
	last, err2 := netip.ParseAddr(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || !first.Is4() || !last.Is4() || last.Less(first) {
		return addressPool{}, fmt.Errorf("LoadBalancer range %q is not first-last IPv4", s)
	}
	return addressPool{first: first, last: last}, nil
}

func (p addressPool) contains(ip netip.Addr) bool {
	return p.first.IsValid() && !ip.Less(p.first) && !p.last.Less(ip)
}

// pick returns the address svc asked for if it is in the pool and free, else the lowest
// free address.
func (p addressPool) pick(svc *corev1.Service, used map[netip.Addr]bool) (netip.Addr, bool) {
	if want, err := netip.ParseAddr(svc.Spec.LoadBalancerIP); err == nil {
		return want, p.contains(want) && !used[want]
	}
	if !p.first.IsValid() {
		return netip.Addr{}, false
	}
	for ip := p.first; !p.last.Less(ip); ip = ip.Next() {
		if !used[ip] {
			return ip, true
		}
	}
	return netip.Addr{}, false
}
