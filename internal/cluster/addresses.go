package cluster

import (
	"context"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// AddressUse says what holds an IP address in the cluster.
type AddressUse struct {
	Addr  netip.Addr
	Owner string // "node NAME" or "service NAMESPACE/NAME"
}

func internalIPs(node *corev1.Node) []AddressUse {
	var out []AddressUse
	for _, a := range node.Status.Addresses {
		if addr, err := netip.ParseAddr(a.Address); err == nil && a.Type == corev1.NodeInternalIP {
			out = append(out, AddressUse{Addr: addr, Owner: "node " + node.Name})
		}
	}
	return out
}

// LoadBalancerAddresses lists every LoadBalancer ingress IP of every Service.
func LoadBalancerAddresses(ctx context.Context, client kubernetes.Interface) ([]AddressUse, error) {
	var used []AddressUse
	opts := metav1.ListOptions{Limit: listPageSize}
	for {
		list, err := client.CoreV1().Services("").List(ctx, opts)
		if err != nil {
			return nil, describeAPIError(err, "list", "services", "")
		}
		for _, svc := range list.Items {
			for _, ing := range svc.Status.LoadBalancer.Ingress {
				if addr, err := netip.ParseAddr(ing.IP); err == nil {
					used = append(used, AddressUse{Addr: addr, Owner: "service " + svc.Namespace + "/" + svc.Name})
				}
			}
		}
		if list.Continue == "" {
			return used, nil
		}
		opts.Continue = list.Continue
	}
}
