package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// ErrNoClusterID means the cluster carries no AKS EE cluster id.
var ErrNoClusterID = errors.New("no AKS EE cluster id")

// ID reads the AKS EE cluster id that New-AksEdgeDeployment stores in the cluster.
func ID(ctx context.Context, client kubernetes.Interface) (string, error) {
	cm, err := client.CoreV1().ConfigMaps(AksEdgeNamespace).Get(ctx, AksEdgeConfigMap, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("%w: ConfigMap %s/%s is missing; is this an AKS Edge Essentials cluster? "+
			"Pass --cluster-id to give the id yourself", ErrNoClusterID, AksEdgeNamespace, AksEdgeConfigMap)
	}
	if err != nil {
		return "", describeAPIError(err, "get", "configmaps", AksEdgeNamespace)
	}
	id := cm.Data[ClusterNameKey]
	if id == "" {
		return "", fmt.Errorf("%w: ConfigMap %s/%s has no %q key; pass --cluster-id to give the id yourself",
			ErrNoClusterID, AksEdgeNamespace, AksEdgeConfigMap, ClusterNameKey)
	}
	return id, nil
}

// Endpoint is the control-plane endpoint of a cluster and where it was learnt.
type Endpoint struct {
	Addr   netip.Addr
	Source string
}

// ControlPlaneEndpoint finds the cluster's control-plane VIP: the kubeconfig's server host
// when it is a routable IP, else the address kube-vip is configured with. It returns the zero
// Endpoint, and no error, when neither tells; the caller decides whether that matters.
func ControlPlaneEndpoint(ctx context.Context, client kubernetes.Interface, config *rest.Config) (Endpoint, error) {
	if addr, ok := serverIP(config.Host); ok {
		return Endpoint{Addr: addr, Source: "kubeconfig server"}, nil
	}
	ds, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, KubeVIPDaemonSet, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Endpoint{}, nil
	}
	if err != nil {
		return Endpoint{}, describeAPIError(err, "get", "daemonsets", "kube-system")
	}
	for _, c := range ds.Spec.Template.Spec.Containers {
		for _, name := range kubeVIPAddressEnv {
			for _, env := range c.Env {
				if env.Name != name {
					continue
				}
				if addr, err := netip.ParseAddr(env.Value); err == nil {
					return Endpoint{Addr: addr, Source: "kube-vip DaemonSet kube-system/" + KubeVIPDaemonSet}, nil
				}
			}
		}
	}
	return Endpoint{}, nil
}

// serverIP returns the host of a kubeconfig server URL when it is an IP that is not loopback.
func serverIP(server string) (netip.Addr, bool) {
	u, err := url.Parse(server)
	if err != nil {
		return netip.Addr{}, false
	}
	host := u.Hostname()
	if host == "" {
		host, _, _ = net.SplitHostPort(server)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || addr.IsLoopback() || addr.IsUnspecified() {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}
